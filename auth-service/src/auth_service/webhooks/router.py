"""The shop's order system posts signed order events here (no token: the signature is
the credential; the gateway lets `/auth/webhooks/` through); admins make the webhooks."""

import uuid
from typing import Annotated

from checkin_shared import audit
from checkin_shared.security import AdminUser, StaffUser
from checkin_shared.unit_of_work import SessionDep
from checkin_shared.webhook_signature import SIGNATURE_HEADER, TIMESTAMP_HEADER
from fastapi import APIRouter, Header, Request, status

from auth_service.db import AUDIT
from auth_service.dependencies import ClockDep
from auth_service.webhooks import service
from auth_service.webhooks.schemas import (
    OrderEvent,
    OrderEventResult,
    OrderWebhookCreate,
    OrderWebhookCreated,
    OrderWebhookList,
    OrderWebhookRead,
)

router = APIRouter(prefix="/auth", tags=["shop integration"])


@router.get("/admin/order-webhooks", summary="The webhooks for the shop's order events")
async def list_order_webhooks(_: StaffUser, session: SessionDep) -> OrderWebhookList:
    """Each webhook's name and the path the order system posts to; never its secret."""
    return OrderWebhookList(
        items=[
            OrderWebhookRead(
                id=w.id, name=w.name, path=f"/auth/webhooks/orders/{w.id}", created_at=w.created_at
            )
            for w in await service.listed(session)
        ]
    )


@router.post(
    "/admin/order-webhooks",
    status_code=status.HTTP_201_CREATED,
    summary="Make a webhook for the shop's order events",
)
async def create_order_webhook(
    body: OrderWebhookCreate, admin: AdminUser, session: SessionDep, clock: ClockDep
) -> OrderWebhookCreated:
    """Its `path` is where the order system posts; its `secret` signs every post and is
    shown only in this answer."""
    webhook = await service.create(session, name=body.name, now=clock.now())
    await audit.record(
        session,
        AUDIT,
        actor_id=admin.user_id,
        action="order_webhook.created",
        target=f"order_webhook:{webhook.id}",
        after={"name": webhook.name},
        at=clock.now(),
    )
    return OrderWebhookCreated(
        id=webhook.id,
        name=webhook.name,
        path=f"/auth/webhooks/orders/{webhook.id}",
        secret=webhook.secret,
        created_at=webhook.created_at,
    )


@router.post(
    "/webhooks/orders/{webhook_id}",
    summary="An order event from the shop (signed; applied once per event_id)",
    responses={
        401: {"description": "invalid_signature"},
        404: {"description": "webhook_not_found"},
        422: {"description": "purchased_in_future"},
    },
)
async def order_event(
    webhook_id: uuid.UUID,
    event: OrderEvent,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    timestamp: Annotated[
        str | None,
        Header(alias=TIMESTAMP_HEADER, max_length=20, description="Unix seconds of signing"),
    ] = None,
    signed: Annotated[
        str | None,
        Header(
            alias=SIGNATURE_HEADER,
            max_length=100,
            description='"sha256=" + hex HMAC-SHA256(secret, "<timestamp>.<raw body>")',
        ),
    ] = None,
) -> OrderEventResult:
    """`order.paid` records the order (the shopper becomes eligible); `order.refunded` and
    `order.cancelled` take it back. Refused (401 `invalid_signature`) without a good
    signature or with a timestamp more than 300 s from now. The same `event_id` again
    answers `duplicate` and changes nothing; an order for an email nobody has registered
    yet answers `pending_shopper` and counts once that shopper signs up."""
    now = clock.now()
    webhook = await service.verified(
        session, webhook_id, await request.body(), timestamp=timestamp, signed=signed, now=now
    )
    return OrderEventResult(status=await service.apply(session, webhook, event, now=now))

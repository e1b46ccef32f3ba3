"""Admins point the shop's webhooks at its servers and read each one's deliveries."""

import uuid
from typing import Any

from checkin_shared import audit
from checkin_shared.pagination import CursorQuery, LimitQuery, Page
from checkin_shared.security import AdminUser, admin_area
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, Depends, Request, Response, status

from notification_service.db import AUDIT
from notification_service.dependencies import ClockDep
from notification_service.shop_webhooks import service
from notification_service.shop_webhooks.schemas import (
    Delivery,
    ShopWebhookCreate,
    ShopWebhookCreated,
    ShopWebhookList,
    ShopWebhookRead,
)

router = APIRouter(
    prefix="/notifications/admin/webhooks",
    tags=["admin: webhooks"],
    dependencies=[Depends(admin_area)],
)
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "webhook_not_found"}}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Tell one of the shop's URLs of events",
    responses={422: {"description": "url_not_allowed"}},
)
async def create_webhook(
    body: ShopWebhookCreate,
    request: Request,
    admin_user: AdminUser,
    session: SessionDep,
    clock: ClockDep,
) -> ShopWebhookCreated:
    """Each event of the types listed is posted to `url`, signed with `secret` (shown
    only here) like the order webhook: `X-Checkin-Timestamp` and `X-Checkin-Signature:
    sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`; the body is `{event_id,
    type, occurred_at, data}`. A receiver that is down is retried with back-off; nothing
    is lost. `url` must be https on a public address."""
    hook = await service.create(
        session,
        url=body.url,
        events=body.events,
        allow_loopback=request.app.state.settings.allow_loopback_urls,
        now=clock.now(),
    )
    read = ShopWebhookRead.model_validate(hook, from_attributes=True)
    await audit.record(
        session,
        AUDIT,
        actor_id=admin_user.user_id,
        action="shop_webhook.created",
        target=f"shop_webhook:{hook.id}",
        after=read.model_dump(mode="json"),  # never the secret
        at=clock.now(),
    )
    return ShopWebhookCreated.model_validate(
        {
            **ShopWebhookRead.model_validate(hook, from_attributes=True).model_dump(),
            "secret": hook.secret,
        }
    )


@router.get("", summary="The shop's webhooks (never their secrets)")
async def list_webhooks(session: SessionDep) -> ShopWebhookList:
    """Each webhook's URL and event types."""
    hooks = await service.active(session)
    return ShopWebhookList(
        items=[ShopWebhookRead.model_validate(h, from_attributes=True) for h in hooks]
    )


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Stop telling a webhook",
    responses=NOT_FOUND,
)
async def delete_webhook(
    webhook_id: uuid.UUID, admin_user: AdminUser, session: SessionDep, clock: ClockDep
) -> Response:
    """Nothing more is posted to it; deliveries still queued end as failed."""
    await service.delete(session, webhook_id, now=clock.now())
    await audit.record(
        session,
        AUDIT,
        actor_id=admin_user.user_id,
        action="shop_webhook.deleted",
        target=f"shop_webhook:{webhook_id}",
        at=clock.now(),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{webhook_id}/deliveries",
    summary="A webhook's deliveries, newest first",
    responses=NOT_FOUND,
)
async def deliveries(
    webhook_id: uuid.UUID,
    session: SessionDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[Delivery]:
    """Each event told: its status (`pending` while retried, `sent`, `failed`), attempts,
    last error and the receiver's last HTTP status."""
    await service.find_active(session, webhook_id)
    rows, next_cursor = await service.deliveries(session, webhook_id, cursor=cursor, limit=limit)
    items = [
        Delivery(
            event_id=n.event_id,
            type=n.kind,
            status=n.status,
            attempts=n.attempts,
            last_error=n.last_error,
            response_status=n.response_status,
            created_at=n.created_at,
            sent_at=n.sent_at,
        )
        for n in rows
    ]
    return Page[Delivery](items=items, next_cursor=next_cursor)

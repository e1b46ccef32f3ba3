"""API keys for the shop's servers (admin), and the routes those servers call with one.
The gateway lets `/auth/integrations/` through without a JWT: the key is checked here."""

import uuid
from typing import Annotated

from checkin_shared import audit
from checkin_shared.security import AdminUser, StaffUser
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, Header, Response, status

from auth_service.db import AUDIT
from auth_service.dependencies import ClockDep
from auth_service.integrations import service
from auth_service.integrations.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyList, ApiKeyRead
from auth_service.purchases import service as purchases
from auth_service.purchases.schemas import PurchaseImport, PurchaseImportResult

router = APIRouter(prefix="/auth", tags=["shop integration"])
ApiKeyHeader = Annotated[
    str | None,
    Header(
        alias="X-Api-Key",
        max_length=200,
        description="An API key made at POST /auth/admin/api-keys",
        examples=["ck_Yb3v9QkQe2h1m0vGf4S7p8T1r2W5x6Z9a0b1c2d3e4f"],
    ),
]


@router.post("/admin/api-keys", status_code=status.HTTP_201_CREATED, summary="Make an API key")
async def create_api_key(
    body: ApiKeyCreate, admin: AdminUser, session: SessionDep, clock: ClockDep
) -> ApiKeyCreated:
    """A key for the shop's servers with the given scopes. The key is in this answer
    only: it is stored hashed and cannot be shown again (make another if it is lost)."""
    row, key = await service.create(
        session, name=body.name, scopes=body.scopes, admin_id=admin.user_id, now=clock.now()
    )
    read = _read(row)
    await audit.record(
        session,
        AUDIT,
        actor_id=admin.user_id,
        action="api_key.created",
        target=f"api_key:{row.id}",
        after=read.model_dump(mode="json"),
        at=clock.now(),
    )
    return ApiKeyCreated.model_validate({**read.model_dump(), "key": key})


@router.get("/admin/api-keys", summary="The active API keys (never the keys themselves)")
async def list_api_keys(_: StaffUser, session: SessionDep) -> ApiKeyList:
    """Each active key's name, scopes, and when it was made and last used."""
    return ApiKeyList(items=[_read(row) for row in await service.active(session)])


@router.delete(
    "/admin/api-keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Revoke an API key",
    responses={404: {"description": "api_key_not_found"}},
)
async def revoke_api_key(
    key_id: uuid.UUID, admin: AdminUser, session: SessionDep, clock: ClockDep
) -> Response:
    """The key is refused from this moment on (401 `invalid_api_key`)."""
    await service.revoke(session, key_id, now=clock.now())
    await audit.record(
        session,
        AUDIT,
        actor_id=admin.user_id,
        action="api_key.revoked",
        target=f"api_key:{key_id}",
        at=clock.now(),
    )

    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/integrations/purchases",
    summary="The shop's order system records orders (API key, scope purchases:write)",
    responses={
        401: {"description": "invalid_api_key"},
        403: {"description": "insufficient_scope"},
        422: {"description": "purchased_in_future"},
    },
)
async def integration_purchases(
    body: PurchaseImport, session: SessionDep, clock: ClockDep, api_key: ApiKeyHeader = None
) -> PurchaseImportResult:
    """As `POST /auth/admin/purchases`, for a server with an API key instead of an admin's
    token: up to 1,000 orders, idempotent by `order_id`; an item with `status` `refunded`
    or `cancelled` takes back an order seen before."""
    now = clock.now()
    await service.authorize(session, api_key, scope="purchases:write", now=now)
    return await purchases.import_purchases(session, body.items, now=now)


def _read(row: object) -> ApiKeyRead:
    return ApiKeyRead.model_validate(row, from_attributes=True)

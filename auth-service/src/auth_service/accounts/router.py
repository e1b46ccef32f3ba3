import uuid
from typing import Annotated

from checkin_shared import audit
from checkin_shared.errors import ProblemError
from checkin_shared.locales import from_accept_language
from checkin_shared.pagination import CursorQuery, LimitQuery, Page
from checkin_shared.security import AdminUser, CurrentUser, StaffUser
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, Header, Query, Request, status

from auth_service.accounts import service
from auth_service.accounts.schemas import AdminUserDetail
from auth_service.db import AUDIT
from auth_service.dependencies import ClockDep, PasswordsDep
from auth_service.purchases.schemas import PurchaseRead
from auth_service.users.passwords import check_strength
from auth_service.users.schemas import (
    AdminUserRead,
    MeRead,
    RoleChange,
    UserCreate,
    UserRead,
)

router = APIRouter(prefix="/auth", tags=["users"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    summary="Create a shopper account",
    responses={
        403: {"description": "local_signup_disabled"},
        409: {"description": "email_taken"},
        422: {"description": "weak_password"},
    },
)
async def register(
    body: UserCreate,
    request: Request,
    session: SessionDep,
    passwords: PasswordsDep,
    clock: ClockDep,
    accept_language: Annotated[
        str | None,
        Header(
            max_length=500,
            description="The language of mails when the body names none (ko, en)",
            examples=["ko-KR,ko;q=0.9,en;q=0.8"],
        ),
    ] = None,
) -> UserRead:
    """Creates a shopper account. The language of mails comes from `locale`, else from
    `Accept-Language`, else the shop's. Orders already imported for this email are linked."""
    if not request.app.state.settings.local_signup:
        raise ProblemError(
            403,
            "local_signup_disabled",
            "Sign-up disabled",
            "Accounts come from the shop's sign-in here: use POST /auth/token-exchange",
        )
    check_strength(body.password, email=body.email)
    password_hash = await passwords.hash(body.password)
    account = await service.register(
        session,
        email=body.email,
        name=body.name,
        password_hash=password_hash,
        role="shopper",
        now=clock.now(),
        locale=body.locale or from_accept_language(accept_language),
    )
    return UserRead.model_validate(account, from_attributes=True)


@router.get("/me", summary="The signed-in user")
async def me(principal: CurrentUser, session: SessionDep) -> MeRead:
    """The signed-in account, with `eligible`: it has at least one purchase."""
    account = await service.find(session, principal.user_id)
    if account is None:
        raise ProblemError(401, "invalid_token", "Invalid token", "The account no longer exists")
    eligible = await service.eligible(session, account.id)
    return MeRead.model_validate({**_fields(account), "eligible": eligible})


@router.get("/admin/users", summary="Find accounts by email or name")
async def list_users(
    _: StaffUser,
    session: SessionDep,
    query: Annotated[str | None, Query(max_length=200)] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[AdminUserRead]:
    """Accounts whose email or name contains `query` (case-insensitive), or whose id it is;
    newest first."""
    rows, next_cursor = await service.search(session, query=query, cursor=cursor, limit=limit)
    items = [
        AdminUserRead.model_validate(
            {**_fields(account), "eligible": eligible, "created_at": account.created_at}
        )
        for account, eligible in rows
    ]
    return Page[AdminUserRead](items=items, next_cursor=next_cursor)


@router.get(
    "/admin/users/{user_id}",
    summary="One account: eligibility, sign-in and orders",
    responses={404: {"description": "user_not_found"}},
)
async def get_user(user_id: uuid.UUID, _: StaffUser, session: SessionDep) -> AdminUserDetail:
    """What support needs to find a shopper by the id other admin views name."""
    found = await service.with_purchases(session, user_id)
    if found is None:
        raise ProblemError(404, "user_not_found", "User not found", "No such account")
    account, eligible, provider, orders = found
    return AdminUserDetail.model_validate(
        {
            **_fields(account),
            "eligible": eligible,
            "created_at": account.created_at,
            "identity_provider": provider.issuer if provider else None,
            "purchases": [PurchaseRead.model_validate(o, from_attributes=True) for o in orders],
        }
    )


@router.put(
    "/admin/users/{user_id}/role",
    summary="Make an account a shopper, support or admin",
    responses={
        404: {"description": "user_not_found"},
        409: {"description": "cannot_change_own_role"},
    },
)
async def change_role(
    user_id: uuid.UUID, body: RoleChange, admin: AdminUser, session: SessionDep, clock: ClockDep
) -> AdminUserRead:
    """Changes another account's role (never your own, so the last admin stays one). The
    new role is in the account's tokens from its next sign-in or refresh."""
    changed = await service.change_role(session, user_id, role=body.role, actor_id=admin.user_id)
    if changed is None:
        raise ProblemError(404, "user_not_found", "User not found", "No such account")
    account, before = changed
    await audit.record(
        session,
        AUDIT,
        actor_id=admin.user_id,
        action="user.role_changed",
        target=f"user:{account.id}",
        before={"role": before},
        after={"role": account.role},
        at=clock.now(),
    )
    eligible = await service.eligible(session, account.id)
    return AdminUserRead.model_validate(
        {**_fields(account), "eligible": eligible, "created_at": account.created_at}
    )


def _fields(account: object) -> dict[str, object]:
    return {k: getattr(account, k) for k in ("id", "email", "name", "role", "locale")}

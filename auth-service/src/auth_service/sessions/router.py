import uuid

from checkin_shared.errors import ProblemError
from checkin_shared.security import CurrentUser
from checkin_shared.tokens import invalid_token
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, Request, Response, status

from auth_service.dependencies import ClockDep, IssuerDep, PasswordsDep, ThrottleDep
from auth_service.sessions import service
from auth_service.sessions.schemas import LoginRequest, RefreshRequest, TokenPair
from auth_service.users.service import find_by_email, normalize_email

router = APIRouter(prefix="/auth", tags=["sessions"])


def invalid_credentials() -> ProblemError:
    """One answer for an unknown email and a wrong password."""
    return ProblemError(
        401, "invalid_credentials", "Invalid credentials", "Invalid email or password"
    )


@router.post(
    "/login",
    summary="Exchange email and password for a token pair",
    responses={
        401: {"description": "invalid_credentials"},
        429: {"description": "too_many_attempts"},
    },
)
async def login(
    body: LoginRequest,
    request: Request,
    session: SessionDep,
    passwords: PasswordsDep,
    throttle: ThrottleDep,
    issuer: IssuerDep,
    clock: ClockDep,
) -> TokenPair:
    """Exchanges an email and password for an access token (short-lived, RS256) and a refresh
    token. Wrong credentials are 401 `invalid_credentials`, the same for an unknown email;
    repeated failures are throttled (429 `too_many_attempts`)."""
    email = normalize_email(body.email)
    ip = request.client.host if request.client else "unknown"
    reservation = await throttle.reserve(email=email, ip=ip, now=clock.now())
    account = await find_by_email(session, email)
    if account is not None:
        session.expunge(account)  # keep its loaded fields past the rollback below
    # Give the connection back during the slow hash: a login must never hold one pooled
    # connection while it waits for another (the throttle's), or a burst of logins
    # exhausts the pool and every one of them waits for the pool timeout. (Only reads
    # happened so far; the unit of work commits what follows.)
    await session.rollback()
    if not await passwords.verify(account.password_hash if account else None, body.password):
        await throttle.failed(reservation)
        raise invalid_credentials()
    assert account is not None
    await throttle.release(reservation)
    return await issuer.new_pair(session, account, family_id=uuid.uuid4(), now=clock.now())


@router.post(
    "/refresh",
    summary="Rotate a refresh token into a new pair",
    responses={401: {"description": "invalid_token"}},
)
async def refresh(
    body: RefreshRequest, session: SessionDep, issuer: IssuerDep, clock: ClockDep
) -> TokenPair:
    """Exchanges a refresh token for a new pair; the old refresh token stops working. Use the
    new one next time: presenting a rotated token again revokes the whole session (401)."""
    try:
        return await service.rotate(session, issuer, raw_token=body.refresh_token, now=clock.now())
    except service.RefreshReused:
        # The family's revocation is kept although the request is refused.
        refused = invalid_token("refresh token reused; the session was revoked")
        raise refused.keeping_changes() from None
    except service.RefreshRejected:
        raise invalid_token("refresh token unknown, expired or revoked") from None


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Revoke the session of this refresh token",
)
async def logout(
    body: RefreshRequest, principal: CurrentUser, session: SessionDep, clock: ClockDep
) -> Response:
    """Revokes the session of this refresh token (its later refreshes are 401)."""
    await service.logout(
        session, raw_token=body.refresh_token, user_id=principal.user_id, now=clock.now()
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)

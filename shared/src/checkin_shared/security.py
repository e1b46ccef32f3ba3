"""FastAPI dependencies for the caller: any signed-in user, staff (`support` or `admin`:
every admin read, and fulfilment), or an admin (every other admin write)."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from checkin_shared.errors import ProblemError
from checkin_shared.tokens import Principal, TokenVerifier, invalid_token

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /auth/login")


async def _verified(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise invalid_token("missing bearer token")
    verifier: TokenVerifier = request.app.state.token_verifier
    return await verifier.verify(credentials.credentials)


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    return await _verified(request, credentials)


async def bearer_principal(request: Request) -> Principal:
    """`current_principal` as a `DirectRoute` runs it: the caller's verified token, else 401."""
    return await _verified(request, await _bearer(request))


CurrentUser = Annotated[Principal, Depends(current_principal)]


async def admin_principal(principal: CurrentUser) -> Principal:
    if not principal.is_admin:
        raise ProblemError(403, "forbidden", "Forbidden", "This route needs the admin role")
    return principal


AdminUser = Annotated[Principal, Depends(admin_principal)]


async def staff_principal(principal: CurrentUser) -> Principal:
    if not principal.is_staff:
        raise ProblemError(
            403, "forbidden", "Forbidden", "This route needs the support or admin role"
        )
    return principal


StaffUser = Annotated[Principal, Depends(staff_principal)]


async def admin_area(request: Request, principal: CurrentUser) -> Principal:
    """The guard of a whole admin router: staff read (GET, HEAD), only admins write. The
    writes support may make (fulfilment) live on a router guarded by `StaffUser`."""
    if request.method in ("GET", "HEAD"):
        return await staff_principal(principal)
    return await admin_principal(principal)

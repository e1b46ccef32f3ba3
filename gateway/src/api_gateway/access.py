"""Which requests need a token, and which role an admin route needs: `support` may read
every admin view and change fulfilment; every other admin write needs `admin`."""

import re

# (method, path) pairs anyone may call; everything else under a service needs a token.
PUBLIC_ROUTES = frozenset(
    {
        ("POST", "/auth/register"),
        ("POST", "/auth/login"),
        ("POST", "/auth/refresh"),
        ("POST", "/auth/token-exchange"),
        ("GET", "/auth/.well-known/jwks.json"),
        # the reminder mail's signed link (the notification service checks the token)
        ("GET", "/notifications/unsubscribe"),
        ("POST", "/notifications/unsubscribe"),
    }
)
# Called by the shop's servers with their own credentials (an API key, a webhook
# signature), which the auth service checks; still rate-limited here.
PUBLIC_PREFIXES = ("/auth/integrations/", "/auth/webhooks/")
DOC_SUFFIXES = ("/openapi.json", "/docs", "/redoc")
DOC_ASSETS = "/docs/assets/"


def is_public(method: str, path: str, segment: str) -> bool:
    if (method, path) in PUBLIC_ROUTES or path.startswith(PUBLIC_PREFIXES):
        return True
    if method not in ("GET", "HEAD"):
        return False
    return path in {f"/{segment}{s}" for s in DOC_SUFFIXES} or path.startswith(
        f"/{segment}{DOC_ASSETS}"
    )


def is_admin_path(path: str) -> bool:
    """`/<segment>/admin` and everything below it."""
    parts = path.split("/", 3)
    return len(parts) >= 3 and parts[2] == "admin"


READ_METHODS = frozenset({"GET", "HEAD"})
# The admin writes customer service may make: an item claim's fulfilment.
SUPPORT_WRITES = (
    ("POST", re.compile(r"^/rewards/admin/claims/[^/]+/fulfilment$")),
    ("POST", re.compile(r"^/rewards/admin/fulfilments/import$")),
)


def support_may(method: str, path: str) -> bool:
    """Whether the `support` role may make this admin request."""
    if method in READ_METHODS:
        return True
    return any(method == m and pattern.match(path) for m, pattern in SUPPORT_WRITES)


def role_allows(role: str, method: str, path: str) -> bool:
    """Whether a caller with `role` may make this request (the services check again)."""
    if not is_admin_path(path) or role == "admin":
        return True
    return role == "support" and support_may(method, path)

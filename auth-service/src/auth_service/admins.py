"""Admin accounts are made at setup (environment or CLI), never through a public route."""

from datetime import datetime

from checkin_shared.errors import ProblemError
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.accounts.service import register
from auth_service.users.passwords import Passwords, check_strength
from auth_service.users.service import find_by_email


async def ensure_admin(
    session: AsyncSession,
    passwords: Passwords,
    *,
    email: str,
    password: str,
    name: str,
    now: datetime,
) -> str:
    """Create the admin, or promote the existing account; returns what was done.
    Idempotent: an existing admin keeps its password."""
    account = await find_by_email(session, email)
    if account is not None:
        if account.role == "admin":
            return "exists"
        account.role = "admin"
        await session.flush()
        return "promoted"
    check_strength(password, email=email)
    try:
        await register(
            session,
            email=email,
            name=name,
            password_hash=await passwords.hash(password),
            role="admin",
            now=now,
        )
    except ProblemError as exc:
        if exc.code != "email_taken":  # a concurrent replica made it first
            raise
        return "exists"
    return "created"

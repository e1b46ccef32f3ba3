"""Login throttling per email and per IP, counted in Postgres so every replica agrees.

Per email, an attempt is counted *before* the password is checked (so concurrent guesses
at one account cannot slip past the limit) and released when it succeeds. Per IP only
failures count, so many people behind one address can log in at once.
The counter lives in its own short transaction because it must persist although the
login request itself fails.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from checkin_shared.errors import ProblemError
from checkin_shared.unit_of_work import unit_of_work
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth_service.sessions.models import LoginFailure


@dataclass(frozen=True)
class Reservation:
    keys: tuple[str, str]
    window_start: datetime


class LoginThrottle:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        window_seconds: int,
        max_per_email: int,
        max_per_ip: int,
    ) -> None:
        self._factory = session_factory
        self.window_seconds = window_seconds
        self.limits = (max_per_email, max_per_ip)

    def _window_start(self, now: datetime) -> datetime:
        epoch = int(now.timestamp())
        return datetime.fromtimestamp(epoch - epoch % self.window_seconds, UTC)

    async def reserve(self, *, email: str, ip: str, now: datetime) -> Reservation:
        """Count this attempt against the email (released on success), check the IP's
        failures; 429 `too_many_attempts` with Retry-After when over a limit."""
        email_key, ip_key = f"email:{email}", f"ip:{ip}"
        window_start = self._window_start(now)
        reserve = (
            insert(LoginFailure)
            .values(key=email_key, window_start=window_start, failures=1)
            .on_conflict_do_update(
                index_elements=[LoginFailure.key, LoginFailure.window_start],
                set_={"failures": LoginFailure.failures + 1},
            )
            .returning(LoginFailure.failures)
        )
        ip_failures = select(LoginFailure.failures).where(
            LoginFailure.key == ip_key, LoginFailure.window_start == window_start
        )
        async with unit_of_work(self._factory) as session:
            for_email = (await session.execute(reserve)).scalar_one()
            for_ip = (await session.execute(ip_failures)).scalar_one_or_none() or 0
        max_email, max_ip = self.limits
        if for_email > max_email or for_ip >= max_ip:
            elapsed = (now - window_start).total_seconds()
            retry_after = max(1, math.ceil(self.window_seconds - elapsed))
            raise ProblemError(
                429,
                "too_many_attempts",
                "Too many login attempts",
                f"Too many failed logins; try again in {retry_after} seconds",
                headers={"Retry-After": str(retry_after)},
            )
        return Reservation((email_key, ip_key), window_start)

    async def release(self, reservation: Reservation) -> None:
        """A successful login does not count against the email's limit."""
        email_key, _ = reservation.keys
        statement = (
            update(LoginFailure)
            .where(
                LoginFailure.key == email_key,
                LoginFailure.window_start == reservation.window_start,
                LoginFailure.failures > 0,
            )
            .values(failures=LoginFailure.failures - 1)
        )
        async with unit_of_work(self._factory) as session:
            await session.execute(statement)

    async def failed(self, reservation: Reservation) -> None:
        """A wrong password counts against the IP (the email's reservation stays counted)."""
        _, ip_key = reservation.keys
        statement = (
            insert(LoginFailure)
            .values(key=ip_key, window_start=reservation.window_start, failures=1)
            .on_conflict_do_update(
                index_elements=[LoginFailure.key, LoginFailure.window_start],
                set_={"failures": LoginFailure.failures + 1},
            )
        )
        async with unit_of_work(self._factory) as session:
            await session.execute(statement)

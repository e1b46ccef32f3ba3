"""Login throttling per email and per IP, counted in Postgres so every replica agrees.

An attempt is counted *before* the password is checked (so concurrent guesses cannot slip
past the limit) and released again when it succeeds: what stays counted are failures.
The counter lives in its own short transaction because it must persist although the
login request itself fails.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from checkin_shared.errors import ProblemError
from sqlalchemy import update
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
        """Count this attempt; 429 `too_many_attempts` with Retry-After when over a limit."""
        keys = (f"email:{email}", f"ip:{ip}")
        window_start = self._window_start(now)
        rows = [{"key": k, "window_start": window_start, "failures": 1} for k in keys]
        statement = (
            insert(LoginFailure)
            .values(rows)
            .on_conflict_do_update(
                index_elements=[LoginFailure.key, LoginFailure.window_start],
                set_={"failures": LoginFailure.failures + 1},
            )
            .returning(LoginFailure.key, LoginFailure.failures)
        )
        async with self._factory() as session, session.begin():
            counts = {key: count for key, count in (await session.execute(statement)).all()}
        if any(counts[k] > limit for k, limit in zip(keys, self.limits, strict=True)):
            elapsed = (now - window_start).total_seconds()
            retry_after = max(1, math.ceil(self.window_seconds - elapsed))
            raise ProblemError(
                429,
                "too_many_attempts",
                "Too many login attempts",
                f"Too many failed logins; try again in {retry_after} seconds",
                headers={"Retry-After": str(retry_after)},
            )
        return Reservation(keys, window_start)

    async def release(self, reservation: Reservation) -> None:
        """A successful login does not count against the limits."""
        statement = (
            update(LoginFailure)
            .where(
                LoginFailure.key.in_(reservation.keys),
                LoginFailure.window_start == reservation.window_start,
                LoginFailure.failures > 0,
            )
            .values(failures=LoginFailure.failures - 1)
        )
        async with self._factory() as session, session.begin():
            await session.execute(statement)

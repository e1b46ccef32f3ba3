"""argon2id hashing off the event loop, and a dummy hash for constant-time misses."""

import re

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from checkin_shared.errors import ProblemError

MIN_LENGTH = 10
MAX_LENGTH = 128


class Passwords:
    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        self._dummy_hash = self._hasher.hash("dummy password for unknown emails")

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Always does the full work, so an unknown email costs what a wrong password does."""
        target = password_hash or self._dummy_hash
        try:
            ok = await anyio.to_thread.run_sync(self._hasher.verify, target, password)
        except (VerificationError, InvalidHashError):
            return False
        return bool(ok) and password_hash is not None


def check_strength(password: str, *, email: str) -> None:
    """422 `weak_password` unless long enough, mixed, and not the email."""
    problems = []
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        problems.append(f"must be {MIN_LENGTH} to {MAX_LENGTH} characters")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"[^A-Za-z]", password):
        problems.append("must mix letters with digits or symbols")
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        problems.append("must not contain the email name")
    if problems:
        raise ProblemError(
            422, "weak_password", "Password too weak", "Password " + "; ".join(problems)
        )

"""A fresh database per test run, bootstrapped with deploy/postgres/bootstrap.sql."""

import contextlib
import importlib.util
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import asyncpg
from alembic import command
from alembic.config import Config


@dataclass(frozen=True)
class TestDatabase:
    __test__ = False  # not a test class, despite the name

    name: str
    admin_url: str

    def url_for(self, role: str, *, driver: str = "postgresql+asyncpg") -> str:
        """The URL a service role uses for this database (trust auth on the test server)."""
        parts = urlsplit(self.admin_url)
        host = parts.hostname or "127.0.0.1"
        port = parts.port or 5432
        password = f":{parts.password}" if parts.password and role == parts.username else ""
        return f"{driver}://{role}{password}@{host}:{port}/{self.name}"

    @property
    def admin_dsn(self) -> str:
        parts = urlsplit(self.admin_url)
        return parts._replace(scheme="postgresql", path=f"/{self.name}").geturl()


def load_bootstrap(repo_root: Path) -> ModuleType:
    path = repo_root / "deploy" / "postgres" / "bootstrap.py"
    spec = importlib.util.spec_from_file_location("checkin_pg_bootstrap", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def drop_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def run_migrations(alembic_ini: Path, database_url: str) -> None:
    """`alembic upgrade head` for one service, in a thread (its env.py runs its own loop)."""
    config = Config(str(alembic_ini))
    config.attributes["database_url"] = database_url
    config.attributes["skip_logging_config"] = True
    errors: list[BaseException] = []

    def upgrade() -> None:
        try:
            command.upgrade(config, "head")
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=upgrade)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


@contextlib.asynccontextmanager
async def isolated_database(
    base: TestDatabase, suffix: str, repo_root: Path
) -> AsyncIterator[TestDatabase]:
    """Another bootstrapped database beside `base`, for a test whose processes must not
    share tables with the rest of the run (dropped afterwards)."""
    name = f"{base.name}_{suffix}"
    await load_bootstrap(repo_root).bootstrap(base.admin_url, name)
    try:
        yield TestDatabase(name=name, admin_url=base.admin_url)
    finally:
        await drop_database(base.admin_url, name)

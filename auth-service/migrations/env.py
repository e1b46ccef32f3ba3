"""Alembic environment: async engine, our schema only, version table inside it."""

import asyncio
import logging.config

from alembic import context
from auth_service.config import AuthSettings
from auth_service.db import SCHEMA, Base
from checkin_shared.db import make_engine
from sqlalchemy.engine import Connection

config = context.config
if config.config_file_name and not config.attributes.get("skip_logging_config"):
    logging.config.fileConfig(config.config_file_name)


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    context.configure(
        connection=connection,
        url=url,
        target_metadata=Base.metadata,
        version_table_schema=SCHEMA,
        include_schemas=False,
        compare_type=True,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _online() -> None:
    url = config.attributes.get("database_url") or AuthSettings().database_url
    engine = make_engine(url, pool_size=1, max_overflow=0)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    _configure(url=AuthSettings().database_url)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_online())

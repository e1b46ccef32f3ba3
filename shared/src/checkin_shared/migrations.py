"""The body of every service's Alembic env.py: async engine, one schema, version table in it."""

import asyncio
import logging.config
from collections.abc import Callable

from alembic import context
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from checkin_shared.db import make_engine


def run_migrations(*, metadata: MetaData, schema: str, default_url: Callable[[], str]) -> None:
    """Call from env.py. The URL comes from `config.attributes["database_url"]` (tests)
    or `default_url()` (the service's settings, i.e. its environment)."""
    config = context.config
    if config.config_file_name and not config.attributes.get("skip_logging_config"):
        logging.config.fileConfig(config.config_file_name)

    def configure(connection: Connection | None = None, url: str | None = None) -> None:
        context.configure(
            connection=connection,
            url=url,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=False,
            compare_type=True,
        )

    def run(connection: Connection) -> None:
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()

    async def online() -> None:
        url = config.attributes.get("database_url") or default_url()
        engine = make_engine(url, pool_size=1, max_overflow=0)
        async with engine.connect() as connection:
            await connection.run_sync(run)
        await engine.dispose()

    if context.is_offline_mode():
        configure(url=default_url())
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(online())

"""Each service role owns its schema and cannot reach any other."""

import asyncpg
import pytest
from checkin_testkit.database import TestDatabase


async def test_auth_role_cannot_read_another_services_schema(
    test_database: TestDatabase, auth_database_url: str
) -> None:
    admin = await asyncpg.connect(test_database.admin_dsn)
    try:
        await admin.execute("SET ROLE reward_svc")
        await admin.execute("CREATE TABLE IF NOT EXISTS reward.isolation_probe (id int)")
    finally:
        await admin.close()
    auth = await asyncpg.connect(test_database.url_for("auth_svc", driver="postgresql"))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await auth.fetch("SELECT * FROM reward.isolation_probe")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await auth.execute("CREATE TABLE public.sneaky (id int)")
        # its own schema works, and migrations put the version table there
        assert await auth.fetchval("SELECT count(*) FROM auth.alembic_version") == 1
    finally:
        await auth.close()


async def test_other_roles_cannot_read_the_auth_schema(
    test_database: TestDatabase, auth_database_url: str
) -> None:
    reward = await asyncpg.connect(test_database.url_for("reward_svc", driver="postgresql"))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await reward.fetch("SELECT * FROM auth.account")
    finally:
        await reward.close()

"""`auth-admin`: admins are made from the command line, idempotently."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

CLI = [sys.executable, "-m", "auth_service.cli"]


def run_cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AUTH_DATABASE_URL": database_url,
        "AUTH_ARGON2_TIME_COST": "1",
        "AUTH_ARGON2_MEMORY_KIB": "8192",
        "AUTH_ARGON2_PARALLELISM": "1",
    }
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=60)


async def test_create_admin_is_idempotent_and_promotes_shoppers(
    auth_database_url: str, client: httpx.AsyncClient, api: Any
) -> None:
    email = api.new_email()
    first = run_cli(
        "create-admin",
        "--email",
        email,
        "--password",
        "cli pass 123",
        database_url=auth_database_url,
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().endswith("created")
    again = run_cli(
        "create-admin",
        "--email",
        email.upper(),
        "--password",
        "other pass 9",
        database_url=auth_database_url,
    )
    assert again.stdout.strip().endswith("exists")
    pair = await api.login(email, "cli pass 123")  # the password was not changed
    me = await client.get("/auth/me", headers=api.bearer(pair["access_token"]))
    assert me.json()["role"] == "admin"

    shopper = await api.register()
    promoted = run_cli(
        "create-admin",
        "--email",
        shopper["email"],
        "--password",
        "x",
        database_url=auth_database_url,
    )
    assert promoted.stdout.strip().endswith("promoted")


async def test_create_admin_refuses_a_weak_password(auth_database_url: str, api: Any) -> None:
    result = run_cli(
        "create-admin",
        "--email",
        api.new_email(),
        "--password",
        "short",
        database_url=auth_database_url,
    )
    assert result.returncode == 2
    assert "Password must be" in result.stderr


def test_generate_key_keeps_an_existing_key(tmp_path: Path) -> None:
    key = tmp_path / "keys" / "signing.pem"
    made = subprocess.run(
        [*CLI, "generate-key", str(key)], capture_output=True, text=True, check=True
    )
    assert "wrote" in made.stdout
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    before = key.read_text()
    kept = subprocess.run(
        [*CLI, "generate-key", str(key)], capture_output=True, text=True, check=True
    )
    assert "kept" in kept.stdout
    assert key.read_text() == before

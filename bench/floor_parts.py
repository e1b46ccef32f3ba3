"""What the floors (`checkin_floor.py`, `reads_floor.py`) share: the token check, a bare
ASGI answer and lifespan, the front (the gateway's part) and running the parts as uvicorn
children. Nothing of ours: PyJWT, aiohttp and uvicorn only."""

import asyncio
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import httpx
import jwt
import loads
from cryptography.hazmat.primitives import serialization
from probes import CpuMeter

HERE = Path(__file__).resolve().parent

Scope = dict[str, Any]


def public_pem() -> str:
    return Path(os.environ["FLOOR_KEY"]).read_text()


class TokenCheck:
    """The RS256 access token of a request, verified with PyJWT; with `cached`, a token
    verified once is known by its bytes until it expires (as a gateway's cache keyed by
    the token's signature would)."""

    def __init__(self, key: str, *, cached: bool) -> None:
        self.key = key
        self.known: dict[bytes, tuple[str, float]] | None = {} if cached else None

    def subject(self, scope: Scope) -> str | None:
        for name, value in scope["headers"]:
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                return self._subject(value[7:])
        return None

    def _subject(self, token: bytes) -> str | None:
        if self.known is not None:
            hit = self.known.get(token)
            if hit is not None and hit[1] > time.time():
                return hit[0]
        try:
            claims = jwt.decode(
                token,
                self.key,
                algorithms=["RS256"],
                audience="checkin",
                issuer="checkin-auth",
                options={"require": ["exp", "sub"]},
            )
        except jwt.InvalidTokenError:
            return None
        if self.known is not None:
            self.known[token] = (claims["sub"], float(claims["exp"]))
        return str(claims["sub"])


def subjects(tokens: list[str]) -> list[uuid.UUID]:
    """The shoppers the tokens are for (read, not verified: the bench signed them)."""
    return [uuid.UUID(jwt.decode(t, options={"verify_signature": False})["sub"]) for t in tokens]


async def answer(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def lifespan(receive: Any, send: Any, start: Any, stop: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await start()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await stop()
            await send({"type": "lifespan.shutdown.complete"})
            return


class Front:
    """The gateway's part: check the token, forward, answer with what came back. The token
    cache is on when FLOOR_TOKEN_CACHE is set (it only costs when every token is new)."""

    def __init__(self) -> None:
        self.session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self.tokens = TokenCheck(public_pem(), cached=bool(os.environ.get("FLOOR_TOKEN_CACHE")))
        self.upstream = os.environ["FLOOR_UPSTREAM"]
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64))

    async def stop(self) -> None:
        if self.session:
            await self.session.close()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            return await lifespan(receive, send, self.start, self.stop)
        if self.tokens.subject(scope) is None:
            return await answer(send, 401, b'{"code":"invalid_token"}')
        authorization = dict(scope["headers"])[b"authorization"].decode()
        assert self.session is not None
        async with self.session.request(
            scope["method"], self.upstream + scope["path"], headers={"authorization": authorization}
        ) as upstream:
            await answer(send, upstream.status, await upstream.read())


class FloorService:
    """A service's part: the token (cached when `cached`), a pool of eight asyncpg
    connections on FLOOR_DATABASE, and `handle` for each request whose token is good."""

    cached = True

    async def start(self) -> None:
        self.tokens = TokenCheck(public_pem(), cached=self.cached)
        self.pool = await asyncpg.create_pool(os.environ["FLOOR_DATABASE"], min_size=8, max_size=8)
        await self.started()

    async def started(self) -> None:
        """What the service starts beside its pool (nothing here)."""

    async def stop(self) -> None:
        await self.stopping()
        await self.pool.close()

    async def stopping(self) -> None:
        """What the service stops before its pool (nothing here)."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            return await lifespan(receive, send, self.start, self.stop)
        subject = self.tokens.subject(scope)
        if subject is None:
            return await answer(send, 401, b'{"code":"invalid_token"}')
        await self.handle(scope, subject, send)

    async def handle(self, scope: Scope, subject: str, send: Any) -> None:
        raise NotImplementedError


async def wrk_through_front(
    wrk_bin: str,
    port: int,
    children: dict[str, subprocess.Popen[Any]],
    *,
    method: str,
    path: str,
    tokens: Path,
    seconds: int,
) -> dict[str, Any]:
    """wrk at 32 connections through the front on `port`, each request as the next shopper
    of `tokens`; the CPU of every child counted."""
    return await loads.wrk(
        wrk_bin,
        f"http://127.0.0.1:{port}",
        method=method,
        path=path,
        tokens=tokens,
        seconds=seconds,
        connections=32,
        cpu=CpuMeter({name: child.pid for name, child in children.items()}),
        poller=None,
    )


def public_key(private_pem: Path, out: Path) -> Path:
    key = serialization.load_pem_private_key(private_pem.read_bytes(), password=None)
    out.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return out


async def until_up(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            try:
                await client.get(url)
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
    raise SystemExit(f"{url} did not start")


def uvicorn(app: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--loop", "uvloop"]
    argv += ["--http", "httptools", "--no-access-log", "--log-level", "warning"]
    return subprocess.Popen(argv, cwd=HERE, env=env)


def stop_all(children: dict[str, subprocess.Popen[Any]]) -> None:
    """The children in reverse order of starting (the front first)."""
    for child in reversed(children.values()):
        if child.poll() is None:
            child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()

"""The services' event loop: uvloop whose listening sockets take in every waiting
connection when they wake, not one per turn of the loop (libuv's way since 1.45)."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from checkin_shared.accept_loop import AcceptAllLoop, DrainingServer, new_event_loop
from checkin_testkit.apps import free_port

REPO = Path(__file__).resolve().parents[2]
BURST = 100


class Counted(asyncio.Protocol):
    """Notes the turn of the loop at which each connection was made."""

    turn = 0

    def __init__(self, made: list[int], all_made: asyncio.Event) -> None:
        self.made, self.all_made = made, all_made

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.made.append(Counted.turn)
        if len(self.made) == BURST:
            self.all_made.set()

    def eof_received(self) -> bool:
        return False  # close when the client does


def open_burst(port: int) -> list[socket.socket]:
    """Connections the kernel completes on its own; they wait in the listen queue until
    the server accepts them."""
    return [socket.create_connection(("127.0.0.1", port)) for _ in range(BURST)]


def busy_turns(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """One callback per turn of the loop that takes a millisecond, like a busy service."""
    if stop.is_set():
        return
    Counted.turn += 1
    time.sleep(0.001)
    loop.call_soon(busy_turns, loop, stop)


def test_a_burst_of_connections_is_taken_in_within_a_few_turns_of_a_busy_loop() -> None:
    made: list[int] = []

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        assert isinstance(loop, AcceptAllLoop)
        all_made = asyncio.Event()
        server = await loop.create_server(
            lambda: Counted(made, all_made), "127.0.0.1", 0, backlog=BURST
        )
        assert isinstance(server, DrainingServer)
        port = server.sockets[0].getsockname()[1]
        stop = asyncio.Event()
        busy_turns(loop, stop)
        clients = open_burst(port)  # the loop is held here, so all wait in the queue
        await asyncio.wait_for(all_made.wait(), timeout=30)
        stop.set()
        for client in clients:
            client.close()
        server.close()
        await server.wait_closed()

    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(scenario())
    # one per turn would spread them over a hundred turns
    assert len(made) == BURST
    assert max(made) - min(made) <= 3, f"taken in over {max(made) - min(made)} turns"


def test_it_serves_on_a_socket_it_is_given_and_stops_listening_when_closed() -> None:
    """uvicorn's path with several workers: the socket is bound before the loop starts."""

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]

        class Echo(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                self.transport = transport

            def data_received(self, data: bytes) -> None:
                self.transport.write(data)  # type: ignore[attr-defined]

        server = await loop.create_server(Echo, sock=listener)
        assert server.is_serving()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"ping")
        assert await reader.readexactly(4) == b"ping"
        server.close()
        await server.wait_closed()
        assert not server.is_serving()
        writer.write(b"still")  # a connection it had stays open
        assert await reader.readexactly(5) == b"still"
        writer.close()
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", port)

    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(scenario())


def test_host_and_socket_together_are_refused_like_asyncio_does() -> None:
    async def scenario() -> None:
        with socket.socket() as listener, pytest.raises(ValueError, match="at the same time"):
            await asyncio.get_running_loop().create_server(  # type: ignore[call-overload]
                asyncio.Protocol, "127.0.0.1", 0, sock=listener
            )

    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(scenario())


APP = """
import asyncio

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["path"] == "/slow":
        await asyncio.sleep(1.0)
    body = type(asyncio.get_running_loop()).__name__.encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})
"""


def test_the_launch_command_runs_uvicorn_on_it_and_shuts_down_gracefully(
    tmp_path: Path,
) -> None:
    """The dev runner's command (the image's is checked against it in tests/deploy): the
    loop is this one, a request in flight at SIGTERM is answered, then the port closes."""
    sys.path.insert(0, str(REPO / "deploy" / "devstack"))
    from processes import uvicorn_argv

    (tmp_path / "loop_app.py").write_text(textwrap.dedent(APP))
    port = free_port()
    argv = uvicorn_argv("loop_app:app", port)
    argv.remove("--factory")
    server = subprocess.Popen(
        [sys.executable, "-m", *argv, "--app-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(url, timeout=5)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.1)
        assert answer.text == "AcceptAllLoop"

        async def during_shutdown() -> httpx.Response:
            async with httpx.AsyncClient(base_url=url, timeout=10) as client:
                pending = asyncio.ensure_future(client.get("/slow"))
                await asyncio.sleep(0.3)
                os.kill(server.pid, signal.SIGTERM)
                return await pending

        answered = asyncio.run(during_shutdown())
        assert answered.status_code == 200
        # uvicorn ends by raising the signal again, once it has shut down
        assert server.wait(timeout=20) == -signal.SIGTERM
        assert server.stdout is not None
        log = server.stdout.read().decode()
        assert "Waiting for connections to close" in log and "Finished server process" in log
        with pytest.raises(httpx.ConnectError):
            httpx.get(url, timeout=2)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


OUT_OF_DESCRIPTORS = """
import asyncio, os, resource, sys
from checkin_shared import accept_loop

accept_loop.PAUSE_WHEN_EXHAUSTED_SECONDS = 0.2


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Echo, "127.0.0.1", 0, backlog=100)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    room = len(os.listdir("/proc/self/fd")) + 3  # three connections at most
    resource.setrlimit(resource.RLIMIT_NOFILE, (room, hard))
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.sleep(60)


with asyncio.Runner(loop_factory=accept_loop.new_event_loop) as runner:
    runner.run(main())
"""


def test_out_of_file_descriptors_it_pauses_and_then_accepts_again(tmp_path: Path) -> None:
    """accept() failing with EMFILE: logged, a pause (not a loop spinning on a listening
    socket that stays readable), and connections are taken again once descriptors free."""
    script = tmp_path / "out_of_descriptors.py"
    script.write_text(OUT_OF_DESCRIPTORS)
    errors = tmp_path / "stderr.txt"
    with errors.open("wb") as stderr:
        server = subprocess.Popen(
            [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=stderr
        )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(10)]
        time.sleep(1.0)  # five pauses' worth with the server out of descriptors
        for client in held:
            client.close()  # the server's ends close, its descriptors come back
        deadline = time.monotonic() + 10
        while True:
            with socket.create_connection(("127.0.0.1", port)) as client:
                client.settimeout(0.5)
                client.sendall(b"ping")
                try:
                    if client.recv(4) == b"ping":
                        break
                except TimeoutError:
                    pass
            assert time.monotonic() < deadline, "never accepted again"
        assert server.poll() is None
    finally:
        server.kill()
        server.wait()
    log = errors.read_text()
    pauses = log.count("cannot accept connections (Too many open files); pausing")
    assert 1 <= pauses <= 30, log[-2000:]

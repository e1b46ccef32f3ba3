"""The machine's ceiling for a Python web process: a bare ASGI hello under uvicorn
(uvloop + httptools, like the services), served by `bench/benchmark.py`."""


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"hello":"world"}'})

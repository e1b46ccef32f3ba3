"""`make dev`'s stand-in for the shop's own systems (never part of the product): its
sign-in (an OIDC issuer: discovery, JWKS, and `GET /id-token?sub=&email=&name=` handing
out ID tokens, as the shop's login page would after a real sign-in) and a receiver for
the webhooks we send (`POST /hooks`, each body appended to `<state>/shop-hooks.jsonl`)."""

import argparse
import json
from pathlib import Path

import uvicorn
from checkin_testkit.oidc import TestIssuer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Mount, Route

AUDIENCE = "checkin-demo"


def app(issuer: TestIssuer, hooks: Path) -> Starlette:
    async def id_token(request: Request) -> PlainTextResponse:
        query = request.query_params
        token = issuer.id_token(
            sub=query.get("sub", "demo-shopper"),
            email=query.get("email", "shopper@example.com"),
            name=query.get("name", "Demo Shopper"),
            audience=AUDIENCE,
        )
        return PlainTextResponse(token)

    async def received(request: Request) -> JSONResponse:
        event = await request.json()
        with hooks.open("a") as out:
            out.write(json.dumps(event) + "\n")
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/id-token", id_token),
            Route("/hooks", received, methods=["POST"]),
            Mount("/", app=issuer.app()),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path, required=True)
    args = parser.parse_args()
    issuer = TestIssuer()
    issuer.url = f"http://127.0.0.1:{args.port}"
    uvicorn.run(
        app(issuer, args.state / "shop-hooks.jsonl"),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
    )


if __name__ == "__main__":
    main()

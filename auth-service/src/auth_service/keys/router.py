from typing import Any

from fastapi import APIRouter, Request, Response

router = APIRouter(prefix="/auth", tags=["keys"])


@router.get("/.well-known/jwks.json", summary="Public keys that verify access tokens")
async def jwks(request: Request, response: Response) -> dict[str, Any]:
    response.headers["Cache-Control"] = "public, max-age=60"
    keys: dict[str, Any] = request.app.state.signing_keys.jwks()
    return keys

import uuid
from datetime import datetime
from typing import Annotated, Literal

from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Scope = Literal["purchases:write", "purchases:read"]
KeyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
KEY_EXAMPLE = {
    "id": "3d0e2f4a-1b2c-4d5e-8f90-a1b2c3d4e5f6",
    "name": "order system",
    "scopes": ["purchases:write"],
    "created_at": "2026-11-30T10:00:00+09:00",
    "last_used_at": None,
}


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=example({"name": "order system", "scopes": ["purchases:write"]}),
    )

    name: KeyName
    scopes: list[Scope] = Field(min_length=1, max_length=2)


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(json_schema_extra=example(KEY_EXAMPLE))

    id: uuid.UUID
    name: str
    scopes: list[Scope]
    created_at: datetime
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    model_config = ConfigDict(
        json_schema_extra=example(
            {**KEY_EXAMPLE, "key": "ck_Yb3v9QkQe2h1m0vGf4S7p8T1r2W5x6Z9a0b1c2d3e4f"}
        )
    )

    key: str = Field(description="The key itself: shown only now, never again")


class ApiKeyList(BaseModel):
    model_config = ConfigDict(json_schema_extra=example({"items": [KEY_EXAMPLE]}))

    items: list[ApiKeyRead]

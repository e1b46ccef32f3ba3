from typing import Literal

from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict, Field


class LoginRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example({"email": "kim@example.com", "password": "check in 2026!"}),
        extra="forbid",
    )

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example({"refresh_token": "rt_3q2-7f1c2a9e8b7d4c3e.Jx8c1VmQ0bLz"}),
        extra="forbid",
    )

    refresh_token: str = Field(min_length=1, max_length=200)


class TokenPair(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "access_token": "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiI2ZjFk...",
                "refresh_token": "rt_3q2-7f1c2a9e8b7d4c3e.Jx8c1VmQ0bLz",
                "token_type": "bearer",
                "expires_in": 900,
            }
        )
    )

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (a scheme, not a secret)
    expires_in: int = Field(description="Seconds until the access token expires")

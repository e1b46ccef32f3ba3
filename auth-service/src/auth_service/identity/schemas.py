import uuid
from datetime import datetime
from typing import Annotated, Literal

from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from auth_service.sessions.schemas import TokenPair

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Claim = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
# RFC 8693 token type names (not secrets)
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105
AccessTokenType = Literal["urn:ietf:params:oauth:token-type:access_token"]
ACCESS_TOKEN_TYPE: AccessTokenType = "urn:ietf:params:oauth:token-type:access_token"  # noqa: S105
PROVIDER_EXAMPLE = {
    "id": "9b2f6c1d-4e3a-4b5c-8d7e-6f5a4b3c2d1e",
    "name": "Seoul Mart accounts",
    "issuer": "https://login.shop.example",
    "audience": "checkin-rewards",
    "jwks_uri": "https://login.shop.example/.well-known/jwks.json",
    "email_claim": "email",
    "name_claim": "name",
    "created_at": "2026-11-30T10:00:00+09:00",
}


class IdentityProviderCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=example(
            {
                "name": "Seoul Mart accounts",
                "issuer": "https://login.shop.example",
                "audience": "checkin-rewards",
            }
        ),
    )

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    issuer: Text = Field(description="Exactly the `iss` of its ID tokens")
    audience: Text = Field(description="The `aud` its ID tokens carry for this system")
    jwks_uri: Text | None = Field(
        None, description="Else read from `{issuer}/.well-known/openid-configuration`"
    )
    email_claim: Claim = "email"
    name_claim: Claim = "name"


class IdentityProviderRead(BaseModel):
    model_config = ConfigDict(json_schema_extra=example(PROVIDER_EXAMPLE))

    id: uuid.UUID
    name: str
    issuer: str
    audience: str
    jwks_uri: str
    email_claim: str
    name_claim: str
    created_at: datetime


class IdentityProviderList(BaseModel):
    model_config = ConfigDict(json_schema_extra=example({"items": [PROVIDER_EXAMPLE]}))

    items: list[IdentityProviderRead]


class TokenExchange(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=example(
            {
                "subject_token": "eyJhbGciOiJSUzI1NiIsImtpZCI6InNob3AtMSJ9...",
                "subject_token_type": ID_TOKEN_TYPE,
            }
        ),
    )

    subject_token: str = Field(min_length=1, max_length=16_384)
    subject_token_type: Literal[
        "urn:ietf:params:oauth:token-type:id_token", "urn:ietf:params:oauth:token-type:jwt"
    ]


class ExchangedTokens(TokenPair):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "access_token": "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiI2ZjFk...",
                "refresh_token": "rt_3q2-7f1c2a9e8b7d4c3e.Jx8c1VmQ0bLz",
                "token_type": "bearer",
                "expires_in": 900,
                "issued_token_type": ACCESS_TOKEN_TYPE,
                "account_created": True,
            }
        )
    )

    issued_token_type: AccessTokenType = ACCESS_TOKEN_TYPE
    account_created: bool = Field(description="This sign-in made the account")

import uuid
from datetime import datetime
from typing import Annotated, Literal

from checkin_shared.locales import Locale
from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from auth_service.users.passwords import MAX_LENGTH, MIN_LENGTH

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Role = Literal["shopper", "support", "admin"]


class UserCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "email": "kim@example.com",
                "password": "check in 2026!",
                "name": "Kim Minji",
                "locale": "ko",
            }
        ),
        extra="forbid",
    )

    email: EmailStr
    password: str = Field(
        min_length=1,
        max_length=1024,
        description="10 to 128 characters, letters mixed with digits or symbols, not "
        "containing the email's name (else 422 `weak_password`)",
        json_schema_extra={"minLength": MIN_LENGTH, "maxLength": MAX_LENGTH},
    )
    name: Name
    locale: Locale | None = Field(
        None, description="The language of mails; else from Accept-Language; else the shop's"
    )


class UserRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "id": "6f1d2c3b-9a8e-4f7d-b6c5-a4e3d2c1b0a9",
                "email": "kim@example.com",
                "name": "Kim Minji",
                "role": "shopper",
                "locale": "ko",
            }
        )
    )

    id: uuid.UUID
    email: str
    name: str
    role: Role
    locale: Locale | None = None


class MeRead(UserRead):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "id": "6f1d2c3b-9a8e-4f7d-b6c5-a4e3d2c1b0a9",
                "email": "kim@example.com",
                "name": "Kim Minji",
                "role": "shopper",
                "locale": "ko",
                "eligible": True,
            }
        )
    )

    eligible: bool = Field(description="The shopper has at least one purchase")


class AdminUserRead(MeRead):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "id": "6f1d2c3b-9a8e-4f7d-b6c5-a4e3d2c1b0a9",
                "email": "kim@example.com",
                "name": "Kim Minji",
                "role": "shopper",
                "locale": "ko",
                "eligible": True,
                "created_at": "2026-11-01T10:00:00+09:00",
            }
        )
    )

    created_at: datetime


class RoleChange(BaseModel):
    model_config = ConfigDict(json_schema_extra=example({"role": "support"}), extra="forbid")

    role: Role = Field(
        description="`support` reads every admin view and changes fulfilment; `admin` "
        "everything. Takes effect at the account's next sign-in or token refresh."
    )

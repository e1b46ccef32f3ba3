import uuid
from datetime import datetime
from typing import Annotated, Literal

from checkin_shared.locales import Locale
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from auth_service.users.passwords import MAX_LENGTH, MIN_LENGTH

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Role = Literal["shopper", "admin"]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

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
    id: uuid.UUID
    email: str
    name: str
    role: Role
    locale: Locale | None = None


class MeRead(UserRead):
    eligible: bool = Field(description="The shopper has at least one purchase")


class AdminUserRead(MeRead):
    created_at: datetime

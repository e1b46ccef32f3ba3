import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Role = Literal["shopper", "admin"]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: str = Field(min_length=1, max_length=1024)
    name: Name


class UserRead(BaseModel):
    id: uuid.UUID
    email: str
    name: str
    role: Role


class MeRead(UserRead):
    eligible: bool = Field(description="The shopper has at least one purchase")


class AdminUserRead(MeRead):
    created_at: datetime

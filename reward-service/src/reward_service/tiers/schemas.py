import uuid
from typing import Annotated, Literal

from checkin_shared.openapi_examples import example
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, model_validator

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Kind = Literal["points", "item"]
Rule = Literal["cumulative", "consecutive", "every_n_days"]
Grant = Literal["claim", "auto"]
RULE_HELP = (
    "`cumulative` (default): `required_days` days in the window; `consecutive`: a run of "
    "`required_days` days in a row in the window; `every_n_days`: once per `required_days` "
    "days, again and again"
)
MAX_DAILY_LIMIT = 1_000_000
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
ImageUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=1000, pattern=r"^(https://\S+)?$"),
]
MAX_STOCK = 10_000_000


class TierCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "name": "Wireless earphones",
                "required_days": 15,
                "kind": "item",
                "stock": 50,
                "low_stock_threshold": 10,
                "description": "Bluetooth 5.3, 30 h battery",
                "image_url": "https://shop.example/img/earphones.png",
            }
        ),
        extra="forbid",
    )

    name: Name
    required_days: int = Field(ge=1, le=3660)
    kind: Kind
    points: int | None = Field(default=None, ge=1, le=100_000_000)
    stock: int = Field(ge=0, le=MAX_STOCK)
    low_stock_threshold: int = Field(default=0, ge=0, le=MAX_STOCK)
    description: Description | None = None
    image_url: ImageUrl | None = Field(None, description="An https image shown with the tier")
    rule: Rule = Field("cumulative", description=RULE_HELP)
    daily_limit: int | None = Field(
        None, ge=1, le=MAX_DAILY_LIMIT, description="At most this many claims per business day"
    )
    grant: Grant = Field(
        "claim",
        description="`claim`: the shopper claims it; `auto` (points tiers only): credited by "
        "the check-in that reaches it, exactly once (each time, for `every_n_days`)",
    )

    @model_validator(mode="after")
    def _points_match_kind(self) -> "TierCreate":
        if self.grant == "auto" and self.kind != "points":
            raise ValueError("only a points tier is granted automatically")
        if self.kind == "points" and self.points is None:
            raise ValueError("a points tier needs `points`")
        if self.kind == "item" and self.points is not None:
            raise ValueError("an item tier has no `points`")
        return self


class TierUpdate(BaseModel):
    """Stock is changed through stock adjustments (audited), not here."""

    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "name": "Wireless earphones (white)",
                "low_stock_threshold": 5,
                "active": True,
                "description": "Bluetooth 5.3, 30 h battery",
                "image_url": "https://shop.example/img/earphones.png",
            }
        ),
        extra="forbid",
    )

    name: Name | None = None
    required_days: int | None = Field(default=None, ge=1, le=3660)
    points: int | None = Field(default=None, ge=1, le=100_000_000)
    low_stock_threshold: int | None = Field(default=None, ge=0, le=MAX_STOCK)
    active: StrictBool | None = Field(
        None, description="false retires the tier: hidden from shoppers, claims refused"
    )
    description: Description | None = Field(None, description='"" removes it')
    image_url: ImageUrl | None = Field(None, description='"" removes it')
    daily_limit: int | None = Field(
        None, ge=0, le=MAX_DAILY_LIMIT, description="Claims per business day; 0 removes it"
    )


class TierRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "id": "5e2d1c0b-8a7f-4e6d-9c5b-4a3f2e1d0c9b",
                "name": "Wireless earphones",
                "required_days": 15,
                "kind": "item",
                "points": None,
                "stock": 50,
                "low_stock_threshold": 10,
                "active": True,
                "description": "Bluetooth 5.3, 30 h battery",
                "image_url": "https://shop.example/img/earphones.png",
                "rule": "cumulative",
                "daily_limit": None,
                "grant": "claim",
            }
        )
    )

    id: uuid.UUID
    name: str
    required_days: int
    kind: Kind
    points: int | None
    stock: int
    low_stock_threshold: int
    active: bool
    description: str | None
    image_url: str | None
    rule: Rule
    daily_limit: int | None
    grant: Grant


class TierList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra=example(
            {
                "items": [
                    {
                        "id": "5e2d1c0b-8a7f-4e6d-9c5b-4a3f2e1d0c9b",
                        "name": "Wireless earphones",
                        "required_days": 15,
                        "kind": "item",
                        "points": None,
                        "stock": 50,
                        "low_stock_threshold": 10,
                        "active": True,
                        "description": None,
                        "image_url": None,
                        "rule": "cumulative",
                        "daily_limit": None,
                        "grant": "claim",
                    },
                    {
                        "id": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                        "name": "100 points every 3 days",
                        "required_days": 3,
                        "kind": "points",
                        "points": 100,
                        "stock": 100000,
                        "low_stock_threshold": 0,
                        "active": True,
                        "description": None,
                        "image_url": None,
                        "rule": "every_n_days",
                        "daily_limit": 500,
                        "grant": "auto",
                    },
                ],
                "next_cursor": None,
            }
        )
    )

    items: list[TierRead]
    next_cursor: str | None = None

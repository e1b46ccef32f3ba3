from checkin_shared.locales import Locale
from pydantic import BaseModel, ConfigDict, Field, StrictBool


class Preferences(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reminders": False, "locale": "en"}]}
    )

    reminders: StrictBool = Field(description="The daily reminder mail")
    locale: Locale | None = Field(
        None,
        description="The language of your mails; left out or null: unchanged (the language "
        "of sign-up, else the shop's)",
    )


class Unsubscribed(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reminders": False}]})

    reminders: bool

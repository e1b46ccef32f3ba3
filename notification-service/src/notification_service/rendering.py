"""Message templates are files: `templates/<locale>/<kind>.{subject,txt,html}` (Jinja2),
each body inside the shop's layout (`templates/_layout.{txt,html}`: logo or shop name,
the event page link, a footer)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkin_shared.locales import LOCALES
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATE_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Branding:
    shop_name: str
    event_page_url: str | None = None
    logo_url: str | None = None


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class Templates:
    def __init__(self, locale: str, branding: Branding | None = None) -> None:
        """`locale`: the shop's language, for admins and shoppers who chose none."""
        self.locale = locale
        self.branding = branding or Branding(shop_name="Check-in Rewards")
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATE_DIR),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            keep_trailing_newline=False,
        )

    def render(self, kind: str, *, locale: str | None = None, **context: Any) -> Rendered:
        language = locale if locale in LOCALES else self.locale
        values = {"brand": self.branding, "locale": language, **context}

        def one(ext: str) -> str:
            template = self._env.get_template(f"{language}/{kind}.{ext}")
            return template.render(**values).strip()

        return Rendered(subject=one("subject"), text=one("txt"), html=one("html"))

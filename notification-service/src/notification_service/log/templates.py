"""Message templates are files: `templates/<locale>/<kind>.{subject,txt,html}` (Jinja2)."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATE_DIR = Path(__file__).parents[1] / "templates"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class Templates:
    def __init__(self, locale: str) -> None:
        self.locale = locale
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATE_DIR),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            keep_trailing_newline=False,
        )

    def render(self, kind: str, **context: Any) -> Rendered:
        def one(ext: str) -> str:
            return self._env.get_template(f"{self.locale}/{kind}.{ext}").render(**context).strip()

        return Rendered(subject=one("subject"), text=one("txt"), html=one("html"))

"""The languages messages are written in, and picking one from `Accept-Language`."""

from typing import Literal, get_args

Locale = Literal["ko", "en"]
LOCALES: tuple[str, ...] = get_args(Locale)


def from_accept_language(header: str | None) -> Locale | None:
    """The supported language the client prefers most (RFC 9110 quality values), if any.
    `en-US` counts as `en`; `*` and unknown languages pick nothing."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = tag.strip().split("-", 1)[0].lower()
        if language in LOCALES and quality > 0:
            ranked.append((-quality, position, language))
    if not ranked:
        return None
    best: Locale = min(ranked)[2]  # type: ignore[assignment]
    return best

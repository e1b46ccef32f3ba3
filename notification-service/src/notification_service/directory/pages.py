"""The two small pages of the unsubscribe link, in the shopper's language."""

from html import escape

TEXTS = {
    "en": {
        "title": "Daily reminders",
        "ask": "Stop the daily check-in reminder mails from {shop}?",
        "button": "Stop the reminders",
        "done": "Done: you will get no more daily reminders from {shop}. "
        "You can turn them on again in your notification settings.",
    },
    "ko": {
        "title": "매일 출석 알림",
        "ask": "{shop}의 매일 출석 알림 메일을 그만 받으시겠어요?",
        "button": "알림 그만 받기",
        "done": "완료되었습니다. 이제 {shop}의 매일 출석 알림을 보내 드리지 않습니다. "
        "알림 설정에서 다시 켤 수 있습니다.",
    },
}


def _page(locale: str, body: str) -> str:
    texts = TEXTS[locale]
    return (
        f'<!doctype html><html lang="{locale}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(texts['title'])}</title></head>"
        f'<body style="font-family: sans-serif; max-width: 32rem; margin: 2rem auto;">'
        f"{body}</body></html>"
    )


def confirm_page(locale: str, shop: str, token: str) -> str:
    """A GET only asks (mail scanners follow links); the button POSTs."""
    texts = TEXTS[locale]
    return _page(
        locale,
        f"<p>{escape(texts['ask'].format(shop=shop))}</p>"
        f'<form method="post" action="?token={escape(token, quote=True)}">'
        f'<button type="submit">{escape(texts["button"])}</button></form>',
    )


def done_page(locale: str, shop: str) -> str:
    return _page(locale, f"<p>{escape(TEXTS[locale]['done'].format(shop=shop))}</p>")

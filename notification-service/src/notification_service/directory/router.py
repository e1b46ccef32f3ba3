"""A shopper's own preferences, and the one-click unsubscribe that needs no sign-in."""

import uuid
from typing import Annotated

from checkin_shared.errors import ProblemError
from checkin_shared.security import CurrentUser
from checkin_shared.state import from_state
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from notification_service.dependencies import ClockDep
from notification_service.directory import pages, service
from notification_service.directory.links import LinkSigner
from notification_service.directory.models import Contact
from notification_service.directory.schemas import Preferences, Unsubscribed
from notification_service.rendering import Templates

router = APIRouter(prefix="/notifications", tags=["notifications"])
LinksDep = Annotated[LinkSigner, Depends(from_state("links"))]
TemplatesDep = Annotated[Templates, Depends(from_state("templates"))]
TokenQuery = Annotated[
    str,
    Query(
        min_length=1,
        max_length=200,
        description="The signed token from the reminder mail's link",
        examples=["0b5f0c1a9a3e4e43b6c7a3d3f8e2a111.q2Yl6ZqT0l1v7VwX8r3n9g"],
    ),
]
INVALID_LINK = "invalid_link"


def _verified(links: LinkSigner, token: str) -> uuid.UUID:
    user_id = links.verify(token)
    if user_id is None:
        raise ProblemError(
            400,
            INVALID_LINK,
            "Invalid link",
            "This unsubscribe link is not one we sent; use the link in the mail as it is, "
            "or turn reminders off in your notification settings",
        )
    return user_id


async def _locale(session: SessionDep, user_id: uuid.UUID, templates: Templates) -> str:
    contact = await service.find(session, user_id)
    return (contact.locale if contact else None) or templates.locale


def _preferences(contact: Contact) -> Preferences:
    return Preferences.model_validate({"reminders": contact.reminders, "locale": contact.locale})


@router.get("/me/preferences", summary="My reminder and language preferences")
async def get_preferences(
    principal: CurrentUser, session: SessionDep, templates: TemplatesDep
) -> Preferences:
    """Reminders are on until turned off; the language is the one of sign-up, else the shop's."""
    contact = await service.find(session, principal.user_id)
    if contact is None:
        return Preferences(reminders=True, locale=None)
    return _preferences(contact)


@router.put("/me/preferences", summary="Turn the daily reminder on or off; choose the language")
async def set_preferences(
    body: Preferences, principal: CurrentUser, session: SessionDep, clock: ClockDep
) -> Preferences:
    """`reminders` is required; `locale` (`ko`, `en`) changes the language of later mails."""
    contact = await service.set_preferences(
        session,
        user_id=principal.user_id,
        reminders=body.reminders,
        locale=body.locale,
        now=clock.now(),
    )
    return _preferences(contact)


@router.get(
    "/unsubscribe",
    summary="The reminder mail's unsubscribe link: a page that asks",
    response_class=HTMLResponse,
    responses={
        200: {"content": {"text/html": {"example": "<!doctype html>...<form method=post>..."}}},
        400: {"description": INVALID_LINK},
    },
)
async def unsubscribe_page(
    token: TokenQuery, links: LinksDep, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    """No sign-in: the token is the shopper's. Changes nothing (mail scanners open links);
    its button sends the POST."""
    user_id = _verified(links, token)
    locale = await _locale(session, user_id, templates)
    return HTMLResponse(pages.confirm_page(locale, templates.branding.shop_name, token))


@router.post(
    "/unsubscribe",
    summary="One-click unsubscribe from the daily reminders (RFC 8058)",
    responses={
        200: {
            "content": {
                "application/json": {"example": {"reminders": False}},
                "text/html": {"example": "<!doctype html>...Done..."},
            }
        },
        400: {"description": INVALID_LINK},
    },
)
async def unsubscribe(
    token: TokenQuery,
    request: Request,
    links: LinksDep,
    session: SessionDep,
    templates: TemplatesDep,
    clock: ClockDep,
) -> Response:
    """What a mail client's one-click sends (`List-Unsubscribe=One-Click` as a form body,
    ignored) and the page's button: reminders off, at once. Answers HTML to a browser."""
    user_id = _verified(links, token)
    contact = await service.set_preferences(
        session,
        user_id=user_id,
        reminders=False,
        now=clock.now(),
    )
    if "text/html" in request.headers.get("accept", ""):
        locale = contact.locale or templates.locale
        return HTMLResponse(pages.done_page(locale, templates.branding.shop_name))
    return Response(Unsubscribed(reminders=False).model_dump_json(), media_type="application/json")

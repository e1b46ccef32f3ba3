"""Identity providers (registered by admins, with discovery) and the token exchange: a
verified ID token becomes our token pair, for the account keyed by (provider, `sub`),
made on first sight. Helpers flush; the unit of work commits."""

import json
import uuid
from datetime import datetime
from typing import Any

import httpx
from checkin_shared.errors import ProblemError
from checkin_shared.events.contracts import UserProfileChangedV1
from checkin_shared.events.outbox import add_event
from checkin_shared.outbound_urls import check_outbound_url
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.accounts import service as accounts
from auth_service.db import OUTBOX
from auth_service.identity.schemas import IdentityProviderCreate
from auth_service.identity.verify import VerifiedIdToken
from auth_service.users.models import Account, IdentityProvider
from auth_service.users.service import find_by_email, normalize_email


async def discover_jwks_uri(client: httpx.AsyncClient, issuer: str, *, allow_loopback: bool) -> str:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    await check_outbound_url(url, allow_loopback=allow_loopback)
    try:
        response = await client.get(url, timeout=5)
        response.raise_for_status()
        document: Any = json.loads(response.content)
        jwks_uri = document["jwks_uri"]
        found_issuer = document.get("issuer", issuer)
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise ProblemError(
            422,
            "discovery_failed",
            "Discovery failed",
            f"No usable OpenID configuration at {url}: {exc!r}; give jwks_uri instead",
        ) from None
    if found_issuer != issuer or not isinstance(jwks_uri, str):
        raise ProblemError(
            422,
            "discovery_failed",
            "Discovery failed",
            f"The configuration at {url} names another issuer ({found_issuer!r})",
        )
    return jwks_uri


async def register(
    session: AsyncSession,
    client: httpx.AsyncClient,
    body: IdentityProviderCreate,
    *,
    allow_loopback: bool,
    now: datetime,
) -> IdentityProvider:
    jwks_uri = body.jwks_uri or await discover_jwks_uri(
        client, body.issuer, allow_loopback=allow_loopback
    )
    await check_outbound_url(jwks_uri, allow_loopback=allow_loopback)
    provider = (
        await session.execute(
            insert(IdentityProvider)
            .values(
                id=uuid.uuid4(),
                name=body.name,
                issuer=body.issuer,
                audience=body.audience,
                jwks_uri=jwks_uri,
                email_claim=body.email_claim,
                name_claim=body.name_claim,
                created_at=now,
            )
            .on_conflict_do_nothing()
            .returning(IdentityProvider)
        )
    ).scalar_one_or_none()
    if provider is None:
        raise ProblemError(
            409, "issuer_exists", "Issuer exists", f"{body.issuer!r} is registered already"
        )
    return provider


async def all_providers(session: AsyncSession) -> list[IdentityProvider]:
    rows = await session.execute(select(IdentityProvider).order_by(IdentityProvider.created_at))
    return list(rows.scalars())


async def remove(session: AsyncSession, provider_id: uuid.UUID) -> None:
    """404 when unknown; 409 while accounts sign in with it (they would be locked out)."""
    in_use = await session.scalar(
        select(Account.id).where(Account.identity_provider_id == provider_id).limit(1)
    )
    if in_use is not None:
        raise ProblemError(
            409,
            "provider_in_use",
            "Provider in use",
            "Accounts sign in with this provider; it cannot be removed",
        )
    gone = await session.execute(
        delete(IdentityProvider)
        .where(IdentityProvider.id == provider_id)
        .returning(IdentityProvider.id)
    )
    if gone.scalar_one_or_none() is None:
        raise ProblemError(404, "provider_not_found", "Provider not found", "No such provider")


async def account_for(
    session: AsyncSession, verified: VerifiedIdToken, *, now: datetime
) -> tuple[Account, bool]:
    """The account of (provider, sub), made on first sight: (account, made now). A local
    account with the same email is taken over only when the provider vouches for the
    address (`email_verified`); else 409 `email_taken`."""
    provider, claims = verified.provider, verified.claims
    subject = str(claims["sub"])
    known = await _by_subject(session, provider.id, subject)
    if known is not None:
        await _follow_profile(session, known, verified, now=now)
        return known, False
    email = claims.get(provider.email_claim)
    if not isinstance(email, str) or "@" not in email:
        raise ProblemError(
            401,
            "invalid_token",
            "Invalid token",
            f"The ID token carries no email in {provider.email_claim!r}",
        )
    existing = await find_by_email(session, email)
    if existing is not None and (existing.identity_provider_id, existing.subject) == (
        provider.id,
        subject,
    ):
        return existing, False  # made a moment ago by a sign-in at the same time
    if existing is not None:
        if claims.get("email_verified") is True and existing.identity_provider_id is None:
            existing.identity_provider_id, existing.subject = provider.id, subject
            await session.flush()
            return existing, False
        raise ProblemError(409, "email_taken", "Email taken", "An account with this email exists")
    name = claims.get(provider.name_claim)
    try:
        made = await accounts.register(
            session,
            email=normalize_email(email),
            name=(name if isinstance(name, str) and name.strip() else email.split("@")[0])[:100],
            password_hash=None,
            role="shopper",
            now=now,
            locale=None,
            identity_provider_id=provider.id,
            subject=subject,
        )
    except ProblemError as refused:
        # Two first sign-ins at once: the other made it (its insert committed before ours
        # was refused); this one signs in to that account.
        made_meanwhile = await _by_subject(session, provider.id, subject)
        if refused.code != "email_taken" or made_meanwhile is None:
            raise
        return made_meanwhile, False
    return made, True


async def _follow_profile(
    session: AsyncSession, account: Account, verified: VerifiedIdToken, *, now: datetime
) -> None:
    """The shop's sign-in is the source of a shopper's name and email: a change there is
    taken here on the next sign-in and told to the other services. An email another
    account holds is not taken (the name still is)."""
    claims, provider = verified.claims, verified.provider
    name, email = claims.get(provider.name_claim), claims.get(provider.email_claim)
    changed = False
    if isinstance(name, str) and name.strip() and name.strip()[:100] != account.name:
        account.name, changed = name.strip()[:100], True
    if isinstance(email, str) and "@" in email:
        wanted = normalize_email(email)
        if (
            wanted != normalize_email(account.email)
            and await find_by_email(session, wanted) is None
        ):
            account.email, changed = wanted, True
    if changed:
        await session.flush()
        profile = UserProfileChangedV1(user_id=account.id, email=account.email, name=account.name)
        await add_event(session, OUTBOX, profile, occurred_at=now)


async def _by_subject(
    session: AsyncSession, provider_id: uuid.UUID, subject: str
) -> Account | None:
    found: Account | None = await session.scalar(
        select(Account).where(
            Account.identity_provider_id == provider_id, Account.subject == subject
        )
    )
    return found

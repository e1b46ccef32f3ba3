"""Sign-in with the shop's accounts: admins register its identity providers; a shopper's
client exchanges the provider's ID token for our token pair (RFC 8693 names)."""

import uuid

from checkin_shared import audit
from checkin_shared.security import AdminUser, StaffUser
from checkin_shared.state import from_state
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, Depends, Request, Response, status

from auth_service.db import AUDIT
from auth_service.dependencies import ClockDep, IssuerDep
from auth_service.identity import service
from auth_service.identity.jwks import JwksCache
from auth_service.identity.schemas import (
    ExchangedTokens,
    IdentityProviderCreate,
    IdentityProviderList,
    IdentityProviderRead,
    TokenExchange,
)
from auth_service.identity.verify import verify_id_token

router = APIRouter(prefix="/auth", tags=["shop integration"])


@router.post(
    "/admin/identity-providers",
    status_code=status.HTTP_201_CREATED,
    summary="Trust an OIDC issuer's ID tokens",
    responses={
        409: {"description": "issuer_exists"},
        422: {"description": "discovery_failed or url_not_allowed"},
    },
)
async def register_provider(
    body: IdentityProviderCreate,
    admin: AdminUser,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
) -> IdentityProviderRead:
    """Without `jwks_uri`, it is read from the issuer's discovery document. Both must be
    `https` on public addresses (422 `url_not_allowed`)."""
    settings = request.app.state.settings
    provider = await service.register(
        session,
        request.app.state.http,
        body,
        allow_loopback=settings.allow_loopback_urls,
        now=clock.now(),
    )
    read = IdentityProviderRead.model_validate(provider, from_attributes=True)
    await audit.record(
        session,
        AUDIT,
        actor_id=admin.user_id,
        action="identity_provider.created",
        target=f"identity_provider:{provider.id}",
        after=read.model_dump(mode="json"),
        at=clock.now(),
    )
    return read


@router.get("/admin/identity-providers", summary="The trusted identity providers")
async def list_providers(_: StaffUser, session: SessionDep) -> IdentityProviderList:
    """Each provider's issuer, audience, JWKS and claims."""
    providers = await service.all_providers(session)
    return IdentityProviderList(
        items=[IdentityProviderRead.model_validate(p, from_attributes=True) for p in providers]
    )


@router.delete(
    "/admin/identity-providers/{provider_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Stop trusting an identity provider",
    responses={404: {"description": "provider_not_found"}, 409: {"description": "provider_in_use"}},
)
async def remove_provider(
    provider_id: uuid.UUID, admin: AdminUser, session: SessionDep, clock: ClockDep
) -> Response:
    """Only while no account signs in with it (409 `provider_in_use`)."""
    await service.remove(session, provider_id)
    await audit.record(
        session,
        AUDIT,
        actor_id=admin.user_id,
        action="identity_provider.deleted",
        target=f"identity_provider:{provider_id}",
        at=clock.now(),
    )

    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/token-exchange",
    summary="Exchange the shop's ID token for our token pair",
    responses={
        401: {"description": "invalid_token"},
        409: {"description": "email_taken"},
        503: {"description": "identity_provider_unavailable"},
    },
)
async def token_exchange(
    body: TokenExchange,
    session: SessionDep,
    issuer: IssuerDep,
    clock: ClockDep,
    keys: JwksCache = Depends(from_state("jwks")),
) -> ExchangedTokens:
    """The ID token must come from a registered issuer, be signed with a key of its JWKS
    (RS/PS/ES/EdDSA; never `none` or HMAC), name our audience, be within its `nbf`..`exp`
    (a minute of clock skew) and carry a `sub`. The account is keyed by (issuer, `sub`)
    and made on first sight from the email and name claims; its orders already imported
    count at once."""
    settings = issuer.settings
    verified = await verify_id_token(
        session, keys, body.subject_token, leeway=settings.id_token_leeway_seconds
    )
    now = clock.now()
    account, created = await service.account_for(session, verified, now=now)
    pair = await issuer.new_pair(session, account, family_id=uuid.uuid4(), now=now)
    return ExchangedTokens(**pair.model_dump(), account_created=created)

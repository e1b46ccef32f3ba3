import uuid
from typing import Annotated

from checkin_shared.unit_of_work import SessionDep
from fastapi import Depends

from reward_service.tiers import service
from reward_service.tiers.models import Tier


async def valid_tier(tier_id: uuid.UUID, session: SessionDep) -> Tier:
    """The tier of the path, or 404 `tier_not_found`."""
    return await service.get(session, tier_id)


ValidTier = Annotated[Tier, Depends(valid_tier)]

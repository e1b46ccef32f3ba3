"""Points an admin granted or took back, told to the shop's webhooks."""

from typing import Any

from checkin_shared.events.contracts import RewardPointsChangedV1
from checkin_shared.events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from notification_service.shop_webhooks import service


async def on_points_changed(session: AsyncSession, envelope: Envelope, data: Any) -> None:
    assert isinstance(data, RewardPointsChangedV1)
    await service.tell(
        session,
        event_type="points.credited" if data.amount > 0 else "points.debited",
        event_id=envelope.id,
        occurred_at=envelope.occurred_at,
        data={
            "user_id": str(data.user_id),
            "amount": abs(data.amount),
            "reason": data.reason,
            "entry_id": str(data.entry_id),
        },
    )

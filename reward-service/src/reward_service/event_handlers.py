"""Every event the reward service consumes, and what handles it (its queue binds exactly
these types)."""

from checkin_shared.events.consumer import Batched, Handler
from checkin_shared.events.contracts import (
    AttendanceCheckedInV1,
    AttendanceMakeupAppliedV1,
    AttendanceMakeupRefusedV1,
)

from reward_service.claims.on_check_in import on_checked_in
from reward_service.points.makeups import on_makeup_applied, on_makeup_refused
from reward_service.projection.handlers import USER_HANDLERS

HANDLERS: dict[str, Handler | Batched] = {
    AttendanceCheckedInV1.event_type: Batched(on_checked_in),
    AttendanceMakeupAppliedV1.event_type: on_makeup_applied,
    AttendanceMakeupRefusedV1.event_type: on_makeup_refused,
    **USER_HANDLERS,
}

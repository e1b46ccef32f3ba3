"""The copies of who may claim and who shoppers are (user events). Check-in days
(attendance.checked_in.v1) are handled by `claims.on_check_in`: a new day may bring points
and automatic claims."""

from checkin_shared.events.consumer import Batched, Handler
from checkin_shared.events.eligibility import ELIGIBILITY_EVENT, eligibility_handler
from checkin_shared.events.people import people_handlers

from reward_service.db import ELIGIBILITY, PEOPLE

USER_HANDLERS: dict[str, Handler | Batched] = {
    ELIGIBILITY_EVENT: eligibility_handler(ELIGIBILITY),
    **people_handlers(PEOPLE),
}

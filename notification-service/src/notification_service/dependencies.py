"""Typed accessors for what the lifespan put on `app.state`."""

from typing import Annotated

from checkin_shared.clock import Clock
from checkin_shared.state import from_state
from fastapi import Depends

from notification_service.reminders.service import ReminderScheduler

ClockDep = Annotated[Clock, Depends(from_state("clock"))]
SchedulerDep = Annotated[ReminderScheduler, Depends(from_state("reminders"))]

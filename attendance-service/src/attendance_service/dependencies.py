"""Typed accessors for what the lifespan put on `app.state`."""

from typing import Annotated

from checkin_shared.clock import Clock
from checkin_shared.state import from_state
from fastapi import Depends

from attendance_service.config import AttendanceSettings

SettingsDep = Annotated[AttendanceSettings, Depends(from_state("settings"))]
ClockDep = Annotated[Clock, Depends(from_state("clock"))]

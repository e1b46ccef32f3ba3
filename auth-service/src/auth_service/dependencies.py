"""Typed accessors for what the app's lifespan put on `app.state`."""

from typing import Annotated

from checkin_shared.clock import Clock
from checkin_shared.state import from_state
from fastapi import Depends

from auth_service.sessions.service import Issuer
from auth_service.sessions.throttle import LoginThrottle
from auth_service.users.passwords import Passwords

PasswordsDep = Annotated[Passwords, Depends(from_state("passwords"))]
ClockDep = Annotated[Clock, Depends(from_state("clock"))]
ThrottleDep = Annotated[LoginThrottle, Depends(from_state("login_throttle"))]
IssuerDep = Annotated[Issuer, Depends(from_state("issuer"))]

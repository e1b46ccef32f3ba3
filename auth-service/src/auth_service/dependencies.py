"""Typed accessors for what the app's lifespan put on `app.state`."""

from typing import Annotated

from checkin_shared.clock import Clock
from checkin_shared.state import from_state
from fastapi import Depends

from auth_service.config import AuthSettings
from auth_service.keys.signing import SigningKeys
from auth_service.sessions.service import Issuer
from auth_service.sessions.throttle import LoginThrottle
from auth_service.users.passwords import Passwords

SettingsDep = Annotated[AuthSettings, Depends(from_state("settings"))]
PasswordsDep = Annotated[Passwords, Depends(from_state("passwords"))]
ClockDep = Annotated[Clock, Depends(from_state("clock"))]
SigningKeysDep = Annotated[SigningKeys, Depends(from_state("signing_keys"))]
ThrottleDep = Annotated[LoginThrottle, Depends(from_state("login_throttle"))]
IssuerDep = Annotated[Issuer, Depends(from_state("issuer"))]

"""Typed accessors for what the app's lifespan put on `app.state`."""

from typing import Annotated

from checkin_shared.clock import Clock
from fastapi import Depends, Request

from auth_service.config import AuthSettings
from auth_service.keys.signing import SigningKeys
from auth_service.sessions.service import Issuer
from auth_service.sessions.throttle import LoginThrottle
from auth_service.users.passwords import Passwords


def _settings(request: Request) -> AuthSettings:
    settings: AuthSettings = request.app.state.settings
    return settings


def _passwords(request: Request) -> Passwords:
    passwords: Passwords = request.app.state.passwords
    return passwords


def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def _signing_keys(request: Request) -> SigningKeys:
    keys: SigningKeys = request.app.state.signing_keys
    return keys


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


SettingsDep = Annotated[AuthSettings, Depends(_settings)]
PasswordsDep = Annotated[Passwords, Depends(_passwords)]
ClockDep = Annotated[Clock, Depends(_clock)]
SigningKeysDep = Annotated[SigningKeys, Depends(_signing_keys)]
ThrottleDep = Annotated[LoginThrottle, Depends(_throttle)]


def _issuer(request: Request) -> Issuer:
    issuer: Issuer = request.app.state.issuer
    return issuer


IssuerDep = Annotated[Issuer, Depends(_issuer)]

"""Check-ins counted by outcome: `checked_in`, or the refusal's problem code."""

from fastapi import Request
from prometheus_client import Counter

CHECK_INS = Counter("checkins_total", "Check-in requests by outcome", ["outcome"])


def count_check_in(_: Request, outcome: str) -> None:
    CHECK_INS.labels(outcome).inc()

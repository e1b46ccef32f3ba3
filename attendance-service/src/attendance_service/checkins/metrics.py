"""Check-ins counted by outcome: `checked_in`, or the refusal's problem code."""

from prometheus_client import Counter

CHECK_INS = Counter("checkins_total", "Check-in requests by outcome", ["outcome"])

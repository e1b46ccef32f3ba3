"""Claims counted by tier and outcome: `granted`, `replayed` (an Idempotency-Key retry
answered from its record), or the refusal's problem code."""

import uuid

from fastapi import Request
from prometheus_client import Counter

CLAIMS = Counter("reward_claims_total", "Claim requests by tier and outcome", ["tier", "outcome"])


def count_claim(request: Request, outcome: str) -> None:
    """The claim route's outcome recorder (its unit of work calls it after the commit)."""
    tier = "unknown"
    if outcome != "tier_not_found":
        try:
            tier = str(uuid.UUID(str(request.path_params.get("tier_id"))))
        except ValueError:
            tier = "unknown"
    CLAIMS.labels(tier, outcome).inc()

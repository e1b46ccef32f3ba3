"""Claims counted by tier and outcome: `granted`, `replayed` (an Idempotency-Key retry
answered from its record), or the refusal's problem code."""

import uuid

from prometheus_client import Counter

CLAIMS = Counter("reward_claims_total", "Claim requests by tier and outcome", ["tier", "outcome"])


def count_claim(tier_id: uuid.UUID, outcome: str) -> None:
    tier = "unknown" if outcome == "tier_not_found" else str(tier_id)
    CLAIMS.labels(tier, outcome).inc()

"""Events between services: contracts, outbox (producing), inbox (consuming)."""

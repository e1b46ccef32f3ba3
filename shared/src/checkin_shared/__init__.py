"""Cross-cutting code shared by the check-in services (no domain rules, no ORM models)."""

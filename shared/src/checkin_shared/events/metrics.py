"""Metrics of the event flow, labelled by service."""

from prometheus_client import Counter, Gauge

OUTBOX_PENDING = Gauge("outbox_pending_events", "Events written but not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "outbox_oldest_pending_age_seconds", "Age of the oldest unpublished event", ["service"]
)
EVENTS_PUBLISHED = Counter(
    "events_published_total", "Events confirmed by the broker", ["service", "type"]
)
EVENTS_PUBLISH_FAILED = Counter(
    "events_publish_failed_total", "Publish attempts that failed (retried later)", ["service"]
)
EVENTS_CONSUMED = Counter(
    "events_consumed_total",
    "Messages a consumer finished, by outcome: handled, duplicate, retried, parked",
    ["service", "type", "outcome"],
)
QUEUE_MESSAGES = Gauge(
    "events_queue_messages", "Messages waiting in a consuming service's queue", ["queue"]
)
QUEUE_CONSUMERS = Gauge(
    "events_queue_consumers", "Consumers attached to a consuming service's queue", ["queue"]
)

-- Events this service has already acted on, by CloudEvent id: Kafka delivers at least once,
-- so every consumer checks here (in the same transaction as its effect) before acting.
CREATE TABLE processed_events (
    event_id     TEXT PRIMARY KEY,
    event_type   TEXT        NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

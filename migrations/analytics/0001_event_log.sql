-- Every domain event analytics has received, exactly once (the CloudEvent id is the key, so a
-- redelivered event is a no-op). Reports are folded from this log.
CREATE TABLE event_log (
    event_id     TEXT PRIMARY KEY,
    event_type   TEXT        NOT NULL,
    source       TEXT        NOT NULL,
    subject      TEXT,
    topic        TEXT        NOT NULL,
    payload      JSONB       NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX event_log_type_received_at ON event_log (event_type, received_at);

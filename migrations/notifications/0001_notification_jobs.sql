-- Every notification job received from the `jobs` queue, once (the notification id is the key,
-- so a redelivered job is a no-op), with its delivery status.
CREATE TABLE notification_jobs (
    notification_id UUID PRIMARY KEY,
    channel         TEXT        NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient       TEXT        NOT NULL,
    template        TEXT        NOT NULL,
    status          TEXT        NOT NULL DEFAULT 'received',
    received_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

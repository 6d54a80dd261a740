-- The notifications service for real (issue 11). The first table only recorded jobs it was
-- given; notifications now makes its own jobs from the domain events, so it is replaced.
DROP TABLE notification_jobs;

-- One row per message: one channel, one recipient, rendered once when the event was read. The
-- id is derived from the event id, the kind and the channel, so a redelivered or replayed event
-- finds its rows already there and makes no second job. The row is the delivery record too: a
-- job is sent only while its row says `queued`, and the row says `sent` in the same transaction
-- that held its lock during the send.
CREATE TABLE notifications (
    notification_id UUID        PRIMARY KEY,
    source_event_id TEXT        NOT NULL,
    kind            TEXT        NOT NULL,
    channel         TEXT        NOT NULL CHECK (channel IN ('email', 'sms')),
    -- The customer it is for; NULL for messages to the shop's administrators.
    user_id         UUID,
    recipient       TEXT        NOT NULL,
    language        TEXT        NOT NULL,
    subject         TEXT,
    body_html       TEXT,
    body_text       TEXT        NOT NULL,
    status          TEXT        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'dead')),
    attempts        INTEGER     NOT NULL DEFAULT 0,
    last_error      TEXT,
    replays         INTEGER     NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at         TIMESTAMPTZ,
    dead_at         TIMESTAMPTZ,
    CHECK ((channel = 'email') = (subject IS NOT NULL AND body_html IS NOT NULL))
);
CREATE INDEX notifications_by_user ON notifications (user_id, created_at DESC, notification_id DESC);
CREATE INDEX notifications_by_recipient ON notifications (recipient, created_at DESC, notification_id DESC);
CREATE INDEX notifications_by_time ON notifications (created_at DESC, notification_id DESC);
CREATE INDEX notifications_dead ON notifications (dead_at DESC, notification_id DESC) WHERE status = 'dead';

-- What each customer chose. No row means the defaults: English, email only.
CREATE TABLE preferences (
    user_id      UUID        PRIMARY KEY,
    language     TEXT        NOT NULL,
    sms_orders   BOOLEAN     NOT NULL,
    sms_shipping BOOLEAN     NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- What notifications remembers of an order from its `placed` event: later events carry only the
-- order id, and their messages need the customer, the lines and the total.
CREATE TABLE order_summaries (
    order_id    UUID        PRIMARY KEY,
    customer_id UUID        NOT NULL,
    currency    TEXT        NOT NULL,
    total_minor BIGINT      NOT NULL,
    lines       JSONB       NOT NULL,
    placed_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The transactional outbox (service_runtime::outbox): jobs go to RabbitMQ if and only if their
-- rows were stored.
CREATE TABLE outbox (
    event_id      TEXT PRIMARY KEY,
    pubsub        TEXT NOT NULL,
    topic         TEXT NOT NULL,
    partition_key TEXT,
    envelope      JSONB NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at  TIMESTAMPTZ
);
CREATE INDEX outbox_unpublished ON outbox (created_at) WHERE published_at IS NULL;

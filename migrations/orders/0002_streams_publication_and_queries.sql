-- Consumers are idempotent by the order's own state (a redelivered answer decides nothing),
-- so the per-event bookkeeping of the walking skeleton is not needed.
DROP TABLE processed_events;

-- Every order stream, and how much of it is on Kafka. The row is also the lock that keeps one
-- order's events going out in sequence order (see src/publication.rs).
CREATE TABLE order_streams (
    order_id          UUID PRIMARY KEY,
    published_version BIGINT      NOT NULL DEFAULT 0 CHECK (published_version >= 0),
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row per append in flight, written before the append and deleted once what it stored is
-- published. A row that outlives its writer (a crash) is how the sweeper finds what to publish.
CREATE TABLE publication_intents (
    intent_id  UUID PRIMARY KEY,
    order_id   UUID        NOT NULL REFERENCES order_streams (order_id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX publication_intents_by_age ON publication_intents (created_at);

-- A client's Idempotency-Key, per customer, and the order it created.
CREATE TABLE idempotency_keys (
    customer_id  UUID        NOT NULL,
    key          TEXT        NOT NULL,
    request_body TEXT        NOT NULL, -- the normalised request, to tell a retry from a reuse
    order_id     UUID        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (customer_id, key)
);

-- The query model for lists ("my orders", the admin list): one row per order, written from the
-- same projection the OrderActor keeps, guarded by the stream version so a late or repeated
-- update never moves a row backwards.
CREATE TABLE order_summaries (
    order_id            UUID PRIMARY KEY,
    customer_id         UUID        NOT NULL,
    status              TEXT        NOT NULL,
    currency            TEXT        NOT NULL,
    total_minor         BIGINT      NOT NULL,
    line_count          INT         NOT NULL,
    cancellation_reason TEXT,
    placed_at           TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    version             BIGINT      NOT NULL
);
CREATE INDEX order_summaries_by_customer ON order_summaries (customer_id, placed_at DESC, order_id DESC);
CREATE INDEX order_summaries_by_status ON order_summaries (status, placed_at DESC, order_id DESC);
CREATE INDEX order_summaries_by_time ON order_summaries (placed_at DESC, order_id DESC);

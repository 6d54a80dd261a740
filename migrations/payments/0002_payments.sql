-- One payment per order: what the order asked for, what the provider holds, and what the order
-- wants done with it. The `processor` drives each payment towards what its order wants
-- (authorize; capture once confirmed; void or refund once cancelled), one provider call at a time.
CREATE TABLE payments (
    order_id            UUID PRIMARY KEY,
    customer_id         UUID        NOT NULL,
    amount_minor        BIGINT      NOT NULL CHECK (amount_minor > 0),
    currency            TEXT        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- NULL only for orders placed before payments existed; those fail without a call.
    payment_method_id   TEXT,
    status              TEXT        NOT NULL CHECK (status IN (
        'authorizing', 'authorized', 'captured', 'partially-refunded', 'refunded',
        'voided', 'failed', 'abandoned')),
    -- What the order's saga says: still open, confirmed (capture) or cancelled (give it back).
    order_outcome       TEXT        NOT NULL DEFAULT 'open'
                                    CHECK (order_outcome IN ('open', 'confirmed', 'cancelled')),
    provider_payment_id TEXT UNIQUE,
    authorized_minor    BIGINT      NOT NULL DEFAULT 0 CHECK (authorized_minor >= 0),
    captured_minor      BIGINT      NOT NULL DEFAULT 0 CHECK (captured_minor >= 0),
    refunded_minor      BIGINT      NOT NULL DEFAULT 0
                                    CHECK (refunded_minor >= 0 AND refunded_minor <= captured_minor),
    failure_code        TEXT,
    failure_reason      TEXT,
    -- The provider call that was sent and whose answer was never recorded (a crash, a timeout):
    -- 'authorize' or 'refund:<key>'. Before sending it again, the processor asks the provider
    -- whether it happened (localstripe ignores Idempotency-Key, so our records must decide).
    in_doubt            TEXT,
    -- When the processor should look at this payment next; NULL when there is nothing to do.
    next_attempt_at     TIMESTAMPTZ,
    attempts            INTEGER     NOT NULL DEFAULT 0,
    last_error          TEXT,
    requested_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX payments_due ON payments (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX payments_by_customer ON payments (customer_id, requested_at DESC);
CREATE INDEX payments_by_status ON payments (status, requested_at DESC);

-- The ledger: every operation the provider carried out, with its amount and the provider's id.
-- Per order: authorized − voided = what is held, captured − refunded = what was taken; the
-- payments row's totals are these sums (written in the same transaction).
CREATE TABLE payment_ledger (
    entry_id        BIGSERIAL PRIMARY KEY,
    order_id        UUID        NOT NULL REFERENCES payments (order_id),
    operation       TEXT        NOT NULL CHECK (operation IN ('authorize', 'capture', 'void', 'refund')),
    amount_minor    BIGINT      NOT NULL CHECK (amount_minor >= 0),
    currency        TEXT        NOT NULL,
    provider_id     TEXT        NOT NULL,
    -- Derived from the order and the operation: a second entry for one operation is impossible.
    idempotency_key TEXT        NOT NULL UNIQUE,
    reason          TEXT,
    recorded_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX payment_ledger_by_order ON payment_ledger (order_id, entry_id);

-- Refunds asked for (an administrator, or a cancelled order that was already captured), carried
-- out by the processor. The key makes a repeated request the same refund.
CREATE TABLE refunds (
    refund_key         TEXT PRIMARY KEY,
    order_id           UUID        NOT NULL REFERENCES payments (order_id),
    amount_minor       BIGINT      NOT NULL CHECK (amount_minor > 0),
    reason             TEXT        NOT NULL,
    requested_by       TEXT        NOT NULL,
    status             TEXT        NOT NULL DEFAULT 'pending'
                                   CHECK (status IN ('pending', 'succeeded', 'failed')),
    provider_refund_id TEXT,
    failure_reason     TEXT,
    requested_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at       TIMESTAMPTZ
);
CREATE INDEX refunds_pending ON refunds (order_id, requested_at) WHERE status = 'pending';

-- Orders whose cancellation arrived before (or without) their payment request: should the
-- request come after all (redelivery, a consumer running events of one order side by side),
-- the payment starts out cancelled and nothing is authorized.
CREATE TABLE cancelled_orders (
    order_id     UUID PRIMARY KEY,
    cancelled_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Provider webhooks already acted on, by the provider's event id (providers deliver again).
CREATE TABLE webhook_events (
    event_id    TEXT PRIMARY KEY,
    event_type  TEXT        NOT NULL,
    order_id    UUID,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The transactional outbox (service_runtime::outbox): payment events, published by the relay.
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

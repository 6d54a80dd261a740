-- The business's view of the shop, folded from the event log (and only from it: analytics never
-- reads another service's data). Every column is written by a merge that gives the same result
-- whatever order the events arrive in and however often: first times take the earliest
-- (LEAST), running totals the largest (GREATEST), one-off facts the first value (COALESCE), and
-- the one fact that can change back and forth (the payment's status) the value of the highest
-- stream sequence. So a live table and a rebuild from the log are equal row for row.
-- Money: integer minor units with the order's ISO 4217 currency; never floats, never summed
-- across currencies.

-- When each event happened (its CloudEvent `time`, else when it was received) and its place in
-- its aggregate's stream (the `sequence` extension orders sets), kept with the logged event so a
-- rebuild reads exactly what the live fold read.
ALTER TABLE event_log
    ADD COLUMN occurred_at TIMESTAMPTZ,
    ADD COLUMN sequence    BIGINT;
UPDATE event_log SET occurred_at = received_at WHERE occurred_at IS NULL;
ALTER TABLE event_log ALTER COLUMN occurred_at SET NOT NULL;
CREATE INDEX event_log_occurred ON event_log (occurred_at, event_id);

-- One row per order: the milestones of its life and where its money went.
CREATE TABLE order_facts (
    order_id                UUID PRIMARY KEY,
    customer_id             UUID,
    currency                CHAR(3),
    total_minor             BIGINT,
    placed_at               TIMESTAMPTZ,
    stock_reserved_at       TIMESTAMPTZ,
    stock_rejected_at       TIMESTAMPTZ,
    confirmed_at            TIMESTAMPTZ,            -- paid: the payment is authorized
    shipped_at              TIMESTAMPTZ,
    cancelled_at            TIMESTAMPTZ,
    cancel_reason           TEXT,
    payment_failed_at       TIMESTAMPTZ,
    payment_failure_code    TEXT,
    authorized_minor        BIGINT NOT NULL DEFAULT 0,
    captured_minor          BIGINT NOT NULL DEFAULT 0,
    voided_minor            BIGINT NOT NULL DEFAULT 0,
    refunded_minor          BIGINT NOT NULL DEFAULT 0,
    payment_status          TEXT,
    payment_status_sequence BIGINT,
    last_sequence           BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX order_facts_placed ON order_facts (placed_at) INCLUDE (currency, total_minor);
CREATE INDEX order_facts_customer ON order_facts (customer_id, placed_at);

-- The lines of each order as priced when it was placed, with the product's name and category.
CREATE TABLE order_lines (
    order_id          UUID    NOT NULL,
    line_no           INTEGER NOT NULL,
    sku               TEXT    NOT NULL,
    product_name      TEXT,
    category          TEXT,
    quantity          INTEGER NOT NULL,
    unit_price_minor  BIGINT  NOT NULL,
    currency          CHAR(3) NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE INDEX order_lines_sku ON order_lines (sku);

-- Customers: when they registered and when they first ordered (new against returning, cohorts).
CREATE TABLE customers (
    customer_id     UUID PRIMARY KEY,
    registered_at   TIMESTAMPTZ,
    first_order_at  TIMESTAMPTZ
);

CREATE INDEX customers_first_order ON customers (first_order_at);

-- The lines inventory could not reserve, per order and SKU: the orders lost to missing stock.
CREATE TABLE stock_rejections (
    order_id     UUID    NOT NULL,
    sku          TEXT    NOT NULL,
    requested    INTEGER NOT NULL,
    available    INTEGER NOT NULL,
    reason       TEXT    NOT NULL,
    rejected_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (order_id, sku)
);

CREATE INDEX stock_rejections_at ON stock_rejections (rejected_at);

-- The latest low-stock signal per SKU (the newest by event time wins; ties by event id).
CREATE TABLE stock_signals (
    sku           TEXT PRIMARY KEY,
    available     BIGINT NOT NULL,
    threshold     BIGINT NOT NULL,
    signalled_at  TIMESTAMPTZ NOT NULL,
    event_id      TEXT NOT NULL
);

-- One row per order that asked for stock: the decision and, for a reservation, its lines.
-- The order id is the key, so a redelivered OrderPlaced (or a second event for the same order)
-- finds its row and changes nothing.
CREATE TABLE reservations (
    order_id   UUID PRIMARY KEY,
    status     TEXT        NOT NULL CHECK (status IN ('reserved', 'rejected', 'committed', 'released')),
    lines      JSONB       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The product catalog. Prices are integer minor units with an ISO 4217 code, never floats.
CREATE TABLE products (
    product_id   UUID PRIMARY KEY,
    sku          TEXT        NOT NULL UNIQUE,
    name         TEXT        NOT NULL,
    description  TEXT        NOT NULL DEFAULT '',
    category     TEXT        NOT NULL,
    price_minor  BIGINT      NOT NULL CHECK (price_minor >= 0),
    currency     CHAR(3)     NOT NULL,
    active       BOOLEAN     NOT NULL DEFAULT true,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Full-text search over name (weighted higher) and description.
    search       TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', description), 'B')
    ) STORED
);

CREATE INDEX products_search ON products USING GIN (search);
-- Trigram index so partial words ("keyb") find "keyboard" too.
CREATE INDEX products_name_trgm ON products USING GIN (name gin_trgm_ops);
-- Keyset pagination: one index per sort order, each ending in the unique product id.
CREATE INDEX products_by_name ON products (name, product_id);
CREATE INDEX products_by_price ON products (price_minor, product_id);
CREATE INDEX products_by_created ON products (created_at, product_id);
CREATE INDEX products_by_category ON products (category, name, product_id);

-- Stock per SKU; available = on_hand - reserved, never negative.
CREATE TABLE stock (
    sku                 TEXT PRIMARY KEY REFERENCES products (sku),
    on_hand             BIGINT NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
    reserved            BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    low_stock_threshold BIGINT NOT NULL DEFAULT 5 CHECK (low_stock_threshold >= 0),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (reserved <= on_hand)
);

-- Every change of stock, so the numbers can be audited: who, when, why, by how much.
CREATE TABLE stock_ledger (
    entry_id       BIGSERIAL PRIMARY KEY,
    sku            TEXT        NOT NULL REFERENCES products (sku),
    on_hand_delta  BIGINT      NOT NULL,
    reserved_delta BIGINT      NOT NULL,
    reason         TEXT        NOT NULL,
    actor          TEXT        NOT NULL,
    order_id       UUID,
    recorded_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX stock_ledger_sku ON stock_ledger (sku, entry_id);

-- Transactional outbox (see service-runtime's outbox module).
CREATE TABLE outbox (
    event_id      TEXT PRIMARY KEY,
    pubsub        TEXT        NOT NULL,
    topic         TEXT        NOT NULL,
    partition_key TEXT,
    envelope      JSONB       NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at  TIMESTAMPTZ
);
CREATE INDEX outbox_unpublished ON outbox (created_at) WHERE published_at IS NULL;

-- Profiles: a phone number for SMS (E.164) and the shipping addresses, kept with the user.
ALTER TABLE users
    ADD COLUMN phone              TEXT,
    ADD COLUMN shipping_addresses JSONB NOT NULL DEFAULT '[]'::jsonb;

-- Refresh tokens are opaque random strings; only their SHA-256 is stored. Each login starts a
-- family; every refresh replaces the token with a new one of the same family. Presenting a
-- token that was already replaced means it leaked: the whole family is revoked.
CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     UUID        NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    family_id   UUID        NOT NULL,
    issued_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    replaced_at TIMESTAMPTZ,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- Transactional outbox (see service-runtime's outbox module): events written with the change
-- they describe, published by a relay.
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

CREATE EXTENSION IF NOT EXISTS citext;

-- Registered users. Emails are stored normalised and compared case-insensitively (citext), so
-- one address can register once.
CREATE TABLE users (
    user_id       UUID PRIMARY KEY,
    email         CITEXT      NOT NULL UNIQUE,
    display_name  TEXT        NOT NULL,
    password_hash TEXT        NOT NULL,
    roles         TEXT[]      NOT NULL DEFAULT ARRAY['customer'],
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

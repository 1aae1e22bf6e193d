-- +goose Up
-- The web site's accounts: a password (argon2id, encoded with its
-- parameters) and the time the e-mail address was confirmed. Users made by
-- the operator's CLI have neither and cannot log in until they reset a
-- password, which confirms the address too.
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN email_confirmed_at BIGINT;

-- Sessions of logged-in browsers: only the hash of the cookie's token is
-- kept, with the token every form of the session must carry (CSRF).
CREATE TABLE web_sessions (
    token_hash  TEXT   PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    csrf        TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- One-use tokens sent by e-mail: confirm an address, reset a password,
-- generate an API key. Only their hashes are kept.
CREATE TABLE account_tokens (
    token_hash  TEXT   PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    purpose     TEXT   NOT NULL CHECK (purpose IN ('confirm', 'reset', 'apikey')),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

-- +goose Down
DROP TABLE account_tokens;
DROP TABLE web_sessions;
ALTER TABLE users DROP COLUMN email_confirmed_at;
ALTER TABLE users DROP COLUMN password_hash;

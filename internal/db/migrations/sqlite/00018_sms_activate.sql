-- +goose Up
-- The SMS-Activate protocol (/stubs/handler_api.php) sends an API key and no
-- user name: the account is found by the key's hash alone.
CREATE INDEX users_api_key_hash ON users (api_key_hash);

-- The short codes that SMS-Activate-style clients name services by (go, am,
-- wa, ...), as the operator maps them; a code without a row here falls back
-- to the built-in default (catalog.DefaultServiceCodes). A row whose
-- service_id is NULL turns a code off.
CREATE TABLE service_codes (
    code       TEXT   PRIMARY KEY,
    service_id BIGINT REFERENCES services (id),
    updated_at BIGINT NOT NULL
);

-- A customer's ask for another code on a request that already received one:
-- messages is the request's message count when it was asked, so the messages
-- after it are the new ones.
CREATE TABLE request_retries (
    request_id BIGINT PRIMARY KEY REFERENCES requests (id),
    messages   BIGINT NOT NULL,
    asked_at   BIGINT NOT NULL
);

-- +goose Down
DROP TABLE request_retries;
DROP TABLE service_codes;
DROP INDEX users_api_key_hash;

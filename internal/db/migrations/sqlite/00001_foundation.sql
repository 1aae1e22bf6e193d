-- +goose Up
-- All times are unix seconds (UTC); money is integer cents.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL,
    login         TEXT    NOT NULL UNIQUE,
    email         TEXT    NOT NULL UNIQUE,
    api_key_hash  TEXT,
    role          TEXT    NOT NULL DEFAULT 'user',
    suspended     BOOLEAN NOT NULL DEFAULT FALSE,
    balance_cents BIGINT  NOT NULL DEFAULT 0 CHECK (balance_cents >= 0),
    created_at    BIGINT  NOT NULL
);

CREATE TABLE ledger (
    id            INTEGER PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    amount_cents  BIGINT NOT NULL,
    balance_cents BIGINT NOT NULL CHECK (balance_cents >= 0),
    kind          TEXT   NOT NULL,
    reason        TEXT   NOT NULL,
    ref_id        BIGINT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX ledger_user ON ledger (user_id, id);

-- +goose StatementBegin
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'ledger is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'ledger is append-only');
END;
-- +goose StatementEnd

CREATE TABLE services (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT    NOT NULL,
    name_key              TEXT    NOT NULL UNIQUE,
    price_cents           BIGINT  NOT NULL CHECK (price_cents >= 0),
    ltr_price_cents       BIGINT  NOT NULL DEFAULT 0 CHECK (ltr_price_cents >= 0),
    ltr_short_price_cents BIGINT  NOT NULL DEFAULT 0 CHECK (ltr_short_price_cents >= 0),
    lifetime_seconds      BIGINT  NOT NULL DEFAULT 900 CHECK (lifetime_seconds > 0),
    enabled               BOOLEAN NOT NULL DEFAULT TRUE,
    created_at            BIGINT  NOT NULL
);

CREATE TABLE numbers (
    id           INTEGER PRIMARY KEY,
    mdn          TEXT    NOT NULL UNIQUE,
    area_code    TEXT    NOT NULL,
    state        TEXT    NOT NULL DEFAULT '',
    carrier      TEXT    NOT NULL DEFAULT '',
    gateway      TEXT    NOT NULL DEFAULT 'sim',
    short_rental BOOLEAN NOT NULL DEFAULT FALSE,
    enabled      BOOLEAN NOT NULL DEFAULT TRUE,
    online       BOOLEAN NOT NULL DEFAULT TRUE,
    held_by      BIGINT REFERENCES users (id),
    last_used_at BIGINT  NOT NULL DEFAULT 0,
    created_at   BIGINT  NOT NULL
);
-- The free pool in rotation order, whole and by area code and state.
CREATE INDEX numbers_free ON numbers (last_used_at, id) WHERE held_by IS NULL AND enabled AND online;
CREATE INDEX numbers_free_area ON numbers (area_code, last_used_at, id) WHERE held_by IS NULL AND enabled AND online;
CREATE INDEX numbers_free_state ON numbers (state, last_used_at, id) WHERE held_by IS NULL AND enabled AND online;

-- A number that has verified a service is burnt for it; only its burner may take it again.
CREATE TABLE burns (
    number_id  BIGINT NOT NULL REFERENCES numbers (id),
    service_id BIGINT NOT NULL REFERENCES services (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (number_id, service_id)
);
CREATE INDEX burns_service ON burns (service_id, number_id);

-- Numbers a user rejected are never offered to that user again.
CREATE TABLE rejections (
    number_id  BIGINT NOT NULL REFERENCES numbers (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (number_id, user_id)
);

CREATE TABLE requests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    service_id  BIGINT NOT NULL REFERENCES services (id),
    number_id   BIGINT REFERENCES numbers (id),
    mdn         TEXT   NOT NULL DEFAULT '',
    carrier     TEXT   NOT NULL DEFAULT '',
    status      TEXT   NOT NULL,
    state       TEXT   NOT NULL DEFAULT '',
    area_code   TEXT   NOT NULL DEFAULT '',
    markup      BIGINT NOT NULL DEFAULT 0,
    price_cents BIGINT NOT NULL,
    messages    BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    won_at      BIGINT,
    closed_at   BIGINT
);
-- Request ids look like the reference's: 8 digits from 10000001.
INSERT INTO sqlite_sequence (name, seq) VALUES ('requests', 10000000);
CREATE INDEX requests_user ON requests (user_id, id);
CREATE INDEX requests_user_open ON requests (user_id) WHERE closed_at IS NULL;
CREATE INDEX requests_number_open ON requests (number_id) WHERE closed_at IS NULL;
CREATE INDEX requests_due ON requests (expires_at) WHERE closed_at IS NULL;
CREATE INDEX requests_won ON requests (service_id, won_at) WHERE won_at IS NOT NULL;

CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    user_id        BIGINT REFERENCES users (id),
    request_id     BIGINT REFERENCES requests (id),
    number_id      BIGINT REFERENCES numbers (id),
    kind           TEXT   NOT NULL DEFAULT 'sms',
    mdn            TEXT   NOT NULL,
    sender         TEXT   NOT NULL,
    body           TEXT   NOT NULL,
    pin            TEXT   NOT NULL DEFAULT '',
    service        TEXT   NOT NULL DEFAULT '',
    price_cents    BIGINT NOT NULL DEFAULT 0,
    received_at    BIGINT NOT NULL,
    gateway        TEXT   NOT NULL DEFAULT '',
    gateway_msg_id TEXT
);
CREATE UNIQUE INDEX messages_gateway_id ON messages (gateway, gateway_msg_id) WHERE gateway_msg_id IS NOT NULL;
CREATE INDEX messages_user_time ON messages (user_id, received_at);
CREATE INDEX messages_user_mdn ON messages (user_id, mdn, received_at);
CREATE INDEX messages_request ON messages (request_id, received_at);

-- +goose Down
DROP TABLE messages;
DROP TABLE requests;
DROP TABLE rejections;
DROP TABLE burns;
DROP TABLE numbers;
DROP TABLE services;
DROP TRIGGER ledger_no_delete;
DROP TRIGGER ledger_no_update;
DROP TABLE ledger;
DROP TABLE users;

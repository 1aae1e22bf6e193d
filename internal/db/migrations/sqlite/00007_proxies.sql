-- +goose Up
CREATE TABLE proxy_ports (
    id                TEXT    PRIMARY KEY,
    location          TEXT    NOT NULL DEFAULT '',
    carrier           TEXT    NOT NULL DEFAULT '',
    redial_minutes    BIGINT  NOT NULL DEFAULT 15 CHECK (redial_minutes >= 0),
    capacity          BIGINT  NOT NULL DEFAULT 1 CHECK (capacity >= 1),
    exclusive_allowed BOOLEAN NOT NULL DEFAULT TRUE,
    upstream          TEXT    NOT NULL,
    redial_action     TEXT    NOT NULL DEFAULT '',
    redial_timeout    BIGINT  NOT NULL DEFAULT 60,
    enabled           BOOLEAN NOT NULL DEFAULT TRUE,
    last_redial_at    BIGINT  NOT NULL DEFAULT 0,
    created_at        BIGINT  NOT NULL
);

-- A proxy rental: credentials (the password is kept hashed) for one port
-- until expires_at. proxy_user is unique among active rentals.
CREATE TABLE proxy_rentals (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT  NOT NULL REFERENCES users (id),
    port_id     TEXT    NOT NULL REFERENCES proxy_ports (id),
    service     TEXT    NOT NULL,
    exclusive   BOOLEAN NOT NULL DEFAULT FALSE,
    proxy_user  TEXT    NOT NULL,
    pass_hash   TEXT    NOT NULL,
    minutes     BIGINT  NOT NULL,
    price_cents BIGINT  NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('active', 'ended')),
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    ended_at    BIGINT
);
CREATE UNIQUE INDEX proxy_rentals_login ON proxy_rentals (proxy_user) WHERE status = 'active';
CREATE INDEX proxy_rentals_port ON proxy_rentals (port_id) WHERE status = 'active';
CREATE INDEX proxy_rentals_user ON proxy_rentals (user_id, id);

-- Redials of a port's IP: requested by a user (exclusive rentals) or
-- automatic (shared ports, every redial interval).
CREATE TABLE proxy_redials (
    id          INTEGER PRIMARY KEY,
    port_id     TEXT   NOT NULL REFERENCES proxy_ports (id),
    user_id     BIGINT REFERENCES users (id),
    status      TEXT   NOT NULL DEFAULT 'pending',
    output      TEXT   NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX proxy_redials_port ON proxy_redials (port_id, id);

-- +goose Down
DROP TABLE proxy_redials;
DROP TABLE proxy_rentals;
DROP TABLE proxy_ports;

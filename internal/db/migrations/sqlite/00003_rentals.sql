-- +goose Up
-- Long-term rentals. A renewal is a new row chained to the first rental of
-- the number and service (first_id); the row it renews ends as 'renewed'.
CREATE TABLE rentals (
    id             INTEGER PRIMARY KEY,
    user_id        BIGINT  NOT NULL REFERENCES users (id),
    service_id     BIGINT  NOT NULL REFERENCES services (id),
    number_id      BIGINT REFERENCES numbers (id),
    mdn            TEXT    NOT NULL DEFAULT '',
    carrier        TEXT    NOT NULL DEFAULT '',
    first_id       BIGINT,
    prev_id        BIGINT,
    days           BIGINT  NOT NULL,
    price_cents    BIGINT  NOT NULL,
    fee_cents      BIGINT  NOT NULL DEFAULT 0,
    status         TEXT    NOT NULL CHECK (status IN ('awaiting', 'active', 'ended')),
    end_reason     TEXT    NOT NULL DEFAULT '',
    autorenew      BOOLEAN NOT NULL DEFAULT FALSE,
    state          TEXT    NOT NULL DEFAULT '',
    area_code      TEXT    NOT NULL DEFAULT '',
    filter_service TEXT    NOT NULL DEFAULT '',
    forward_to     TEXT    NOT NULL DEFAULT '',
    created_at     BIGINT  NOT NULL,
    expires_at     BIGINT  NOT NULL,
    ended_at       BIGINT
);
CREATE INDEX rentals_user ON rentals (user_id, id);
CREATE INDEX rentals_number_active ON rentals (number_id) WHERE status = 'active';
CREATE INDEX rentals_user_mdn ON rentals (user_id, mdn, service_id);
CREATE INDEX rentals_awaiting ON rentals (id) WHERE status = 'awaiting';

-- After a rental ends its number is kept from other users, for that
-- service, until "until", so the renter can come back for it.
CREATE TABLE rental_holds (
    number_id  BIGINT NOT NULL REFERENCES numbers (id),
    service_id BIGINT NOT NULL REFERENCES services (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    until      BIGINT NOT NULL,
    PRIMARY KEY (number_id, service_id)
);

CREATE TABLE rental_reports (
    id          INTEGER PRIMARY KEY,
    rental_id   BIGINT NOT NULL REFERENCES rentals (id),
    user_id     BIGINT NOT NULL REFERENCES users (id),
    mdn         TEXT   NOT NULL,
    status      TEXT   NOT NULL CHECK (status IN ('pending', 'replaced', 'refunded', 'declined')),
    outcome     TEXT   NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    resolved_at BIGINT
);
CREATE INDEX rental_reports_rental ON rental_reports (rental_id, id);
CREATE INDEX rental_reports_pending ON rental_reports (id) WHERE status = 'pending';

-- Messages of a rental; the detected service is in messages.service.
ALTER TABLE messages ADD COLUMN rental_id BIGINT REFERENCES rentals (id);
CREATE INDEX messages_rental ON messages (rental_id, received_at);

-- Parking: a number online until online_until (then parked offline by its
-- gateway), or coming online at online_at after an activation.
ALTER TABLE numbers ADD COLUMN online_until BIGINT;
ALTER TABLE numbers ADD COLUMN online_at BIGINT;

-- +goose Down
ALTER TABLE numbers DROP COLUMN online_at;
ALTER TABLE numbers DROP COLUMN online_until;
DROP INDEX messages_rental;
ALTER TABLE messages DROP COLUMN rental_id;
DROP TABLE rental_reports;
DROP TABLE rental_holds;
DROP TABLE rentals;

-- +goose Up
-- Several services asked in one request share a number; group_id is the
-- first request's id.
ALTER TABLE requests ADD COLUMN group_id BIGINT;
-- Waiting premium bids in auction order.
CREATE INDEX requests_bids ON requests (markup DESC, id) WHERE status = 'Awaiting MDN' AND closed_at IS NULL;

-- Sender and keyword rules that detect which service an SMS is for.
CREATE TABLE service_rules (
    id         INTEGER PRIMARY KEY,
    service_id BIGINT NOT NULL REFERENCES services (id),
    kind       TEXT   NOT NULL CHECK (kind IN ('sender', 'keyword')),
    pattern    TEXT   NOT NULL,
    UNIQUE (service_id, kind, pattern)
);

-- Events for customers' callbacks, written in the transaction of the change
-- that causes them (outbox).
CREATE TABLE callback_events (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    event      TEXT   NOT NULL,
    payload    TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX callback_events_user ON callback_events (user_id, id);

-- +goose Down
DROP TABLE callback_events;
DROP TABLE service_rules;
DROP INDEX requests_bids;
ALTER TABLE requests DROP COLUMN group_id;

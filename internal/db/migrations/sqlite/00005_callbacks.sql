-- +goose Up
ALTER TABLE users ADD COLUMN callback_url TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN callback_secret TEXT NOT NULL DEFAULT '';

-- The delivery state of each callback event (the outbox is also the
-- delivery log): pending → sending (claimed by one attempt) → delivered, or
-- back to pending for a retry, or failed after the last attempt.
ALTER TABLE callback_events ADD COLUMN delivery_id TEXT NOT NULL DEFAULT '';
ALTER TABLE callback_events ADD COLUMN status TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE callback_events ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE callback_events ADD COLUMN last_code BIGINT NOT NULL DEFAULT 0;
ALTER TABLE callback_events ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE callback_events ADD COLUMN last_attempt_at BIGINT;
ALTER TABLE callback_events ADD COLUMN next_attempt_at BIGINT;
ALTER TABLE callback_events ADD COLUMN claim_until BIGINT;
ALTER TABLE callback_events ADD COLUMN delivered_at BIGINT;
ALTER TABLE callback_events ADD COLUMN url TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE callback_events DROP COLUMN url;
ALTER TABLE callback_events DROP COLUMN delivered_at;
ALTER TABLE callback_events DROP COLUMN claim_until;
ALTER TABLE callback_events DROP COLUMN next_attempt_at;
ALTER TABLE callback_events DROP COLUMN last_attempt_at;
ALTER TABLE callback_events DROP COLUMN last_error;
ALTER TABLE callback_events DROP COLUMN last_code;
ALTER TABLE callback_events DROP COLUMN attempts;
ALTER TABLE callback_events DROP COLUMN status;
ALTER TABLE callback_events DROP COLUMN delivery_id;
ALTER TABLE users DROP COLUMN callback_secret;
ALTER TABLE users DROP COLUMN callback_url;

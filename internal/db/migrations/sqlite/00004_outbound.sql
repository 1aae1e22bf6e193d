-- +goose Up
-- Outbound SMS (send_sms) are messages of kind 'outbound' from mdn to
-- recipient; status follows them: sending, accepted, refused, then the
-- delivery receipt's delivered or failed.
ALTER TABLE messages ADD COLUMN recipient TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN status TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE messages DROP COLUMN status;
ALTER TABLE messages DROP COLUMN recipient;

-- +goose Up
-- An outbound SMS is known to its gateway by our own id, unique per send;
-- the id the gateway answers with is only a reference for its delivery
-- receipts (a gateway may repeat one), so it leaves the unique index of
-- inbound gateway ids. send_deadline bounds how long an outbound message
-- may stay 'sending': past it, the reconciliation job settles it.
ALTER TABLE messages ADD COLUMN gateway_ref TEXT;
ALTER TABLE messages ADD COLUMN send_deadline BIGINT;
UPDATE messages SET gateway_ref = substr(gateway_msg_id, 5), gateway_msg_id = NULL
 WHERE kind = 'outbound' AND gateway_msg_id LIKE 'out:%';
CREATE INDEX messages_gateway_ref ON messages (gateway, gateway_ref) WHERE gateway_ref IS NOT NULL;
CREATE INDEX messages_sending ON messages (send_deadline) WHERE status = 'sending';

-- +goose Down
DROP INDEX messages_sending;
DROP INDEX messages_gateway_ref;
UPDATE messages SET gateway_msg_id = 'out:' || gateway_ref WHERE kind = 'outbound' AND gateway_ref IS NOT NULL;
ALTER TABLE messages DROP COLUMN send_deadline;
ALTER TABLE messages DROP COLUMN gateway_ref;

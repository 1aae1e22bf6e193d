-- +goose Up
-- The answers of calls made with an idempotency_key (request, ltr_rent,
-- send_sms, proxy_rent). A row is written in the transaction of the change
-- it answers, so a charge never exists without its answer nor an answer
-- without its charge; a retry with the same key reads the answer back
-- instead of changing anything again. answer is NULL while a change that
-- spans two transactions is under way (send_sms between its charge and the
-- gateway's reply); pending_ref then names what settles it. Rows older than
-- 24 hours are purged.
CREATE TABLE idempotency_keys (
    user_id     BIGINT NOT NULL REFERENCES users (id),
    idem_key    TEXT   NOT NULL,
    command     TEXT   NOT NULL,
    fingerprint TEXT   NOT NULL,
    answer      TEXT,
    pending_ref TEXT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
CREATE INDEX idempotency_keys_pending ON idempotency_keys (pending_ref) WHERE pending_ref IS NOT NULL;

-- +goose Down
DROP TABLE idempotency_keys;

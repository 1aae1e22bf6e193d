-- +goose Up
-- The answers of keyed calls are stored sealed (AES-GCM under a key derived
-- from the caller's API key, which the database keeps only hashed), so that
-- a copy of the database reveals none of them: proxy_rent's answer holds a
-- proxy password. Answers stored in the clear before cannot be sealed here
-- (the API keys are not in the database): they are erased, and their rows
-- kept with an empty seal that no key opens, so a retry of those calls is
-- refused (nothing is charged twice) until the key expires within a day.
ALTER TABLE idempotency_keys ADD COLUMN sealed_answer BLOB;
UPDATE idempotency_keys SET sealed_answer = X'' WHERE answer IS NOT NULL;
ALTER TABLE idempotency_keys DROP COLUMN answer;

-- +goose Down
-- Sealed answers cannot be turned back into clear ones: their rows read as
-- calls still in progress (a retry is told to retry later) until they expire.
ALTER TABLE idempotency_keys ADD COLUMN answer TEXT;
ALTER TABLE idempotency_keys DROP COLUMN sealed_answer;

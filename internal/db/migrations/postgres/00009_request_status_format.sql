-- +goose Up
-- How request_status answers this account: '' follows the operator's
-- compat.request_status_object, 'array' or 'object' is the account's own
-- choice (client programs of the API family disagree on the shape).
ALTER TABLE users ADD COLUMN request_status_format TEXT NOT NULL DEFAULT ''
    CHECK (request_status_format IN ('', 'array', 'object'));

-- +goose Down
ALTER TABLE users DROP COLUMN request_status_format;

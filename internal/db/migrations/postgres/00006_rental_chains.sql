-- +goose Up
-- Rentals are looked up by chain (the first rental of a number and service).
CREATE INDEX rentals_chain ON rentals (first_id, id);

-- +goose Down
DROP INDEX rentals_chain;

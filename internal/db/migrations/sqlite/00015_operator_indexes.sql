-- +goose Up
-- What the operator pages read without scanning whole tables: the last
-- day's requests (completion rates), a number's history of requests and
-- rentals, the last hour's inbound SMS (per minute) and failed callback
-- deliveries across accounts.
CREATE INDEX requests_created ON requests (created_at);
CREATE INDEX requests_number ON requests (number_id, id);
CREATE INDEX rentals_number ON rentals (number_id, id);
CREATE INDEX messages_inbound_time ON messages (received_at) WHERE kind = 'sms';
CREATE INDEX callback_events_status ON callback_events (status, id);

-- +goose Down
DROP INDEX callback_events_status;
DROP INDEX messages_inbound_time;
DROP INDEX rentals_number;
DROP INDEX requests_number;
DROP INDEX requests_created;

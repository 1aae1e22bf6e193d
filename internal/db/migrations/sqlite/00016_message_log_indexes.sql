-- +goose Up
-- The web site's message log is paged by (received_at, id), newest first,
-- for one user, optionally for one number or one service: each of these
-- indexes ends with id so a page and its cursor are one index range on
-- both engines (SQLite's indexes end with the rowid anyway; PostgreSQL's
-- need the column).
DROP INDEX messages_user_time;
CREATE INDEX messages_user_time ON messages (user_id, received_at, id);
DROP INDEX messages_user_mdn;
CREATE INDEX messages_user_mdn ON messages (user_id, mdn, received_at, id);
CREATE INDEX messages_user_service ON messages (user_id, service, received_at, id);

-- +goose Down
DROP INDEX messages_user_service;
DROP INDEX messages_user_mdn;
CREATE INDEX messages_user_mdn ON messages (user_id, mdn, received_at);
DROP INDEX messages_user_time;
CREATE INDEX messages_user_time ON messages (user_id, received_at);

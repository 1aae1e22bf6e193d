-- +goose Up
-- auth_epoch counts the changes of what authenticates an API caller: the API
-- key, suspension, the names it logs in with, and the account settings carried
-- with the caller (request_status_format). Each server process keeps verified
-- keys in memory and compares this number before trusting them, so a change
-- made by another process (an operator's command, another node) takes effect
-- at once. The triggers count every such change, whoever makes it.
CREATE TABLE auth_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT  NOT NULL
);
INSERT INTO auth_epoch (id, n) VALUES (1, 0);

-- +goose StatementBegin
CREATE TRIGGER users_auth_change
AFTER UPDATE OF api_key_hash, suspended, request_status_format, username, login, email ON users
FOR EACH ROW
WHEN OLD.api_key_hash IS NOT NEW.api_key_hash OR OLD.suspended IS NOT NEW.suspended
  OR OLD.request_status_format IS NOT NEW.request_status_format OR OLD.username IS NOT NEW.username
  OR OLD.login IS NOT NEW.login OR OLD.email IS NOT NEW.email
BEGIN
    UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER users_auth_delete AFTER DELETE ON users
FOR EACH ROW
BEGIN
    UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER users_auth_delete;
DROP TRIGGER users_auth_change;
DROP TABLE auth_epoch;

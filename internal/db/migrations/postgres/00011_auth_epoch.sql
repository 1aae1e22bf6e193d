-- +goose Up
-- auth_epoch counts the changes of what authenticates an API caller: the API
-- key, suspension, the names it logs in with, and the account settings carried
-- with the caller (request_status_format). Each server process keeps verified
-- keys in memory and compares this number before trusting them, so a change
-- made by another process (an operator's command, another node) takes effect
-- at once. The triggers count every such change, whoever makes it, and also
-- send the user's id on the channel mdnhub_auth in the same transaction:
-- servers that LISTEN there drop that user's keys when it commits instead of
-- reading the count on every call.
CREATE TABLE auth_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT  NOT NULL
);
INSERT INTO auth_epoch (id, n) VALUES (1, 0);

-- +goose StatementBegin
CREATE FUNCTION users_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
    PERFORM pg_notify('mdnhub_auth', OLD.id::text);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER users_auth_change
AFTER UPDATE OF api_key_hash, suspended, request_status_format, username, login, email ON users
FOR EACH ROW
WHEN (OLD.api_key_hash IS DISTINCT FROM NEW.api_key_hash OR OLD.suspended IS DISTINCT FROM NEW.suspended
  OR OLD.request_status_format IS DISTINCT FROM NEW.request_status_format OR OLD.username IS DISTINCT FROM NEW.username
  OR OLD.login IS DISTINCT FROM NEW.login OR OLD.email IS DISTINCT FROM NEW.email)
EXECUTE FUNCTION users_auth_changed();

CREATE TRIGGER users_auth_delete AFTER DELETE ON users
FOR EACH ROW EXECUTE FUNCTION users_auth_changed();

-- +goose Down
DROP TRIGGER users_auth_delete ON users;
DROP TRIGGER users_auth_change ON users;
DROP FUNCTION users_auth_changed();
DROP TABLE auth_epoch;

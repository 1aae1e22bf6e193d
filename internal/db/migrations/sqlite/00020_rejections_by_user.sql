-- +goose Up
-- Allocation skips the numbers the asking user rejected (NOT EXISTS on
-- rejections by number and user). The primary key leads with number_id, so
-- PostgreSQL answered that anti-join by reading every rejection of every
-- user and keeping the asker's: a whole scan of the table for each request.
-- By user first, it reads the asker's rejections alone.
CREATE INDEX rejections_user ON rejections (user_id, number_id);

-- +goose Down
DROP INDEX rejections_user;

-- +goose Up
-- When the current holder took the number from the pool: a message whose
-- gateway time lies before it was sent to the previous holder and never
-- reaches this one. A renewal keeps the holder, and so the time.
ALTER TABLE numbers ADD COLUMN held_since BIGINT;
UPDATE numbers SET held_since = COALESCE(
    (SELECT MIN(COALESCE(r.won_at, r.created_at)) FROM requests r WHERE r.number_id = numbers.id AND r.closed_at IS NULL),
    (SELECT MIN(x.created_at) FROM rentals l JOIN rentals x ON COALESCE(x.first_id, x.id) = COALESCE(l.first_id, l.id)
      WHERE l.number_id = numbers.id AND l.status = 'active' AND x.number_id = numbers.id),
    0)
WHERE held_by IS NOT NULL;

-- +goose Down
ALTER TABLE numbers DROP COLUMN held_since;

-- +goose Up
-- Proxy user names are matched in lower case (customers may type them in
-- any case), but rentals of ports whose id holds capitals were named with
-- the port id as written, so their credentials never matched. Active ones
-- get the lower-case name, unless another active rental holds it already
-- or an earlier one of the same spelling takes it here: those keep theirs
-- until they end. New rentals are named in lower case, a clash between two
-- spellings settled with a ~2, ~3, ... suffix.
UPDATE proxy_rentals SET proxy_user = lower(proxy_user)
 WHERE status = 'active' AND proxy_user <> lower(proxy_user)
   AND NOT EXISTS (
       SELECT 1 FROM proxy_rentals x
        WHERE x.status = 'active' AND x.id <> proxy_rentals.id
          AND lower(x.proxy_user) = lower(proxy_rentals.proxy_user)
          AND (x.proxy_user = lower(x.proxy_user) OR x.id < proxy_rentals.id));

-- +goose Down
-- Nothing to undo: the names were unusable as they were.
SELECT 1;

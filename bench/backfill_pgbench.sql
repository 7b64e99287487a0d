-- The application during the backfill: a point read and a point update of
-- the table being backfilled (the update goes through the migration's
-- trigger, as an application writing through the old version does).
\set id random(1, :rows)
SELECT id, name FROM users WHERE id = :id;
UPDATE users SET name = name WHERE id = :id;

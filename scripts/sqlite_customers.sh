# The demo's customers table, which scripts/demo.sh and the SQLite
# benchmarks (bench/sqlite_common.sh) both build: source this file, then
#
#   create_customers DB_PATH ROWS
#
# makes DB_PATH a WAL database with ROWS customers. Every tenth customer has
# no name and every thirteenth no balance: the demo's migration
# (examples/02_customers_split_name.yaml) must give them one.

create_customers() {
  sqlite3 -bail "$1" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
CREATE TABLE customers (
  id         INTEGER PRIMARY KEY,
  full_name  TEXT,
  email      TEXT NOT NULL,
  balance    TEXT,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < $2)
INSERT INTO customers (full_name, email, balance, created_at)
SELECT CASE WHEN i % 10 = 0 THEN NULL WHEN i % 7 = 0 THEN 'Prince' || i
            ELSE 'Ada' || i || ' Lovelace' || (i % 97) END,
       'c' || i || '@example.com',
       CASE WHEN i % 13 = 0 THEN NULL ELSE printf('%.2f', (i % 100000) / 100.0) END,
       datetime(1700000000 + i * 60, 'unixepoch')
FROM g;
SQL
}

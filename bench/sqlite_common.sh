# What the SQLite benchmarks share (sourced by bench/sqlite_*.sh): the
# working directory, timing, the writer's report, and the demo's
# customers table.
#
# Expects ROWS; sets DIR (BENCH_DIR, or a temporary directory removed on exit).

DIR="${BENCH_DIR:-}"
if [[ -z "$DIR" ]]; then
  DIR="$(mktemp -d)"
  trap 'rm -rf "$DIR"' EXIT
fi

now_ms() { echo $(($(date +%s%N) / 1000000)); }
json_number() { sed -n "s/.*\"$2\": *\([0-9.eE+-]*\).*/\1/p" "$1"; }

# A WAL database at $1 with ROWS customers, as the demo makes them.
create_customers() {
  sqlite3 -bail "$1" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
CREATE TABLE customers (
  id INTEGER PRIMARY KEY, full_name TEXT, email TEXT NOT NULL, balance TEXT,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < $ROWS)
INSERT INTO customers (full_name, email, balance, created_at)
SELECT CASE WHEN i % 10 = 0 THEN NULL WHEN i % 7 = 0 THEN 'Prince' || i
            ELSE 'Ada' || i || ' Lovelace' || (i % 97) END,
       'c' || i || '@example.com',
       CASE WHEN i % 13 = 0 THEN NULL ELSE printf('%.2f', (i % 100000) / 100.0) END,
       datetime(1700000000 + i * 60, 'unixepoch')
FROM g;
SQL
}

#!/usr/bin/env bash
# SQLite backfill vs a single UPDATE, same run (bench/README.md).
#
#   bash bench/sqlite_backfill.sh      (after make build)
#
# Two copies of the same database (BENCH_ROWS customers, the demo's table),
# both expanded by `tandem start --skip-backfill` of the demo's migration
# (shadow columns, marker, dual-write triggers). On each, an application
# stand-in (build/sqlite_app_writer) inserts and updates through the old
# version while the new columns are filled:
#   tandem   `tandem backfill` (short chunks)
#   single   one UPDATE of every row in one IMMEDIATE transaction, setting the
#            same columns to the same `up` expressions (taken from the plan)
# Reports rows/s of each, their ratio, and each writer's longest wait.
#
# Environment: TANDEM_BIN (build/tandem), WRITER_BIN (build/sqlite_app_writer),
# BENCH_ROWS (1000000), BENCH_DIR (a temporary directory, removed on exit).
set -Eeuo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

source bench/sqlite_common.sh

create() {
  create_customers "$1" "$ROWS"
  "$TANDEM" --url "sqlite:$1" start --skip-backfill "$MIGRATION" >/dev/null
}

start_writer() {
  "$WRITER" "$1" "$2" customers \
    "INSERT INTO customers (full_name, email, balance) VALUES ('Grace Hopper', 'g@bench.test', '10.50')" \
    "UPDATE customers SET full_name = 'Alan Turing', balance = '3.20' WHERE id = \$1" 2 &
  WRITER_PID=$!
  sleep 0.5
}

stop_writer() {
  sleep 0.5
  kill -TERM "$WRITER_PID"
  wait "$WRITER_PID" || true
}

# The single UPDATE: the plan's own `up` expressions, so both sides do the
# same work per row.
single_update_sql() {
  sqlite3 "$1" "SELECT 'UPDATE customers AS new SET ' ||
      group_concat('\"' || json_extract(u.value, '$.target') || '\" = (' ||
                   json_extract(u.value, '$.expression') || ')', ', ') ||
      ', _tandem_written_by = ''o'' WHERE _tandem_written_by IS NULL'
    FROM tandem_migrations m, json_each(m.plan, '$.syncs[0].up') u"
}

echo "creating two databases of $ROWS rows in $DIR ..."
create "$DIR/tandem.db"
cp "$DIR/tandem.db" "$DIR/single.db"
rm -f "$DIR/single.db-tandem.lock"

echo "tandem backfill (concurrent writer) ..."
start_writer "$DIR/tandem.db" "$DIR/writer-tandem.json"
started="$(now_ms)"
"$TANDEM" --url "sqlite:$DIR/tandem.db" backfill ${BENCH_BACKFILL_FLAGS:-} >/dev/null
tandem_ms=$(($(now_ms) - started))
stop_writer

echo "single UPDATE in one transaction (concurrent writer) ..."
update="$(single_update_sql "$DIR/single.db")"
start_writer "$DIR/single.db" "$DIR/writer-single.json"
started="$(now_ms)"
sqlite3 -bail "$DIR/single.db" "PRAGMA busy_timeout = 10000; BEGIN IMMEDIATE; $update; COMMIT;" >/dev/null
single_ms=$(($(now_ms) - started))
stop_writer

for db in tandem single; do
  left="$(sqlite3 "$DIR/$db.db" "SELECT count(*) FROM customers WHERE _tandem_written_by IS NULL")"
  [[ "$left" == 0 ]] || { echo "bench: $left rows of $db.db were not filled" >&2; exit 1; }
done

tandem_rate=$((ROWS * 1000 / tandem_ms))
single_rate=$((ROWS * 1000 / single_ms))
echo
printf '%-28s %12s %12s %18s %14s\n' "" "time (ms)" "rows/s" "writer longest" "writer p99"
printf '%-28s %12d %12d %15s ms %11s ms\n' "tandem backfill" "$tandem_ms" "$tandem_rate" \
  "$(json_number "$DIR/writer-tandem.json" longest_ms)" "$(json_number "$DIR/writer-tandem.json" p99_ms)"
printf '%-28s %12d %12d %15s ms %11s ms\n' "single UPDATE, one txn" "$single_ms" "$single_rate" \
  "$(json_number "$DIR/writer-single.json" longest_ms)" "$(json_number "$DIR/writer-single.json" p99_ms)"
echo
awk -v a="$tandem_rate" -v b="$single_rate" 'BEGIN { printf "ratio (tandem / single UPDATE rows/s): %.2fx\n", a / b }'

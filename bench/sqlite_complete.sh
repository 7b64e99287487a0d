#!/usr/bin/env bash
# SQLite complete: the online table rebuild vs the one-transaction rebuild,
# and verify vs the backfill, same run (bench/README.md).
#
#   bash bench/sqlite_complete.sh      (after make build)
#
# One database of BENCH_ROWS customers (the demo's table) goes through the
# demo's migration up to `switch` (start, backfill, verify: the backfill's
# and verify's times are measured here, on the same table). Then two copies
# of it are completed while an application stand-in (build/sqlite_app_writer)
# inserts and updates through the new version's view:
#   online     `tandem complete` (the final table filled beside the live one
#              in short chunks, a short swap, the old rows dropped in chunks)
#   one txn    the rebuild complete did before, as SQLite documents it: in
#              one IMMEDIATE transaction create the final table (the plan's
#              own CREATE TABLE), copy every row, drop the old table, rename
# A copy taken before switch is rolled back the same two ways, with the old
# version writing the table: `tandem rollback` (online rebuild into the
# table's shape before start) against DROP COLUMN of the added columns in
# one transaction, as rollback did before.
# Reports each one's time and the writer's longest wait, their ratios, the
# stall `plan` estimated, and verify / backfill.
#
# Environment: TANDEM_BIN (build/tandem), WRITER_BIN (build/sqlite_app_writer),
# BENCH_ROWS (1000000), BENCH_DIR (a temporary directory, removed on exit).
set -Eeuo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly VIEW=customers__02_customers_split_name
source bench/sqlite_common.sh

# The new version writes through its view, as in the demo's complete.
start_writer() {
  "$WRITER" "$1" "$2" customers \
    "INSERT INTO $VIEW (first_name, last_name, email, balance) VALUES ('Ada', 'Byron', 'a@bench.test', 1.5)" \
    "UPDATE $VIEW SET balance = balance + 1 WHERE id = \$1" 2 &
  WRITER_PID=$!
  sleep 0.5
}

# The old version writes the table itself, as while a rollback runs.
start_old_writer() {
  "$WRITER" "$1" "$2" customers \
    "INSERT INTO customers (full_name, email, balance) VALUES ('Grace Hopper', 'g@bench.test', '10.50')" \
    "UPDATE customers SET full_name = 'Alan Turing', balance = '3.20' WHERE id = \$1" 2 &
  WRITER_PID=$!
  sleep 0.5
}

# What rollback did before, in one transaction: drop tandem's triggers and
# the view, then DROP COLUMN of each column start added.
drop_columns_sql() {
  sqlite3 "$1" "SELECT group_concat(s, ' ') FROM (
      SELECT 'DROP TRIGGER \"' || name || '\";' AS s FROM sqlite_schema
        WHERE type = 'trigger' AND tbl_name = 'customers'
      UNION ALL SELECT 'DROP VIEW $VIEW;'
      UNION ALL SELECT 'ALTER TABLE customers DROP COLUMN \"' || name || '\";'
        FROM pragma_table_info('customers') WHERE name LIKE '\\_tandem%' ESCAPE '\\')"
}

stop_writer() {
  sleep 0.5
  kill -TERM "$WRITER_PID"
  wait "$WRITER_PID" || true
}

# The one-transaction rebuild, from the stored plan: its CREATE TABLE, and
# its copy statement over every rowid.
one_transaction_sql() {
  sqlite3 "$1" "SELECT json_extract(s.value, '$.copy.prepare[0]') || ';' ||
      replace(replace(json_extract(s.value, '$.copy.copy'), '\$1', '-9223372036854775808'),
              '\$2', '9223372036854775807') || ';'
    FROM tandem_migrations m, json_each(m.plan, '$.complete') s
    WHERE json_extract(s.value, '$.kind') = 'copy_rows'"
}

timed() {
  local started
  started="$(now_ms)"
  "$@" >/dev/null
  echo $(($(now_ms) - started))
}

echo "creating a database of $ROWS rows in $DIR ..."
create_customers "$DIR/online.db" "$ROWS"
export TANDEM_URL="sqlite:$DIR/online.db"
estimate="$("$TANDEM" plan "$MIGRATION" | sed -n 's/.*writers wait at most about \([0-9]*\) ms.*/\1/p' | head -1)"
"$TANDEM" start --skip-backfill "$MIGRATION" >/dev/null
echo "backfill and verify ..."
backfill_ms="$(timed "$TANDEM" backfill)"
verify_ms="$(timed "$TANDEM" verify)"
sqlite3 "$DIR/online.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$DIR/online.db" "$DIR/rollback.db"
cp "$DIR/online.db" "$DIR/dropcol.db"
# complete asks for a clean observation window once switched: a short one.
"$TANDEM" switch --observe 1s >/dev/null
sqlite3 "$DIR/online.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$DIR/online.db" "$DIR/onetxn.db"

echo "online rollback (concurrent old-version writer) ..."
start_old_writer "$DIR/rollback.db" "$DIR/writer-rollback.json"
rollback_ms="$(timed "$TANDEM" --url "sqlite:$DIR/rollback.db" rollback)"
stop_writer

echo "DROP COLUMN in one transaction (concurrent old-version writer) ..."
dropcol="$(drop_columns_sql "$DIR/dropcol.db")"
start_old_writer "$DIR/dropcol.db" "$DIR/writer-dropcol.json"
dropcol_ms="$(timed sqlite3 -bail "$DIR/dropcol.db" "PRAGMA busy_timeout = 10000; BEGIN IMMEDIATE; $dropcol COMMIT;")"
stop_writer

echo "online complete (concurrent writer) ..."
start_writer "$DIR/online.db" "$DIR/writer-online.json"
online_ms="$(timed "$TANDEM" complete)"
stop_writer

echo "one-transaction rebuild (concurrent writer) ..."
rebuild="$(one_transaction_sql "$DIR/onetxn.db")"
start_writer "$DIR/onetxn.db" "$DIR/writer-onetxn.json"
onetxn_ms="$(timed sqlite3 -bail "$DIR/onetxn.db" "PRAGMA busy_timeout = 10000; BEGIN IMMEDIATE;
  $rebuild DROP TABLE customers; PRAGMA legacy_alter_table = ON;
  ALTER TABLE _tandem_rebuild_customers RENAME TO customers; COMMIT;")"
stop_writer

for db in online onetxn; do
  n="$(sqlite3 "$DIR/$db.db" "SELECT count(*) FROM customers WHERE first_name IS NOT NULL")"
  [[ "$n" -ge "$ROWS" ]] || { echo "bench: $db.db has $n rebuilt rows, not $ROWS" >&2; exit 1; }
done
[[ "$(sqlite3 "$DIR/online.db" "PRAGMA integrity_check")" == ok ]] ||
  { echo "bench: integrity_check failed on online.db" >&2; exit 1; }

online_wait="$(json_number "$DIR/writer-online.json" longest_ms)"
onetxn_wait="$(json_number "$DIR/writer-onetxn.json" longest_ms)"
echo
printf '%-34s %10s %18s %12s\n' "" "time (ms)" "writer longest" "writer p99"
printf '%-34s %10d %15s ms %9s ms\n' "complete, online rebuild" "$online_ms" "$online_wait" \
  "$(json_number "$DIR/writer-online.json" p99_ms)"
printf '%-34s %10d %15s ms %9s ms\n' "one-transaction rebuild" "$onetxn_ms" "$onetxn_wait" \
  "$(json_number "$DIR/writer-onetxn.json" p99_ms)"
printf '%-34s %10d %15s ms %9s ms\n' "rollback, online rebuild" "$rollback_ms" \
  "$(json_number "$DIR/writer-rollback.json" longest_ms)" "$(json_number "$DIR/writer-rollback.json" p99_ms)"
printf '%-34s %10d %15s ms %9s ms\n' "DROP COLUMN, one transaction" "$dropcol_ms" \
  "$(json_number "$DIR/writer-dropcol.json" longest_ms)" "$(json_number "$DIR/writer-dropcol.json" p99_ms)"
printf '%-34s %10d\n' "backfill" "$backfill_ms"
printf '%-34s %10d\n' "verify" "$verify_ms"
echo
awk -v a="$online_ms" -v b="$onetxn_ms" 'BEGIN { printf "complete time, online / one txn:      %.2fx (target <= 2x)\n", a / b }'
awk -v a="$online_wait" -v b="$onetxn_wait" 'BEGIN { printf "writer longest wait, online / one txn: %.3fx\n", a / b }'
awk -v a="$(json_number "$DIR/writer-rollback.json" longest_ms)" -v b="$(json_number "$DIR/writer-dropcol.json" longest_ms)" \
  'BEGIN { printf "rollback writer longest wait, online / DROP COLUMN: %.3fx\n", a / b }'
awk -v a="$online_wait" -v e="${estimate:-0}" 'BEGIN { printf "plan estimated the stall at %s ms; measured %s ms (%.2fx)\n", e, a, a / (e > 0 ? e : 1) }'
awk -v a="$verify_ms" -v b="$backfill_ms" 'BEGIN { printf "verify / backfill:                     %.2fx (target <= 0.3x)\n", a / b }'

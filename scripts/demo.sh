#!/usr/bin/env bash
# The demo behind `make demo`: a zero-downtime migration of a one-million-row
# SQLite table while an application keeps writing to it.
#
#   bash scripts/demo.sh          (make demo installs what it needs and builds first)
#
# It splits customers.full_name into first_name/last_name and turns the text
# column balance into a REAL that is NOT NULL (examples/02_customers_split_name.yaml),
# through plan, start (expand + backfill), verify, switch with a short observation
# window and complete, while a writer
# inserts and updates through the old version. The database stays in
# .demo/demo.db for you to inspect (sqlite3 .demo/demo.db).
#
# Environment: TANDEM_BIN (default build/tandem), WRITER_BIN (default
# build/sqlite_app_writer), DEMO_ROWS (default 1000000).
set -Eeuo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly TANDEM="${TANDEM_BIN:-build/tandem}"
readonly WRITER="${WRITER_BIN:-build/sqlite_app_writer}"
readonly ROWS="${DEMO_ROWS:-1000000}"
readonly DIR=.demo
readonly DB="$DIR/demo.db"
readonly EXAMPLE=examples/02_customers_split_name.yaml
# The example with a `switch:` section: what the observation window watches.
readonly MIGRATION="$DIR/02_customers_split_name.yaml"
readonly VERSION=02_customers_split_name
readonly VIEW="customers__$VERSION"
source scripts/sqlite_customers.sh
export TANDEM_URL="sqlite:$DB"

declare -a PHASE_NAMES=() PHASE_MS=()
WRITER_PID=""

now_ms() { echo $(($(date +%s%N) / 1000000)); }

BOLD="" PLAIN=""
if [[ -t 1 ]]; then BOLD=$'\033[1m' PLAIN=$'\033[0m'; fi

header() {
  printf '\n%s=== %s%s\n' "$BOLD" "$1" "$PLAIN"
  [[ $# -lt 2 ]] || printf '%s\n' "${@:2}"
  echo
}

# Runs a named phase and records how long it took.
phase() {
  local name="$1" start
  shift
  start="$(now_ms)"
  "$@"
  PHASE_NAMES+=("$name")
  PHASE_MS+=($(($(now_ms) - start)))
}

sql() { sqlite3 -bail -cmd ".timeout 10000" "$DB" "$@"; }

# The application stand-in: runs `insert` and `update` (with a random
# customers id as $1) until stopped, then writes its report (writes, errors,
# longest wait) to `report`.
start_writer() {
  local report="$1" insert="$2" update="$3"
  "$WRITER" "$DB" "$report" customers "$insert" "$update" 2 &
  WRITER_PID=$!
}

stop_writer() {
  [[ -n "$WRITER_PID" ]] || return 0
  kill -TERM "$WRITER_PID" 2>/dev/null || true
  wait "$WRITER_PID" 2>/dev/null || true
  WRITER_PID=""
}

json_number() { sed -n "s/.*\"$2\": *\([0-9.eE+-]*\).*/\1/p" "$1"; }

on_error() {
  echo >&2
  echo "demo: failed (exit $1) running: ${2:0:200}" >&2
  echo "demo: see the output above; the database is in $DB" >&2
}

# ---- the phases ------------------------------------------------------------

create_database() {
  mkdir -p "$DIR"
  rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-tandem.lock" "$DIR"/writer-*.json
  create_customers "$DB" "$ROWS"
  sql "SELECT count(*) || ' rows, ' || sum(full_name IS NULL) || ' without a name, ' ||
              sum(balance IS NULL) || ' without a balance' FROM customers"
}

# The example plus a window: SQLite keeps no statistics of its own, so a
# probe watches that the new version never reads a customer without a balance.
write_migration() {
  cat "$EXAMPLE" - >"$MIGRATION" <<'YAML'
switch:
  observe: 3s
  sample_every: 1s
  probes:
    - name: new_version_null_balances
      sql: SELECT count(*) FROM customers__02_customers_split_name WHERE balance IS NULL
      max: 0
YAML
}

show_migration() { grep -v '^#' "$MIGRATION" | sed '/./,$!d'; }

start_old_writer() {
  start_writer "$DIR/writer-old.json" \
    "INSERT INTO customers (full_name, email, balance) VALUES ('Grace Hopper', 'grace@demo.test', '10.50')" \
    "UPDATE customers SET full_name = 'Alan Turing', balance = '3.20' WHERE id = \$1"
  echo "writer started (pid $WRITER_PID): inserts and updates through the old version, table customers"
}

both_versions() {
  echo "-- the old version (table customers) inserts a customer without a name or balance:"
  sql "INSERT INTO customers (full_name, email) VALUES (NULL, 'old-app@demo.test')"
  echo "-- the new version (view $VIEW) inserts a customer with first/last name:"
  sql "INSERT INTO $VIEW (first_name, last_name, email, balance) VALUES ('Grace', 'Hopper', 'new-app@demo.test', 42.5)"
  echo
  echo "-- both rows through the OLD version:"
  sql -header -column "SELECT id, full_name, balance FROM customers WHERE email LIKE '%-app@demo.test'"
  echo "-- both rows through the NEW version:"
  sql -header -column "SELECT id, first_name, last_name, balance FROM $VIEW WHERE email LIKE '%-app@demo.test'"
  echo "-- the new version refuses a NULL balance; the old one still accepts it:"
  sql "INSERT INTO $VIEW (first_name, email, balance) VALUES ('x', 'rejected@demo.test', NULL)" 2>&1 |
    sed 's/^/   /' || true
}

parity_numbers() {
  sql -header -column "SELECT json_extract(p.value, '$.column') AS new_column,
      json_extract(p.value, '$.direction') AS direction,
      json_extract(p.value, '$.checked') AS rows_checked,
      json_extract(p.value, '$.mismatches') AS mismatches
    FROM tandem_verify_runs r, json_each(r.report, '$.parity') p
    WHERE r.id = (SELECT max(id) FROM tandem_verify_runs)"
}

verify() {
  "$TANDEM" verify
  echo
  parity_numbers
}

retire_old_writer() {
  stop_writer
  echo "old version retired; its writer's report: $(cat "$DIR/writer-old.json")"
}

complete_with_new_writer() {
  # The new version keeps writing through its view while complete rebuilds
  # the table: its longest wait is how long the rebuild blocked writers.
  start_writer "$DIR/writer-new.json" \
    "INSERT INTO $VIEW (first_name, last_name, email, balance) VALUES ('Ada', 'Byron', 'ada@demo.test', 1.5)" \
    "UPDATE $VIEW SET balance = balance + 1 WHERE id = \$1"
  sleep 0.3
  "$TANDEM" complete
  sleep 0.3
  stop_writer
}

after_complete() {
  "$TANDEM" history
  echo
  sql ".schema customers"
  sql -header -column "SELECT id, first_name, last_name, balance FROM customers WHERE id IN (10, 14, 15) OR email LIKE '%-app@demo.test'"
}

summary() {
  local backfill_ms=0 i parity rows
  header "Report"
  for i in "${!PHASE_NAMES[@]}"; do
    printf '  %-42s %8d ms\n' "${PHASE_NAMES[$i]}" "${PHASE_MS[$i]}"
    [[ "${PHASE_NAMES[$i]}" != "tandem backfill"* ]] || backfill_ms="${PHASE_MS[$i]}"
  done
  parity="$(sql "SELECT parity_percent FROM tandem_verify_runs ORDER BY id DESC LIMIT 1")"
  rows="$(sql "SELECT json_extract(report, '$.rows') FROM tandem_verify_runs ORDER BY id DESC LIMIT 1")"
  echo
  printf '  %-42s %s\n' "table" "customers, $ROWS rows at start"
  printf '  %-42s %s rows/s\n' "backfill throughput" "$((ROWS * 1000 / (backfill_ms > 0 ? backfill_ms : 1)))"
  printf '  %-42s %s%% of %s rows\n' "parity (verify)" "$parity" "$rows"
  printf '  %-42s %s writes, longest wait %s ms, p99 %s ms, %s errors\n' \
    "old-version writer (start..verify)" \
    "$(json_number "$DIR/writer-old.json" writes)" "$(json_number "$DIR/writer-old.json" longest_ms)" \
    "$(json_number "$DIR/writer-old.json" p99_ms)" "$(json_number "$DIR/writer-old.json" errors)"
  printf '  %-42s %s writes, longest wait %s ms (the online table rebuild)\n' \
    "new-version writer (during complete)" \
    "$(json_number "$DIR/writer-new.json" writes)" "$(json_number "$DIR/writer-new.json" longest_ms)"
  echo
  echo "The database is left in $DB: sqlite3 $DB"
  echo "Run the same migration on PostgreSQL: make demo-postgres, or see README.md."
}

main() {
  for bin in "$TANDEM" "$WRITER"; do
    [[ -x "$bin" ]] || { echo "demo: $bin not found; run make build (or make demo)" >&2; exit 1; }
  done
  command -v sqlite3 >/dev/null || { echo "demo: sqlite3 not found (apt-get install sqlite3)" >&2; exit 1; }
  trap 'on_error $? "$BASH_COMMAND"' ERR
  trap stop_writer EXIT
  trap 'exit 130' INT TERM

  header "1. Create $DB with $ROWS customers"
  phase "create + fill customers" create_database

  write_migration
  header "2. The migration: $EXAMPLE, with a switch: section" \
    "Split full_name into first_name/last_name; balance becomes a REAL that is NOT NULL."
  show_migration

  header "3. tandem plan" \
    "Validates the file against the live database and prints each step's SQL and what it blocks;" \
    "changes nothing."
  phase "tandem plan" "$TANDEM" plan "$MIGRATION"

  header "4. The application keeps writing" \
    "A writer inserts and updates customers through the old version for the whole migration."
  start_old_writer

  header "5. tandem start: expand" \
    "Adds shadow columns, the dual-write triggers and the new version's view $VIEW."
  phase "tandem start (expand)" "$TANDEM" start --skip-backfill "$MIGRATION"

  header "6. tandem backfill" \
    "Fills the new columns of every existing row in short chunks; the writer waits at most a chunk."
  phase "tandem backfill" "$TANDEM" backfill

  header "7. Old and new version side by side"
  both_versions

  header "8. tandem verify" \
    "Every row: new columns = up(old) where the old version wrote last, old = down(new) where" \
    "the new version did; NULL drift. complete requires this to pass."
  phase "tandem verify (parity)" verify
  # The readiness gates and the scorecard (exit 1 while a gate is closed:
  # shown here, not enforced; switch and complete enforce them).
  "$TANDEM" gates || true

  header "9. tandem switch: the read switch and a 3s observation window" \
    "Refused until verify has passed. The application moves to the new version ($VIEW);" \
    "dual-write stays on, so switch --back (or rollback) flips back losing nothing. Then the" \
    "file's window: tandem watches its probe (SQLite keeps no statistics of its own) and would" \
    "flip back by itself on a breach; complete needs a clean window."
  echo "-- complete before the window is refused:"
  "$TANDEM" complete 2>&1 | sed 's/^/   /' || true
  echo
  phase "tandem switch (3s window)" "$TANDEM" switch
  "$TANDEM" status | grep -E -A1 'phase|observation window'

  header "10. Retire the old version"
  retire_old_writer

  header "11. tandem complete: contract" \
    "Drops the triggers and old columns and rebuilds the table into its final shape (NOT NULL," \
    "REAL) online: filled beside the live table in short chunks, then swapped in one short" \
    "transaction, while the new version keeps writing through its view."
  phase "tandem complete (contract)" complete_with_new_writer

  header "12. tandem history and the final table"
  after_complete

  header "13. tandem report" \
    "The migration's record from tandem's state: phases, backfill, verification, gate decisions."
  "$TANDEM" report

  summary
}

main "$@"

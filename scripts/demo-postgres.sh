#!/usr/bin/env bash
# The PostgreSQL demo behind `make demo-postgres`: a zero-downtime migration of a
# 300,000-row table on a throwaway local PostgreSQL, with the old and the new
# version of the schema in use at the same time.
#
#   bash scripts/demo-postgres.sh   (make demo-postgres builds tandem first)
#
# Environment: TANDEM_BIN (default build/tandem), DEMO_ROWS (default 300000).
# The server lives in .demo/pg and is stopped on exit, also on failure.
set -Eeuo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly TANDEM="${TANDEM_BIN:-build/tandem}"
readonly ROWS="${DEMO_ROWS:-300000}"
readonly PG_DIR=.demo/pg
readonly MIGRATION=examples/01_users_name_not_null.yaml
readonly VERSION_SCHEMA=public_01_users_name_not_null

PSQL=""
declare -a PHASE_NAMES=() PHASE_MS=()

# ---- helpers ---------------------------------------------------------------

now_ns() { date +%s%N; }

BOLD="" PLAIN=""
if [[ -t 1 ]]; then BOLD=$'\033[1m' PLAIN=$'\033[0m'; fi

header() {
  printf '\n%s=== %s%s\n' "$BOLD" "$1" "$PLAIN"
  [[ $# -lt 2 ]] || printf '%s\n' "${@:2}"
  echo
}

# Runs a named phase, prints what it did afterwards, and records its duration.
phase() {
  local name="$1"
  shift
  local start end
  start="$(now_ns)"
  "$@"
  end="$(now_ns)"
  PHASE_NAMES+=("$name")
  PHASE_MS+=($(((end - start) / 1000000)))
}

sql() { "$PSQL" -X -q -v ON_ERROR_STOP=1 -P null='(null)' "$@"; }

stop_server() {
  [[ -e "$PG_DIR" ]] || return 0
  if bash scripts/pg-harness.sh stop "$PG_DIR"; then
    echo "demo: server stopped, $PG_DIR removed"
  else
    echo "demo: could not stop the server in $PG_DIR" >&2
  fi
}

on_error() {
  echo >&2
  echo "demo: failed (exit $1) running: ${2:0:200}" >&2
  echo "demo: see the output above; stopping the server" >&2
}

find_psql() {
  PSQL=/usr/lib/postgresql/15/bin/psql
  [[ -x "$PSQL" ]] || PSQL="$(command -v psql)" ||
    { echo "demo: psql not found (install postgresql-client-15)" >&2; exit 1; }
}

# ---- the phases ------------------------------------------------------------

start_server() {
  bash scripts/pg-harness.sh start "$PG_DIR"
  TANDEM_URL="$(cat "$PG_DIR/url")"
  export TANDEM_URL
  export PGOPTIONS="-c client_min_messages=warning"
  echo "TANDEM_URL='$TANDEM_URL'"
}

create_sample_table() {
  sql -d "$TANDEM_URL" <<SQL
CREATE TABLE users (
  id         bigserial PRIMARY KEY,
  name       text NULL,
  email      text,
  created_at timestamptz
);
-- Every third user has no name: the migration below must give them one.
INSERT INTO users (name, email, created_at)
SELECT CASE WHEN g % 3 = 0 THEN NULL ELSE 'user ' || g END,
       'user' || g || '@example.com',
       timestamptz '2024-01-01' + g * interval '1 minute'
FROM generate_series(1, $ROWS) AS g;
VACUUM ANALYZE users;
SQL
  sql -d "$TANDEM_URL" -c "SELECT count(*) AS rows, count(*) FILTER (WHERE name IS NULL) AS null_names FROM users"
}

show_migration() {
  grep -v '^#' "$MIGRATION" | sed '/./,$!d'
}

# What the old application version sees: the table itself, without tandem's
# shadow columns.
old_version_read() {
  sql -d "$TANDEM_URL" -c "SELECT id, name, email FROM users WHERE email LIKE '%@demo.test' ORDER BY id"
}

new_version_read() {
  sql -d "$TANDEM_URL" -c "SET search_path = $VERSION_SCHEMA" \
    -c "SELECT id, name, email, email_verified FROM users WHERE email LIKE '%@demo.test' ORDER BY id"
}

both_versions() {
  echo "-- old version (default search_path) inserts a user without a name:"
  sql -d "$TANDEM_URL" -c "INSERT INTO users (name, email, created_at)
    VALUES (NULL, 'old-app@demo.test', now())"
  echo "-- new version (SET search_path = $VERSION_SCHEMA) inserts a verified user:"
  sql -d "$TANDEM_URL" -c "SET search_path = $VERSION_SCHEMA" \
    -c "INSERT INTO users (name, email, email_verified, created_at)
        VALUES ('Grace', 'new-app@demo.test', true, now())"
  echo
  echo "-- both rows read through the OLD version (name may be NULL, no email_verified):"
  old_version_read
  echo "-- both rows read through the NEW version (name is never NULL):"
  new_version_read
  echo "-- the new version refuses a NULL name, the old one still accepts it:"
  sql -d "$TANDEM_URL" -c "SET search_path = $VERSION_SCHEMA" \
    -c "INSERT INTO users (name, email) VALUES (NULL, 'rejected@demo.test')" 2>&1 |
    sed "s/^/   /" || true
}

after_complete() {
  "$TANDEM" history
  echo
  echo "-- the table now has the new shape:"
  sql -d "$TANDEM_URL" -c "SELECT id, name, email, email_verified FROM users WHERE email LIKE '%@demo.test' ORDER BY id"
  sql -d "$TANDEM_URL" -c "SELECT count(*) AS rows, count(*) FILTER (WHERE name = 'anonymous') AS anonymous FROM users"
}

summary() {
  header "Summary"
  printf '  %-36s %s\n' "table" "users, $ROWS rows ($((ROWS / 3)) NULL names)"
  local i
  for i in "${!PHASE_NAMES[@]}"; do
    printf '  %-36s %6d ms\n' "${PHASE_NAMES[$i]}" "${PHASE_MS[$i]}"
  done
  echo
  echo "Rerun everything: make demo-postgres (or bash scripts/demo-postgres.sh once built)."
  echo "Or step by hand:"
  printf '  %s\n' \
    "bash scripts/pg-harness.sh start $PG_DIR" \
    "export TANDEM_URL=\"\$(cat $PG_DIR/url)\"" \
    "psql \"\$TANDEM_URL\"    # create and fill users as in step 2" \
    "$TANDEM plan $MIGRATION" \
    "$TANDEM start $MIGRATION" \
    "$TANDEM status" \
    "$TANDEM complete    # or: $TANDEM rollback" \
    "bash scripts/pg-harness.sh stop $PG_DIR"
}

main() {
  [[ -x "$TANDEM" ]] || { echo "demo: $TANDEM not found; run make build (or make demo)" >&2; exit 1; }
  find_psql
  trap 'on_error $? "$BASH_COMMAND"' ERR
  trap stop_server EXIT
  trap 'exit 130' INT TERM

  header "1. Start a throwaway PostgreSQL 15 in $PG_DIR"
  phase "start PostgreSQL" start_server

  header "2. Create users with $ROWS rows" \
    "The old application version writes users.name as nullable."
  phase "create + fill users" create_sample_table

  header "3. The migration: $MIGRATION" \
    "Make name NOT NULL (NULL becomes 'anonymous') and add email_verified."
  show_migration

  header "4. tandem plan" "Validates the file against the live schema and prints each phase's SQL and locks; changes nothing."
  phase "tandem plan" "$TANDEM" plan "$MIGRATION"

  header "5. tandem start: expand + backfill" \
    "Adds shadow columns and a dual-write trigger, creates the version schema" \
    "$VERSION_SCHEMA, then copies every row into the shadow columns in chunks."
  phase "tandem start (expand + backfill)" "$TANDEM" start "$MIGRATION"

  header "6. Old and new version side by side" \
    "Each version writes a row; each row is read back through the other version."
  phase "writes through both versions" both_versions

  header "7. tandem verify" \
    "Checks every row: new columns = up(old) for rows the old version wrote, old = down(new)" \
    "for rows the new version wrote; NULL and default drift. complete requires this to pass."
  phase "tandem verify (parity)" "$TANDEM" verify

  header "8. tandem status"
  phase "tandem status" "$TANDEM" status

  header "9. tandem complete: contract" \
    "Validates NOT NULL, drops the trigger and the old column, renames the shadow columns."
  phase "tandem complete (contract)" "$TANDEM" complete

  header "10. tandem history"
  phase "tandem history" after_complete

  summary
  echo
}

main "$@"

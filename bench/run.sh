#!/usr/bin/env bash
# Dual-write trigger overhead: how much slower one bulk UPDATE of every row
# gets while a tandem migration is in progress (bench/README.md).
#
#   make bench     (or: bash bench/run.sh once build/tandem exists)
#
# Three databases on one throwaway server hold the same bench_users table:
#   a  no trigger (the table before the migration)
#   b  tandem start --skip-backfill of bench/dual_write.yaml: shadow column,
#      NOT VALID check, marker column and tandem's dual-write trigger
#   c  as b, with the trigger function replaced by a pgroll-style one
# Each round times the same UPDATE once in each database, the order rotating
# from round to round; the report gives the medians and b/a, c/a.
#
# BENCH_BREAKDOWN=1 adds two databases that split b's cost in parts:
#   d  tandem's columns and check, backfilled, trigger disabled: wider rows
#   e  as d, trigger enabled but its function only does RETURN NEW: the cost
#      of calling a PL/pgSQL row trigger at all
#
# Environment: TANDEM_BIN (default build/tandem), BENCH_ROWS (300000),
# BENCH_RUNS (5 timed rounds, after one untimed warm-up round),
# BENCH_BREAKDOWN (0).
set -Eeuo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly TANDEM="${TANDEM_BIN:-build/tandem}"
readonly ROWS="${BENCH_ROWS:-300000}"
readonly RUNS="${BENCH_RUNS:-5}"
readonly MIGRATION=bench/dual_write.yaml
VARIANTS=(a b c)
[[ "${BENCH_BREAKDOWN:-0}" == 0 ]] || VARIANTS+=(d e)
readonly VARIANTS
readonly UPDATE_SQL="UPDATE bench_users SET name = name || 'x', counter = counter + 1"

declare -A LABEL=(
  [a]="a  no trigger"
  [b]="b  tandem dual-write trigger"
  [c]="c  pgroll-style trigger"
  [d]="d  tandem columns, no trigger"
  [e]="e  tandem columns, no-op trigger"
)
declare -A TIMES=()   # variant -> space-separated milliseconds
WORK_DIR=""
BASE_URL=""
PSQL=""

log() { echo "bench: $*" >&2; }

cleanup() {
  [[ -n "$WORK_DIR" ]] || return 0
  bash scripts/pg-harness.sh stop "$WORK_DIR/pg" || log "could not stop the server in $WORK_DIR/pg"
  rm -rf -- "$WORK_DIR"
}

find_psql() {
  PSQL=/usr/lib/postgresql/15/bin/psql
  [[ -x "$PSQL" ]] || PSQL="$(command -v psql)" || { log "psql not found"; exit 1; }
}

# Later keywords win in a libpq key=value string.
url_of() { printf '%s dbname=bench_%s' "$BASE_URL" "$1"; }

sql_in() {
  local variant="$1"
  shift
  "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 -d "$(url_of "$variant")" "$@"
}

start_server() {
  WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/tandem-bench.XXXXXX")"
  chmod 755 "$WORK_DIR" # mktemp makes it 0700; the server user must reach it
  bash scripts/pg-harness.sh start "$WORK_DIR/pg"
  BASE_URL="$(cat "$WORK_DIR/pg/url")"
}

create_table() {
  local variant="$1"
  "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$BASE_URL" -c "CREATE DATABASE bench_$variant"
  # Autovacuum is off for the table: each run vacuums it itself, and a
  # background vacuum landing inside one timed run would skew it.
  sql_in "$variant" <<SQL
CREATE TABLE bench_users (id bigint PRIMARY KEY, name text, counter int)
  WITH (autovacuum_enabled = false);
INSERT INTO bench_users
SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'user ' || g END, 0
FROM generate_series(1, $ROWS) AS g;
VACUUM ANALYZE bench_users;
SQL
}

# Extra arguments go to tandem start (--skip-backfill).
install_tandem() {
  local variant="$1"
  shift
  "$TANDEM" --url "$(url_of "$variant")" start "$MIGRATION" "$@" >/dev/null
}

# The name of the function behind tandem's trigger in the variant's database.
trigger_function() {
  local function
  function="$(sql_in "$1" -c "SELECT tgfoid::regproc::text FROM pg_trigger
    WHERE tgrelid = 'bench_users'::regclass AND tgname = '_tandem_dual_write'")"
  [[ -n "$function" ]] || { log "tandem's trigger is missing in bench_$1"; exit 1; }
  printf '%s' "$function"
}

install_breakdown() {
  install_tandem d
  sql_in d -c "ALTER TABLE bench_users DISABLE TRIGGER _tandem_dual_write"
  install_tandem e
  sql_in e -c "CREATE OR REPLACE FUNCTION $(trigger_function e)() RETURNS trigger
    LANGUAGE plpgsql AS \$\$ BEGIN RETURN NEW; END \$\$"
}

# A trigger in the style of pgroll's: every column of the table copied into
# a local variable, the search_path read on every row, then the up
# expression over the locals. It replaces tandem's function, so b and c
# differ only in the function body.
install_pgroll_style() {
  local variant="$1"
  sql_in "$variant" <<SQL
CREATE OR REPLACE FUNCTION $(trigger_function "$variant")() RETURNS trigger LANGUAGE plpgsql AS \$body\$
DECLARE
  id bigint := NEW.id;
  name text := NEW.name;
  counter int := NEW.counter;
  session_path text := current_setting('search_path');
  new_version text := 'public_bench';
BEGIN
  IF session_path = new_version THEN
    NEW.name := NEW._tandem_new_name;
  ELSE
    NEW._tandem_new_name := CASE WHEN name IS NULL THEN 'n/a' ELSE name END;
  END IF;
  RETURN NEW;
END
\$body\$;
SQL
}

# Prints the UPDATE's wall time in ms, measured by the server (commit
# included) after a VACUUM and CHECKPOINT that give every run the same start.
timed_update() {
  local variant="$1"
  sql_in "$variant" <<SQL
VACUUM bench_users;
CHECKPOINT;
SELECT clock_timestamp() AS t0 \gset
$UPDATE_SQL;
SELECT round(extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SQL
}

# Every variant once per round, starting with a different one each round.
run_rounds() {
  local round i variant ms
  for ((round = 0; round <= RUNS; round++)); do
    for ((i = 0; i < ${#VARIANTS[@]}; i++)); do
      variant="${VARIANTS[(round + i) % ${#VARIANTS[@]}]}"
      ms="$(timed_update "$variant")"
      if ((round == 0)); then
        log "warm-up $variant: $ms ms"
      else
        log "round $round $variant: $ms ms"
        TIMES[$variant]+="$ms "
      fi
    done
  done
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1} END {
  if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ratio() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.2f", x / y }'; }

# The triggers must have done the work: every shadow value equals up(name).
check_shadow_columns() {
  local variant wrong
  for variant in b c; do
    wrong="$(sql_in "$variant" -c "SELECT count(*) FROM bench_users
      WHERE _tandem_new_name IS DISTINCT FROM CASE WHEN name IS NULL THEN 'n/a' ELSE name END")"
    [[ "$wrong" == 0 ]] || { log "variant $variant: $wrong rows with a wrong shadow value"; exit 1; }
  done
}

report() {
  local variant median_ms
  declare -A MEDIAN=()
  echo
  echo "bulk UPDATE of $ROWS rows: $UPDATE_SQL"
  printf '%-34s %-36s %9s %7s\n' "variant" "runs (ms, in round order)" "median ms" "vs a"
  for variant in "${VARIANTS[@]}"; do
    median_ms="$(median <<<"${TIMES[$variant]}")"
    MEDIAN[$variant]="$median_ms"
    printf '%-34s %-36s %9s %6sx\n' "${LABEL[$variant]}" "${TIMES[$variant]% }" "$median_ms" \
      "$(ratio "$median_ms" "${MEDIAN[a]}")"
  done
  echo
  echo "trigger overhead: tandem $(ratio "${MEDIAN[b]}" "${MEDIAN[a]}")x," \
    "pgroll-style $(ratio "${MEDIAN[c]}" "${MEDIAN[a]}")x (median of $RUNS, $ROWS rows)"
}

main() {
  [[ -x "$TANDEM" ]] || { log "$TANDEM not found; run make build (or make bench)"; exit 1; }
  find_psql
  trap 'log "failed (exit $?) running: ${BASH_COMMAND:0:200}"' ERR
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  start_server
  local variant
  for variant in "${VARIANTS[@]}"; do
    log "creating bench_users ($ROWS rows) in bench_$variant"
    create_table "$variant"
  done
  install_tandem b --skip-backfill
  install_tandem c --skip-backfill
  install_pgroll_style c
  [[ "${BENCH_BREAKDOWN:-0}" == 0 ]] || install_breakdown
  log "timing: 1 warm-up round, then $RUNS rounds of ${VARIANTS[*]} (rotating order)"
  run_rounds
  check_shadow_columns
  report
}

main "$@"

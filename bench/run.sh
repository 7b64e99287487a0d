#!/usr/bin/env bash
# Dual-write trigger overhead: how much slower a bulk UPDATE of every row
# gets while a tandem migration is in progress (bench/README.md), for an
# UPDATE of the column `up` reads and for one of an unrelated column.
#
#   make bench     (or: bash bench/run.sh once build/tandem exists)
#
# Two table shapes, each in its own set of databases on one throwaway server:
#   users     bench_users, 3 columns, primary key only (a trigger's worst case)
#   accounts  bench_accounts, 12 columns of mixed types, primary key, a unique
#             index and one more secondary index (a realistic table)
# and for each shape six variants of the same table:
#   a  no trigger (the table before the migration)
#   b  tandem start --skip-backfill of bench/dual_write_<shape>.yaml: shadow
#      column, NOT VALID check, _tandem_written_by column and tandem's
#      dual-write triggers
#   c  as b, with the trigger function replaced by a pgroll-style one;
#      backfilled, since that function never sets the marker (a row without
#      one runs the trigger on any update)
#   d  tandem's columns and check, backfilled, triggers dropped: what the
#      wider rows and the check cost without any trigger
#   e  as d, and one plain BEFORE UPDATE row trigger whose PL/pgSQL function
#      only does RETURN NEW: the floor of any row trigger
#   s  as d, and one BEFORE UPDATE OF name row trigger (RETURN NEW only),
#      which the unrelated UPDATE never fires: what the mere presence of a
#      skipped BEFORE UPDATE trigger costs (PostgreSQL locks each row for
#      it before it looks at the trigger's column list)
# Each round times two UPDATEs (the column `up` reads, then an unrelated
# one) once in each database of each shape, the order of the variants
# rotating from round to round; the report gives the medians and the ratios
# to a per shape and UPDATE.
#
# Each timed UPDATE also records the WAL it wrote (bytes per row), which
# the machine's load does not change.
#
# BENCH_BREAKDOWN=1 adds three databases per shape that split b's cost:
#   f  as b, with the version test put back to the substring test of
#      search_path that tandem used before current_schema()
#   g  as b, with the version test replaced by the constant false: the body
#      without any version test (b - g is what the test costs)
#   h  as b, without the marker assignment of the old version's branch
#      (backfilled, as c)
#
# Then a mixed workload per shape: pgbench's clients send single-row UPDATEs
# by random id, 9 in 10 of an unrelated column and 1 in 10 of the column
# `up` reads, to a (no migration) and b (the migration active), alternating
# a and b for BENCH_MIXED_ROUNDS rounds of BENCH_MIXED_SECONDS each; the
# report gives the transactions per second and the 99th percentile latency
# of each, and b's ratio to a.
#
# Environment: TANDEM_BIN (default build/tandem), BENCH_ROWS (300000),
# BENCH_RUNS (5 timed rounds, after one untimed warm-up round),
# BENCH_SHAPES ("users accounts"), BENCH_BREAKDOWN (0), BENCH_MIXED_ROUNDS
# (3; 0 leaves the mixed workload out), BENCH_MIXED_SECONDS (10),
# BENCH_MIXED_CLIENTS (4).
set -Eeuo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly TANDEM="${TANDEM_BIN:-build/tandem}"
readonly ROWS="${BENCH_ROWS:-300000}"
readonly RUNS="${BENCH_RUNS:-5}"
readonly MIXED_ROUNDS="${BENCH_MIXED_ROUNDS:-3}"
readonly MIXED_SECONDS="${BENCH_MIXED_SECONDS:-10}"
readonly MIXED_CLIENTS="${BENCH_MIXED_CLIENTS:-4}"
read -r -a SHAPES <<<"${BENCH_SHAPES:-users accounts}"
readonly SHAPES
VARIANTS=(a b c d e s)
[[ "${BENCH_BREAKDOWN:-0}" == 0 ]] || VARIANTS+=(f g h)
readonly VARIANTS
# The variants whose trigger computes the shadow column on every row.
readonly CHECKED_VARIANTS="b c f g h"
# The migration's up expression, as the correctness check evaluates it.
readonly UP_SQL="CASE WHEN name IS NULL THEN 'n/a' ELSE name END"

declare -A TABLE=([users]=bench_users [accounts]=bench_accounts)
declare -A DESCRIPTION=(
  [users]="3 columns, primary key only"
  [accounts]="12 columns, primary key + 2 secondary indexes"
)
declare -A LABEL=(
  [a]="a  no trigger"
  [b]="b  tandem dual-write trigger"
  [c]="c  pgroll-style trigger"
  [d]="d  tandem columns, no trigger"
  [e]="e  plain trigger, RETURN NEW only"
  [s]="s  skipped BEFORE UPDATE OF trigger"
  [f]="f  tandem, old substring test"
  [g]="g  tandem, no version test"
  [h]="h  tandem, no marker assignment"
)
# The two timed UPDATEs: one changes the column `up` reads, so the trigger
# does real work on every row; the other changes only a column `up` and
# `down` do not read, which tandem's triggers skip. Neither changes an
# indexed column.
KINDS=(up unrelated)
declare -A KIND_LABEL=([up]="the column up reads" [unrelated]="an unrelated column")
declare -A TIMES=()   # "shape kind variant" -> space-separated milliseconds
declare -A MEDIAN=()  # "shape kind variant" -> median milliseconds
declare -A WAL=()     # "shape kind variant" -> WAL bytes per row, last round
declare -A MIXED_TPS=()  # "shape variant" -> space-separated tps, one per round
WORK_DIR=""
BASE_URL=""
PSQL=""
PGBENCH=""

log() { echo "bench: $*" >&2; }

# ---- server and databases -----------------------------------------------------

cleanup() {
  [[ -n "$WORK_DIR" ]] || return 0
  bash scripts/pg-harness.sh stop "$WORK_DIR/pg" || log "could not stop the server in $WORK_DIR/pg"
  rm -rf -- "$WORK_DIR"
}

find_psql() {
  PSQL=/usr/lib/postgresql/15/bin/psql
  [[ -x "$PSQL" ]] || PSQL="$(command -v psql)" || { log "psql not found"; exit 1; }
  PGBENCH=/usr/lib/postgresql/15/bin/pgbench
  [[ -x "$PGBENCH" ]] || PGBENCH="$(command -v pgbench)" || { log "pgbench not found"; exit 1; }
}

start_server() {
  WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/tandem-bench.XXXXXX")"
  chmod 755 "$WORK_DIR" # mktemp makes it 0700; the server user must reach it
  bash scripts/pg-harness.sh start "$WORK_DIR/pg"
  BASE_URL="$(cat "$WORK_DIR/pg/url")"
}

# One database per shape and variant. Later keywords win in a libpq
# key=value string.
url_of() { printf '%s dbname=bench_%s_%s' "$BASE_URL" "$1" "$2"; }

# sql_in SHAPE VARIANT [psql arguments]: runs psql in that database.
sql_in() {
  local shape="$1" variant="$2"
  shift 2
  "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 -d "$(url_of "$shape" "$variant")" "$@"
}

# ---- the two table shapes ---------------------------------------------------
#
# Both have the column the migration changes (name, 1 in 10 NULL, so `up`
# has NULLs to replace) and the counter the UPDATE increments. Autovacuum is
# off for the tables: each run vacuums the table itself, and a background
# vacuum landing inside one timed run would skew it.

create_users() {
  sql_in users "$1" <<SQL
CREATE TABLE bench_users (id bigint PRIMARY KEY, name text, counter int)
  WITH (autovacuum_enabled = false);
INSERT INTO bench_users
SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'user ' || g END, 0
FROM generate_series(1, $ROWS) AS g;
VACUUM ANALYZE bench_users;
SQL
}

# An accounts table as an application would have it: mixed types, a row of
# about 250 bytes, a unique email and an index on created_at. The UPDATE
# changes no indexed column, like most application updates.
create_accounts() {
  sql_in accounts "$1" <<SQL
CREATE TABLE bench_accounts (
  id bigint PRIMARY KEY,
  email text NOT NULL,
  name text,
  status text NOT NULL,
  plan text NOT NULL,
  country text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  counter int NOT NULL,
  balance numeric(12, 2) NOT NULL,
  flags int NOT NULL,
  bio text
) WITH (autovacuum_enabled = false);
INSERT INTO bench_accounts
SELECT g,
       'user' || g || '@example.com',
       CASE WHEN g % 10 = 0 THEN NULL ELSE 'user ' || g END,
       (ARRAY['active', 'active', 'active', 'suspended', 'closed'])[1 + g % 5],
       (ARRAY['free', 'pro', 'team', 'enterprise'])[1 + g % 4],
       (ARRAY['US', 'DE', 'FR', 'IN', 'BR', 'JP', 'GB', NULL])[1 + g % 8],
       timestamptz '2024-01-01 00:00+00' + g * interval '97 seconds',
       timestamptz '2024-01-01 00:00+00' + g * interval '97 seconds' + (g % 1000) * interval '1 hour',
       g % 50,
       round((g % 100000) / 7.0, 2),
       g % 16,
       'bio ' || repeat(md5(g::text), 3)   -- 100 bytes
FROM generate_series(1, $ROWS) AS g;
CREATE UNIQUE INDEX bench_accounts_email ON bench_accounts (email);
CREATE INDEX bench_accounts_created_at ON bench_accounts (created_at);
VACUUM ANALYZE bench_accounts;
SQL
}

create_table() {
  local shape="$1" variant="$2"
  "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$BASE_URL" -c "CREATE DATABASE bench_${shape}_$variant"
  "create_$shape" "$variant"
}

# ---- the triggers -------------------------------------------------------------

# install_tandem SHAPE VARIANT [tandem start arguments (--skip-backfill)]
install_tandem() {
  local shape="$1" variant="$2"
  shift 2
  "$TANDEM" --url "$(url_of "$shape" "$variant")" start "bench/dual_write_$shape.yaml" "$@" >/dev/null
}

# The name of the function behind tandem's trigger in the database.
trigger_function() {
  local shape="$1" variant="$2" function
  function="$(sql_in "$shape" "$variant" -c "SELECT tgfoid::regproc::text FROM pg_trigger
    WHERE tgrelid = '${TABLE[$shape]}'::regclass AND tgname = '_tandem_dual_write'")"
  [[ -n "$function" ]] || { log "tandem's trigger is missing in bench_${shape}_$variant"; exit 1; }
  printf '%s' "$function"
}

# A trigger in the style of pgroll's: every column of the table copied into
# a local variable, the search_path read on every row, then the up
# expression over the locals (tandem's _tandem_written_by column is left
# alone: pgroll has none). It replaces tandem's function, so b and c differ only in the
# function body. The locals are the table's columns before the migration,
# read from the catalog so that one function serves both shapes.
install_pgroll_style() {
  local shape="$1" variant="$2" locals
  locals="$(sql_in "$shape" "$variant" -c "
    SELECT string_agg(format('  %I %s := NEW.%I;', attname, format_type(atttypid, atttypmod), attname),
                      E'\n' ORDER BY attnum)
    FROM pg_attribute
    WHERE attrelid = '${TABLE[$shape]}'::regclass AND attnum > 0 AND NOT attisdropped
      AND attname NOT LIKE '\_tandem\_%'")"
  sql_in "$shape" "$variant" <<SQL
CREATE OR REPLACE FUNCTION $(trigger_function "$shape" "$variant")() RETURNS trigger LANGUAGE plpgsql AS \$body\$
DECLARE
$locals
  session_path text := current_setting('search_path');
  new_version text := 'public_bench';
BEGIN
  IF session_path = new_version THEN
    NEW.name := NEW._tandem_new_name;
  ELSE
    NEW._tandem_new_name := $UP_SQL;
  END IF;
  RETURN NEW;
END
\$body\$;
SQL
}

# replace_in_function SHAPE VARIANT FROM TO: rewrites tandem's generated
# function with FROM replaced by TO; everything else stays as tandem
# generated it.
replace_in_function() {
  local shape="$1" variant="$2" from="$3" to="$4"
  sql_in "$shape" "$variant" -v from="$from" -v to="$to" <<SQL
SELECT pg_get_functiondef(tgfoid) AS def FROM pg_trigger
WHERE tgrelid = '${TABLE[$shape]}'::regclass AND tgname = '_tandem_dual_write' \gset
SELECT replace(:'def', :'from', :'to') AS new_def \gset
SELECT :'new_def' <> :'def' AS replaced \gset
\if :replaced
:new_def;
\else
\warn 'tandem''s function does not contain' :'from'
SELECT 1/0;
\endif
SQL
}

# The version test (current_schema() = '<version schema>') replaced.
replace_version_test() {
  replace_in_function "$1" "$2" "current_schema() = 'public_bench'" "$3"
}

# tandem's columns and check, backfilled, tandem's triggers dropped (a
# disabled trigger would still count: PostgreSQL locks each updated row for
# any BEFORE UPDATE row trigger, enabled or not).
install_columns_only() {
  install_tandem "$1" "$2"
  sql_in "$1" "$2" <<SQL
DO \$\$
DECLARE trigger_name name;
BEGIN
  FOR trigger_name IN SELECT tgname FROM pg_trigger
                      WHERE tgrelid = '${TABLE[$1]}'::regclass AND NOT tgisinternal LOOP
    EXECUTE format('DROP TRIGGER %I ON ${TABLE[$1]}', trigger_name);
  END LOOP;
END
\$\$;
SQL
}

# install_plain_trigger SHAPE VARIANT EVENT: as install_columns_only, and a
# row trigger BEFORE EVENT whose function only returns NEW.
install_plain_trigger() {
  local shape="$1" variant="$2" event="$3"
  install_columns_only "$shape" "$variant"
  sql_in "$shape" "$variant" <<SQL
CREATE FUNCTION bench_noop() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NEW; END \$\$;
CREATE TRIGGER bench_noop BEFORE $event ON ${TABLE[$shape]} FOR EACH ROW EXECUTE FUNCTION bench_noop();
SQL
}

# A plain row trigger that only returns NEW, in place of tandem's.
install_noop_trigger() { install_plain_trigger "$1" "$2" "UPDATE"; }

# The same, for updates of name only: never fired by the unrelated UPDATE.
install_skipped_trigger() { install_plain_trigger "$1" "$2" "UPDATE OF name"; }

install_breakdown() {
  local shape="$1"
  install_tandem "$shape" f --skip-backfill
  replace_version_test "$shape" f "position('public_bench' IN current_setting('search_path')) > 0"
  install_tandem "$shape" g --skip-backfill
  replace_version_test "$shape" g "false"
  install_tandem "$shape" h
  replace_in_function "$shape" h "NEW.\"_tandem_written_by\" := 'o';" ""
}

setup_shape() {
  local shape="$1" variant
  for variant in "${VARIANTS[@]}"; do
    log "creating ${TABLE[$shape]} ($ROWS rows) in bench_${shape}_$variant"
    create_table "$shape" "$variant"
  done
  install_tandem "$shape" b --skip-backfill
  install_tandem "$shape" c
  install_pgroll_style "$shape" c
  install_columns_only "$shape" d
  install_noop_trigger "$shape" e
  install_skipped_trigger "$shape" s
  [[ "${BENCH_BREAKDOWN:-0}" == 0 ]] || install_breakdown "$shape"
}

# ---- timing -------------------------------------------------------------------

# update_sql SHAPE KIND
update_sql() {
  case "$2" in
    up) printf "UPDATE %s SET name = name || 'x', counter = counter + 1" "${TABLE[$1]}" ;;
    unrelated) printf "UPDATE %s SET counter = counter + 1" "${TABLE[$1]}" ;;
  esac
}

# Prints the UPDATE's wall time in ms, measured by the server (commit
# included) after a VACUUM and CHECKPOINT that give every run the same start,
# and the WAL it wrote in bytes per row: "ms wal".
timed_update() {
  local shape="$1" variant="$2" kind="$3"
  sql_in "$shape" "$variant" -F ' ' <<SQL
VACUUM ${TABLE[$shape]};
CHECKPOINT;
SELECT clock_timestamp() AS t0, pg_current_wal_insert_lsn() AS l0 \gset
$(update_sql "$shape" "$kind");
SELECT round(extract(epoch FROM clock_timestamp() - :'t0') * 1000),
       round(pg_wal_lsn_diff(pg_current_wal_insert_lsn(), :'l0') / $ROWS);
SQL
}

# Round 0 is an untimed warm-up (its first UPDATE brings every row of b's
# table in sync, as the backfill would). In every round each shape's
# variants run once, each both UPDATEs, starting with a different variant
# each round, so that no variant always follows the same neighbour or
# always runs first.
run_rounds() {
  local round shape i variant kind ms wal
  for ((round = 0; round <= RUNS; round++)); do
    for shape in "${SHAPES[@]}"; do
      for ((i = 0; i < ${#VARIANTS[@]}; i++)); do
        variant="${VARIANTS[(round + i) % ${#VARIANTS[@]}]}"
        for kind in "${KINDS[@]}"; do
          read -r ms wal <<<"$(timed_update "$shape" "$variant" "$kind")"
          if ((round == 0)); then
            log "warm-up $shape $kind $variant: $ms ms, $wal WAL bytes/row"
          else
            log "round $round $shape $kind $variant: $ms ms, $wal WAL bytes/row"
            TIMES["$shape $kind $variant"]+="$ms "
            WAL["$shape $kind $variant"]="$wal"
          fi
        done
      done
    done
  done
}

# The triggers must have done the work: every shadow value equals up(name),
# so a trigger that does nothing cannot look fast.
check_shadow_columns() {
  local shape variant wrong
  for shape in "${SHAPES[@]}"; do
    for variant in "${VARIANTS[@]}"; do
      [[ " $CHECKED_VARIANTS " == *" $variant "* ]] || continue
      wrong="$(sql_in "$shape" "$variant" -c "SELECT count(*) FROM ${TABLE[$shape]}
        WHERE _tandem_new_name IS DISTINCT FROM $UP_SQL")"
      [[ "$wrong" == 0 ]] || { log "$shape $variant: $wrong rows with a wrong shadow value"; exit 1; }
    done
  done
}

# ---- mixed workload -------------------------------------------------------------

# The pgbench script: one single-row UPDATE by random id per transaction, 9
# in 10 of the counter (unrelated), 1 in 10 of the column `up` reads (set,
# not appended to, so names do not grow over the run).
mixed_script() {
  cat <<SCRIPT
\\set id random(1, $ROWS)
\\set pick random(1, 10)
\\if :pick = 1
UPDATE ${TABLE[$1]} SET name = 'mixed ' || :id, counter = counter + 1 WHERE id = :id;
\\else
UPDATE ${TABLE[$1]} SET counter = counter + 1 WHERE id = :id;
\\endif
SCRIPT
}

# mixed_run SHAPE VARIANT ROUND: one pgbench run; its per-transaction log
# (latency in microseconds in the third field) is kept for the percentile.
mixed_run() {
  local shape="$1" variant="$2" round="$3" tps
  tps="$("$PGBENCH" -n -M prepared -c "$MIXED_CLIENTS" -j "$MIXED_CLIENTS" -T "$MIXED_SECONDS" \
    -f "$WORK_DIR/mixed_$shape.sql" -l --log-prefix="$WORK_DIR/mixed_${shape}_${variant}_$round" \
    "$(url_of "$shape" "$variant")" 2>/dev/null | awk '/^tps = / {printf "%.0f", $3}')"
  [[ -n "$tps" ]] || { log "pgbench gave no tps for $shape $variant"; exit 1; }
  log "mixed round $round $shape $variant: $tps tps"
  MIXED_TPS["$shape $variant"]+="$tps "
}

run_mixed() {
  local shape round
  ((MIXED_ROUNDS > 0)) || return 0
  log "mixed workload: $MIXED_ROUNDS rounds of ${MIXED_SECONDS}s, $MIXED_CLIENTS clients, a and b alternating"
  for shape in "${SHAPES[@]}"; do
    mixed_script "$shape" >"$WORK_DIR/mixed_$shape.sql"
    for ((round = 1; round <= MIXED_ROUNDS; round++)); do
      if ((round % 2)); then
        mixed_run "$shape" a "$round"
        mixed_run "$shape" b "$round"
      else
        mixed_run "$shape" b "$round"
        mixed_run "$shape" a "$round"
      fi
    done
  done
}

# p99 SHAPE VARIANT: the 99th percentile latency in ms over all its rounds.
p99() {
  cat "$WORK_DIR/mixed_$1_$2_"* | awk '{print $3}' | sort -n |
    awk '{v[NR] = $1} END {i = int(NR * 0.99); if (i < 1) i = 1; printf "%.2f", v[i] / 1000}'
}

report_mixed() {
  local shape tps_a tps_b p99_a p99_b
  ((MIXED_ROUNDS > 0)) || return 0
  echo
  echo "mixed workload: single-row UPDATEs by random id, 9 in 10 unrelated, 1 in 10 of the column up reads"
  echo "($MIXED_CLIENTS clients, $MIXED_ROUNDS rounds of ${MIXED_SECONDS}s per variant, a and b alternating)"
  printf '%-9s %-22s %-22s %9s %9s %9s\n' "shape" "tps a (runs)" "tps b (runs)" "tps b/a" "p99 a ms" "p99 b/a"
  for shape in "${SHAPES[@]}"; do
    tps_a="$(median <<<"${MIXED_TPS["$shape a"]}")"
    tps_b="$(median <<<"${MIXED_TPS["$shape b"]}")"
    p99_a="$(p99 "$shape" a)"
    p99_b="$(p99 "$shape" b)"
    printf '%-9s %-22s %-22s %8sx %9s %8sx\n' "$shape" "${MIXED_TPS["$shape a"]% }" \
      "${MIXED_TPS["$shape b"]% }" "$(ratio "$tps_b" "$tps_a")" "$p99_a" "$(ratio "$p99_b" "$p99_a")"
  done
}

# ---- report -------------------------------------------------------------------

median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR] = $1} END {
  if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ratio() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.2f", x / y }'; }

report_table() {
  local shape="$1" kind="$2" variant key
  echo
  echo "$shape: ${TABLE[$shape]} (${DESCRIPTION[$shape]}), $ROWS rows: $(update_sql "$shape" "$kind")"
  printf '%-34s %-36s %9s %7s %9s\n' "variant" "runs (ms, in round order)" "median ms" "vs a" "WAL B/row"
  for variant in "${VARIANTS[@]}"; do
    key="$shape $kind $variant"
    MEDIAN["$key"]="$(median <<<"${TIMES["$key"]}")"
    printf '%-34s %-36s %9s %6sx %9s\n' "${LABEL[$variant]}" "${TIMES["$key"]% }" \
      "${MEDIAN["$key"]}" "$(ratio "${MEDIAN["$key"]}" "${MEDIAN["$shape $kind a"]}")" "${WAL["$key"]}"
  done
}

# m SHAPE KIND VARIANT: the median.
m() { printf '%s' "${MEDIAN["$1 $2 $3"]}"; }

report() {
  local shape kind
  for shape in "${SHAPES[@]}"; do
    for kind in "${KINDS[@]}"; do
      report_table "$shape" "$kind"
    done
  done
  echo
  for shape in "${SHAPES[@]}"; do
    printf 'unrelated column, %-9s tandem %sx (target 1.05x), columns only %sx, skipped trigger %sx, plain no-op trigger %sx\n' "$shape:" \
      "$(ratio "$(m "$shape" unrelated b)" "$(m "$shape" unrelated a)")" \
      "$(ratio "$(m "$shape" unrelated d)" "$(m "$shape" unrelated a)")" \
      "$(ratio "$(m "$shape" unrelated s)" "$(m "$shape" unrelated a)")" \
      "$(ratio "$(m "$shape" unrelated e)" "$(m "$shape" unrelated a)")"
    printf 'column up reads,  %-9s tandem %sx, pgroll-style %sx, plain no-op trigger %sx; tandem/no-op %sx\n' \
      "$shape:" "$(ratio "$(m "$shape" up b)" "$(m "$shape" up a)")" \
      "$(ratio "$(m "$shape" up c)" "$(m "$shape" up a)")" \
      "$(ratio "$(m "$shape" up e)" "$(m "$shape" up a)")" \
      "$(ratio "$(m "$shape" up b)" "$(m "$shape" up e)")"
  done
  echo "(median of $RUNS rounds, $ROWS rows; targets: unrelated 1.05x, accounts up 1.5x, users up within 1.10x of the no-op trigger)"
}

main() {
  [[ -x "$TANDEM" ]] || { log "$TANDEM not found; run make build (or make bench)"; exit 1; }
  local shape
  for shape in "${SHAPES[@]}"; do
    [[ -n "${TABLE[$shape]:-}" ]] || { log "unknown shape $shape (users, accounts)"; exit 2; }
  done
  find_psql
  trap 'log "failed (exit $?) running: ${BASH_COMMAND:0:200}"' ERR
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  start_server
  for shape in "${SHAPES[@]}"; do
    setup_shape "$shape"
  done
  log "timing: 1 warm-up round, then $RUNS rounds of ${VARIANTS[*]} (rotating order) per shape"
  run_rounds
  run_mixed
  check_shadow_columns
  report
  report_mixed
}

main "$@"

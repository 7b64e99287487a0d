#!/usr/bin/env bash
# Filling a new column of an existing table, three ways, side by side on one
# throwaway server (bench/README.md, "backfill"):
#
#   tandem   tandem start --skip-backfill (untimed), then tandem backfill
#   update   ALTER TABLE ADD COLUMN (untimed), then one single
#            UPDATE users SET new = up in one transaction: the speed limit,
#            holding every row lock until it commits
#   pgroll   pgroll's algorithm re-created: a per-row PL/pgSQL trigger that
#            computes the new column, then on one connection batches of 1000
#            keys selected FOR NO KEY UPDATE, each batch an
#            UPDATE ... SET id = id (firing the trigger) committed on its own
#
# Workloads: pgroll's benchmark shape, users(id serial primary key,
# name varchar(255) null) with every name NULL, at BENCH_SIZES rows; with
# BENCH_WIDE=1 also a wider users table (6 columns, about 100-byte rows) of
# BENCH_WIDE_ROWS rows (pgroll's algorithm is skipped above
# BENCH_PGROLL_MAX_ROWS: it would take too long). The migration is
# bench/backfill_users.yaml (name NOT NULL, up: CASE WHEN name IS NULL THEN
# 'placeholder' ELSE name END) for tandem and the same expression for the
# other two.
#
# Reported per run: rows/s, ratios to the single UPDATE and to pgroll's
# algorithm, tandem's p99 chunk duration (from its --json progress lines, one
# per chunk) against the target, tandem's peak RSS (/usr/bin/time -f %M), and
# the table's total size before and after (bloat).
#
# Then the application's view: pgbench (bench/backfill_pgbench.sql, a point
# read and a point update of the same table, 2 clients at 200 tx/s in total)
# against a BENCH_LOAD_ROWS-row users table, in BENCH_LOAD_ROUNDS rounds of:
# idle (vacuumed, after a checkpoint), during tandem's backfill with the
# defaults, during one with BENCH_POLITE_FLAGS; then during the single
# UPDATE: p99 (of all rounds' transactions together, and of each round) and
# max latency, and how many of its statements waited on a
# lock for more than 1 s (log_lock_waits with deadlock_timeout = 1s, counted
# in the server log).
#
# Environment: TANDEM_BIN (build/tandem), BENCH_SIZES ("10000 100000
# 300000"), BENCH_ROUNDS (3 for those sizes, methods in rotating order, the
# median reported; the wide table runs once), BENCH_WIDE (0),
# BENCH_WIDE_ROWS (10000000), BENCH_PGROLL_MAX_ROWS (1000000),
# BENCH_LOAD_ROWS (1000000), BENCH_TANDEM_FLAGS (extra flags for tandem
# backfill, e.g. "--target-chunk-time 100ms"), BENCH_POLITE_FLAGS (the
# flags of the second backfill under pgbench, "--target-chunk-time 20ms"),
# BENCH_LOAD_ROUNDS (3: rounds of an idle sample, a backfill with the
# defaults and one with BENCH_POLITE_FLAGS, each on its own copy of the
# table), BENCH_IDLE_SECONDS (10, each idle sample), BENCH_LOAD_ONLY (1:
# the pgbench part alone).
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly ROOT="$PWD"

readonly TANDEM="${TANDEM_BIN:-build/tandem}"
read -r -a SIZES <<<"${BENCH_SIZES:-10000 100000 300000}"
readonly SIZES
readonly WIDE="${BENCH_WIDE:-0}"
readonly WIDE_ROWS="${BENCH_WIDE_ROWS:-10000000}"
readonly PGROLL_MAX_ROWS="${BENCH_PGROLL_MAX_ROWS:-1000000}"
readonly LOAD_ROWS="${BENCH_LOAD_ROWS:-1000000}"
readonly ROUNDS="${BENCH_ROUNDS:-3}"
readonly LOAD_ONLY="${BENCH_LOAD_ONLY:-0}"
readonly IDLE_SECONDS="${BENCH_IDLE_SECONDS:-10}"
readonly LOAD_ROUNDS="${BENCH_LOAD_ROUNDS:-3}"
read -r -a TANDEM_FLAGS <<<"${BENCH_TANDEM_FLAGS:-}"
readonly TANDEM_FLAGS
# The second backfill under pgbench: short chunks. An application update
# of a row that an in-flight chunk already changed waits for that chunk to
# commit, so the chunk time bounds the wait and sets how many rows are
# locked at any moment.
read -r -a POLITE_FLAGS <<<"${BENCH_POLITE_FLAGS:---target-chunk-time 20ms}"
readonly POLITE_FLAGS
readonly MIGRATION=bench/backfill_users.yaml
readonly UP_SQL="CASE WHEN name IS NULL THEN 'placeholder' ELSE name END"
readonly TARGET_CHUNK_MS=200 # tandem's default --target-chunk-time

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tandem-bench-backfill.XXXXXX")"
chmod 755 "$WORK" # mktemp makes it 0700; the server user must reach it
readonly WORK
BASE_URL=""
declare -A MS=() RUNS=() RSS=() P99=() SIZE0=() SIZE1=() # by "workload method"
declare -A LOAD=()                              # by "phase field"

log() { echo "bench: $*" >&2; }
cleanup() { bash scripts/pg-harness.sh stop "$WORK/pg" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
url_of() { printf '%s dbname=%s' "$BASE_URL" "$1"; }
sql_in() {
  local db="$1"
  shift
  psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$(url_of "$db")" "$@"
}
# The server's log, where log_lock_waits reports waits longer than 1 s.
server_log() {
  local dir="$WORK/pg"
  [[ -s "$dir/server_dir" ]] && dir="$(cat "$dir/server_dir")"
  printf '%s/postgres.log' "$dir"
}
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { if (y == 0) print "-"; else printf "%.2f", x / y }'; }
rows_per_s() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%d", n / (ms / 1000) }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
# percentile P: of the numbers on stdin (nearest rank).
percentile() {
  sort -n | awk -v p="$1" '{ v[NR] = $1 } END {
    if (NR == 0) { print "-"; exit } i = int((NR * p + 99) / 100); if (i < 1) i = 1; print v[i] }'
}

start_server() {
  bash scripts/pg-harness.sh start "$WORK/pg" >/dev/null
  BASE_URL="$(cat "$WORK/pg/url")"
  psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$BASE_URL" >/dev/null <<SQL
ALTER SYSTEM SET log_lock_waits = on;
ALTER SYSTEM SET deadlock_timeout = '1s';
ALTER SYSTEM SET max_wal_size = '8GB';
SELECT pg_reload_conf();
SQL
}

# ---- tables -------------------------------------------------------------------

# create_users DB ROWS SHAPE: pgroll's shape ("narrow") or a wider one.
create_users() {
  local db="$1" rows="$2" shape="$3"
  psql -X -q -v ON_ERROR_STOP=1 -d "$BASE_URL" -c "CREATE DATABASE $db"
  if [[ "$shape" == narrow ]]; then
    sql_in "$db" -c "CREATE TABLE users (id serial PRIMARY KEY, name varchar(255) NULL)" \
      -c "INSERT INTO users (name) SELECT NULL FROM generate_series(1, $rows)"
  else
    sql_in "$db" -c "CREATE TABLE users (id serial PRIMARY KEY, name varchar(255) NULL,
        email text NOT NULL, created_at timestamptz NOT NULL, score int NOT NULL, tag text)" \
      -c "INSERT INTO users (name, email, created_at, score, tag)
        SELECT NULL, 'user' || g || '@example.com', '2024-01-01'::timestamptz + g * interval '1 s',
               g % 1000, md5(g::text) FROM generate_series(1, $rows) g"
  fi
  sql_in "$db" -c "VACUUM ANALYZE users"
}

clone() { psql -X -q -v ON_ERROR_STOP=1 -d "$BASE_URL" -c "CREATE DATABASE $2 TEMPLATE $1"; }
table_size() { sql_in "$1" -c "SELECT pg_total_relation_size('users')"; }

# Every row's new column must hold up(name), so no method can look fast by
# skipping rows.
check_filled() {
  local db="$1" column="$2" wrong
  wrong="$(sql_in "$db" -c "SELECT count(*) FROM users WHERE $column IS DISTINCT FROM $UP_SQL")"
  [[ "$wrong" == 0 ]] || { log "$db: $wrong rows with a wrong $column"; exit 1; }
}

# ---- the three methods ------------------------------------------------------------

# The 99th percentile of tandem's chunk durations, which its last --json
# progress line reports (chunk_p99_ms, every chunk of the run timed).
chunk_p99() {
  grep '"backfill_progress"' "$1" | tail -n 1 | grep -o '"chunk_p99_ms":[0-9]*' | cut -d: -f2
}

# run_tandem KEY DB [tandem backfill flags]
run_tandem() {
  local key="$1" db="$2" t0
  shift 2
  "$TANDEM" --url "$(url_of "$db")" start --skip-backfill "$MIGRATION" >/dev/null
  SIZE0["$key"]="$(table_size "$db")"
  t0="$(now_ms)"
  /usr/bin/time -f %M -o "$WORK/rss" "$TANDEM" --url "$(url_of "$db")" --json backfill \
    "${TANDEM_FLAGS[@]}" "$@" >"$WORK/progress.json"
  MS["$key"]=$(($(now_ms) - t0))
  RSS["$key"]="$(tail -n 1 "$WORK/rss")"
  P99["$key"]="$(chunk_p99 "$WORK/progress.json")"
  SIZE1["$key"]="$(table_size "$db")"
  check_filled "$db" _tandem_new_name
}

# Bloat control, where tandem has it: "tandem" runs with vacuuming off and
# "tandem+vacuum" with a VACUUM after every tenth of the rows.
has_vacuum_every() { "$TANDEM" backfill --help | grep -q -- --vacuum-every; }
run_tandem_off() { run_tandem "$@" --vacuum-every 0; }
run_tandem_vacuum() { run_tandem "$1" "$2" --vacuum-every "$((ROWS_OF[${1%% *}] / 10))"; }

# measure KEY DB COLUMN SQL: times SQL in DB, notes the table's size before
# and after, then checks that COLUMN was filled.
measure_sql() {
  local key="$1" db="$2" column="$3" sql="$4" t0
  SIZE0["$key"]="$(table_size "$db")"
  t0="$(now_ms)"
  sql_in "$db" -c "$sql"
  MS["$key"]=$(($(now_ms) - t0))
  SIZE1["$key"]="$(table_size "$db")"
  check_filled "$db" "$column"
}

run_update() {
  sql_in "$2" -c "ALTER TABLE users ADD COLUMN new_name varchar(255)"
  measure_sql "$1" "$2" new_name "UPDATE users SET new_name = $UP_SQL"
}

# pgroll's trigger declares every column as a local, reads the search_path
# and computes the new column unless the writer is the new version; its
# backfill runs batches of 1000 keys, each its own transaction, the last key
# and the batch size written into the SQL as literals as pgroll does (so each
# batch is planned afresh). A procedure that commits per batch: one
# connection and no round trips, which only flatters the algorithm.
install_pgroll_style() {
  sql_in "$1" <<SQL
ALTER TABLE users ADD COLUMN _pgroll_new_name varchar(255);
CREATE FUNCTION pgroll_style_trigger() RETURNS trigger LANGUAGE plpgsql AS \$\$
DECLARE
  id integer := NEW.id;
  name varchar(255) := NEW.name;
  session_path text;
BEGIN
  SELECT current_setting('search_path') INTO session_path;
  IF session_path <> 'public_bench' THEN
    NEW._pgroll_new_name := (SELECT $UP_SQL);
  END IF;
  RETURN NEW;
END \$\$;
CREATE TRIGGER pgroll_style BEFORE INSERT OR UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION pgroll_style_trigger();
CREATE PROCEDURE pgroll_style_backfill(batch_size int) LANGUAGE plpgsql AS \$\$
DECLARE
  last_id integer := 0;
  batch_last integer;
BEGIN
  LOOP
    EXECUTE format('WITH batch AS (SELECT id FROM users WHERE id > %s ORDER BY id LIMIT %s '
                   'FOR NO KEY UPDATE), touched AS (UPDATE users SET id = users.id FROM batch '
                   'WHERE users.id = batch.id RETURNING users.id) SELECT max(touched.id) FROM touched',
                   last_id, batch_size) INTO batch_last;
    EXIT WHEN batch_last IS NULL;
    last_id := batch_last;
    COMMIT;
  END LOOP;
END \$\$;
SQL
}

run_pgroll() {
  install_pgroll_style "$2"
  measure_sql "$1" "$2" _pgroll_new_name "CALL pgroll_style_backfill(1000)"
}

# bench_workload NAME ROWS SHAPE ROUNDS: one base table; per round and
# method a fresh copy of it, the methods in a rotating order; ms is the
# median of the rounds, sizes, RSS and p99 those of the last round.
bench_workload() {
  local name="$1" rows="$2" shape="$3" rounds="$4" round i method times
  local methods=(update tandem)
  if has_vacuum_every; then methods=(update tandem_off tandem_vacuum); fi
  if ((rows > PGROLL_MAX_ROWS)); then
    log "$name: pgroll's algorithm skipped (more than $PGROLL_MAX_ROWS rows)"
  else
    methods+=(pgroll)
  fi
  log "$name: creating users ($rows rows, $shape)"
  create_users "bf_${name}" "$rows" "$shape"
  declare -A times=()
  for ((round = 1; round <= rounds; round++)); do
    for ((i = 0; i < ${#methods[@]}; i++)); do
      method="${methods[(round + i) % ${#methods[@]}]}"
      clone "bf_${name}" "bf_${name}_${method}_$round"
      "run_$method" "$name $method" "bf_${name}_${method}_$round"
      log "$name round $round: $method took ${MS["$name $method"]} ms"
      times[$method]+="${MS["$name $method"]} "
      psql -X -q -d "$BASE_URL" -c "DROP DATABASE bf_${name}_${method}_$round" # disk space
    done
  done
  for method in "${methods[@]}"; do
    MS["$name $method"]="$(tr ' ' '\n' <<<"${times[$method]}" | grep . | percentile 50)"
    RUNS["$name $method"]="${times[$method]% }"
  done
}

# ---- the application's view ---------------------------------------------------

# pgbench_while PHASE DB PID: runs the workload in 1-second slices until
# process PID ends, logging every transaction; then records p99 and max
# latency and the lock waits over 1 s that the server logged meanwhile.
pgbench_while() {
  local phase="$1" db="$2" pid="$3" lines
  lines="$(wc -l <"$(server_log)")"
  mkdir -p "$WORK/pgbench-$phase"
  while kill -0 "$pid" 2>/dev/null; do
    (cd "$WORK/pgbench-$phase" && pgbench -n -f "$ROOT/bench/backfill_pgbench.sql" \
      -D rows="$LOAD_ROWS" -c 2 -j 2 -R 200 -T 1 -l "$(url_of "$db")" >/dev/null 2>&1) || true
  done
  wait "$pid" || { log "$phase: the operation failed"; exit 1; }
  cat "$WORK/pgbench-$phase"/pgbench_log.* | awk '{ print $3 / 1000 }' >"$WORK/latency-$phase"
  LOAD["$phase tx"]="$(wc -l <"$WORK/latency-$phase")"
  LOAD["$phase p99"]="$(percentile 99 <"$WORK/latency-$phase")"
  LOAD["$phase max"]="$(percentile 100 <"$WORK/latency-$phase")"
  LOAD["$phase waits"]="$(tail -n +"$((lines + 1))" "$(server_log)" | grep -c 'still waiting for' || true)"
}

# backfill_under_load PHASE DB FLAGS...: tandem's backfill of DB with FLAGS
# while pgbench runs; tandem's own --json lines go to $WORK/out-PHASE.
backfill_under_load() {
  local phase="$1" db="$2"
  shift 2
  "$TANDEM" --url "$(url_of "$db")" start --skip-backfill "$MIGRATION" >/dev/null
  "$TANDEM" --url "$(url_of "$db")" --json backfill "$@" >"$WORK/out-$phase" &
  pgbench_while "$phase" "$db" $!
  check_filled "$db" _tandem_new_name
}

# pool KIND: the transactions of every round of KIND as one sample, plus
# the p99 of each round on its own.
pool() {
  local kind="$1" r waits=0 each=""
  cat "$WORK"/latency-"$kind".* >"$WORK/latency-$kind"
  LOAD["$kind tx"]="$(wc -l <"$WORK/latency-$kind")"
  LOAD["$kind p99"]="$(percentile 99 <"$WORK/latency-$kind")"
  LOAD["$kind max"]="$(percentile 100 <"$WORK/latency-$kind")"
  for ((r = 1; r <= LOAD_ROUNDS; r++)); do
    waits=$((waits + ${LOAD["$kind.$r waits"]}))
    each+="${LOAD["$kind.$r p99"]} "
  done
  LOAD["$kind waits"]="$waits"
  LOAD["$kind rounds"]="${each% }"
}

bench_load() {
  log "load: creating users ($LOAD_ROWS rows) for pgbench, $LOAD_ROUNDS rounds"
  create_users bf_load "$LOAD_ROWS" narrow
  local r db dbs=(bf_load bf_load_update)
  clone bf_load bf_load_update
  for ((r = 1; r <= LOAD_ROUNDS; r++)); do
    clone bf_load "bf_load_t$r"
    clone bf_load "bf_load_p$r"
    dbs+=("bf_load_t$r" "bf_load_p$r")
  done
  # Loading and cloning leave work behind (hint bits, autovacuum, a
  # checkpoint due): done now, so that the idle samples are idle.
  for db in "${dbs[@]}"; do sql_in "$db" -c "VACUUM ANALYZE users"; done
  sql_in bf_load -c "CHECKPOINT"
  # Idle and backfill samples alternate, so that whatever else the machine
  # does meanwhile lands on both.
  for ((r = 1; r <= LOAD_ROUNDS; r++)); do
    sleep "$IDLE_SECONDS" &
    pgbench_while "idle.$r" bf_load $!
    backfill_under_load "tandem.$r" "bf_load_t$r" "${TANDEM_FLAGS[@]}"
    backfill_under_load "tandem_polite.$r" "bf_load_p$r" "${POLITE_FLAGS[@]}"
  done
  pool idle
  pool tandem
  pool tandem_polite
  sql_in bf_load_update -c "ALTER TABLE users ADD COLUMN new_name varchar(255)"
  sql_in bf_load_update -c "UPDATE users SET new_name = $UP_SQL" &
  pgbench_while update bf_load_update $!
  LOAD["update rounds"]="${LOAD["update p99"]}"
}

# ---- report -------------------------------------------------------------------

# The tandem run the ratios compare with: the plain one, else the one with
# bloat control.
tandem_of() { if [[ -n "${MS["$1 tandem"]:-}" ]]; then echo tandem; else echo tandem_vacuum; fi; }

report() {
  local name rows method key
  echo
  echo "| workload | method | rows | ms (median) | runs ms | rows/s | tandem/this | p99 chunk (target ${TARGET_CHUNK_MS} ms) | peak RSS | size before -> after |"
  echo "|---|---|---:|---:|---|---:|---:|---:|---:|---|"
  for name in "${WORKLOADS[@]}"; do
    rows="${ROWS_OF[$name]}"
    for method in tandem tandem_off tandem_vacuum update pgroll; do
      key="$name $method"
      [[ -n "${MS[$key]:-}" ]] || continue
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s -> %s MB (%sx) |\n' "$name" "$method" \
        "$rows" "${MS[$key]}" "${RUNS[$key]}" "$(rows_per_s "$rows" "${MS[$key]}")" \
        "$([[ $method == tandem* ]] && echo - || ratio "${MS[$key]}" "${MS["$name $(tandem_of "$name")"]}")" \
        "${P99[$key]:--}" "$([[ -n "${RSS[$key]:-}" ]] && echo "$(mb $((RSS[$key] * 1024))) MB" || echo -)" \
        "$(mb "${SIZE0[$key]}")" "$(mb "${SIZE1[$key]}")" "$(ratio "${SIZE1[$key]}" "${SIZE0[$key]}")"
    done
  done
  echo
  echo "pgbench on users ($LOAD_ROWS rows), 2 clients, 200 tx/s: point read + point update"
  echo "(tandem: defaults; tandem_polite: ${POLITE_FLAGS[*]})"
  echo
  echo "| phase | transactions | p99 ms (all rounds) | p99 vs idle | p99 ms of each round | max ms | lock waits > 1 s |"
  echo "|---|---:|---:|---:|---|---:|---:|"
  for phase in idle tandem tandem_polite update; do
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$phase" "${LOAD["$phase tx"]}" \
      "${LOAD["$phase p99"]}" "$(ratio "${LOAD["$phase p99"]}" "${LOAD["idle p99"]}")" \
      "${LOAD["$phase rounds"]}" "${LOAD["$phase max"]}" "${LOAD["$phase waits"]}"
  done
  echo
  local phase r last
  for phase in tandem tandem_polite; do # what tandem itself saw meanwhile
    for ((r = 1; r <= LOAD_ROUNDS; r++)); do
      last="$(grep backfill_progress "$WORK/out-$phase.$r" | tail -1)"
      # short_chunks: shortened after an application wait, so never with
      # a target at or below 20 ms.
      echo "$phase round $r: $(grep -c backfill_progress "$WORK/out-$phase.$r" || true)" \
        "progress lines, $(grep -c '"short_chunks":true' "$WORK/out-$phase.$r" || true) with" \
        "chunks shortened after an application wait; chunks p99" \
        "$(sed 's/.*"chunk_p99_ms":\([0-9]*\).*/\1/' <<<"$last") ms," \
        "max $(sed 's/.*"chunk_max_ms":\([0-9]*\).*/\1/' <<<"$last") ms"
    done
  done
}

main() {
  [[ -x "$TANDEM" ]] || { log "$TANDEM not found; run make build (or make bench)"; exit 1; }
  [[ -x /usr/bin/time ]] || { log "/usr/bin/time not found (Debian package time)"; exit 1; }
  trap 'log "failed (exit $?) running: ${BASH_COMMAND:0:200}"' ERR
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  start_server
  declare -g -A ROWS_OF=()
  WORKLOADS=()
  local rows
  for rows in "${SIZES[@]}"; do
    [[ "$LOAD_ONLY" != 1 ]] || break
    WORKLOADS+=("users_$rows")
    ROWS_OF["users_$rows"]="$rows"
    bench_workload "users_$rows" "$rows" narrow "$ROUNDS"
  done
  if [[ "$WIDE" == 1 && "$LOAD_ONLY" != 1 ]]; then
    WORKLOADS+=("wide_$WIDE_ROWS")
    ROWS_OF["wide_$WIDE_ROWS"]="$WIDE_ROWS"
    bench_workload "wide_$WIDE_ROWS" "$WIDE_ROWS" wide 1
  fi
  bench_load
  report
}

main "$@"

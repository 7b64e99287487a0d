#!/usr/bin/env bash
# `tandem diff` of two big tables in two databases against the speed limit:
# one full-table checksum query per side (bench/README.md, "diff").
#
#   bash bench/diff.sh        (once build/tandem exists)
#
# A throwaway server (scripts/pg-harness.sh, stopped on exit) gets two
# databases, each with the same BENCH_DIFF_ROWS-row table (10,000,000); the
# second then gets 10 planted differences (4 changed rows, 3 deleted, 3
# added). After one untimed warm-up of each, BENCH_DIFF_RUNS rounds
# (3, alternating order) time
#   a  SELECT count(*), sum(hashtextextended(t::text, 0)) FROM t, on both
#      databases at once (two sessions): the whole table's checksum, nothing
#      more, and no way to tell where the tables differ
#   b  tandem --json diff across the two databases: chunked key ranges on
#      both sides at once, bisection, the exact differing keys
# Every b run must list exactly the 10 planted keys. The report gives rows/s
# of each (rows of both tables over wall time), b's throughput as a share of
# a's, and the bytes b moved to the client (target < 1 MB).
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly TANDEM="${TANDEM_BIN:-build/tandem}"
readonly ROWS="${BENCH_DIFF_ROWS:-10000000}"
readonly RUNS="${BENCH_DIFF_RUNS:-3}"
# What b must find, as "kind id" lines.
readonly EXPECTED="changed 17
changed $((ROWS / 4))
changed $((ROWS / 2 + 1))
changed $((ROWS - 1))
extra 0
extra $((ROWS + 1))
extra $((ROWS * 2))
missing 1
missing $((ROWS / 3))
missing $ROWS"

WORK=""
URL_A=""
URL_B=""

log() { echo "bench diff: $*" >&2; }

cleanup() {
  [[ -n "$WORK" ]] || return 0
  bash scripts/pg-harness.sh stop "$WORK/pg" >/dev/null 2>&1 || log "could not stop the server"
  rm -rf -- "$WORK"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

psql_in() {
  local url="$1"
  shift
  command psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$url" "$@"
}

start_server() {
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/tandem-bench-diff.XXXXXX")"
  chmod 755 "$WORK" # the server user must reach it
  bash scripts/pg-harness.sh start "$WORK/pg" >/dev/null
  local base
  base="$(cat "$WORK/pg/url")"
  psql_in "$base" -c "CREATE DATABASE bench_diff_a" -c "CREATE DATABASE bench_diff_b"
  # Later keywords win in a libpq key=value string.
  URL_A="$base dbname=bench_diff_a"
  URL_B="$base dbname=bench_diff_b"
}

# About 90 bytes a row, of the types whose text depends on session settings.
create_table() {
  psql_in "$1" <<SQL
CREATE TABLE bench_diff (
  id bigint PRIMARY KEY,
  name text,
  email text NOT NULL,
  amount numeric(12, 2),
  ratio double precision,
  created_at timestamptz NOT NULL,
  flags int NOT NULL
);
INSERT INTO bench_diff
SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'user ' || g END, 'u' || g || '@example.com',
       (g % 100000) / 7.0, g / 3.0,
       timestamptz '2024-01-01 00:00+00' + g * interval '7 seconds', g % 16
FROM generate_series(1, $ROWS) AS g;
VACUUM ANALYZE bench_diff;
SQL
}

plant_differences() {
  psql_in "$URL_B" <<SQL
UPDATE bench_diff SET name = 'renamed' WHERE id = 17;
UPDATE bench_diff SET amount = amount + 0.01 WHERE id = $((ROWS / 4));
UPDATE bench_diff SET ratio = ratio * (1 + 1e-15) WHERE id = $((ROWS / 2 + 1));
UPDATE bench_diff SET created_at = created_at + interval '1 microsecond' WHERE id = $((ROWS - 1));
DELETE FROM bench_diff WHERE id IN (1, $((ROWS / 3)), $ROWS);
INSERT INTO bench_diff (id, email, created_at, flags)
VALUES (0, 'x', now(), 0), ($((ROWS + 1)), 'x', now(), 0), ($((ROWS * 2)), 'x', now(), 0);
VACUUM ANALYZE bench_diff;
SQL
}

# a: both sides' whole-table checksums at once, wall time in ms.
time_baseline() {
  local sql="SELECT count(*), sum(hashtextextended(t::text, 0)) FROM bench_diff AS t"
  local start end
  start=$(now_ms)
  local side_a side_b
  psql_in "$URL_A" -c "$sql" >/dev/null &
  side_a=$!
  psql_in "$URL_B" -c "$sql" >/dev/null &
  side_b=$!
  wait "$side_a"
  wait "$side_b"
  end=$(now_ms)
  echo $((end - start))
}

# b: tandem diff, wall time in ms; fails unless exactly the planted keys are found.
time_diff() {
  local start end code=0 found
  start=$(now_ms)
  "$TANDEM" --json diff --source bench_diff --source-url "$URL_A" --target bench_diff \
    --target-url "$URL_B" --key id >"$WORK/report.json" || code=$?
  end=$(now_ms)
  [[ "$code" == 1 ]] || { log "tandem diff exited $code"; cat "$WORK/report.json" >&2; exit 1; }
  found="$(grep -o '"kind":"[a-z]*","key":{"id":"[0-9-]*"}' "$WORK/report.json" |
    sed 's/"kind":"\([a-z]*\)","key":{"id":"\([0-9-]*\)"}/\1 \2/' | LC_ALL=C sort)"
  if [[ "$found" != "$(LC_ALL=C sort <<<"$EXPECTED")" ]]; then
    log "tandem diff found other differences than the 10 planted ones:"
    echo "$found" >&2
    exit 1
  fi
  echo $((end - start))
}

json_number() { grep -o "\"$1\":[0-9]*" "$WORK/report.json" | head -1 | cut -d: -f2; }

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

run_rounds() {
  : >"$WORK/a"
  : >"$WORK/b"
  log "warm-up"
  time_baseline >/dev/null
  time_diff >/dev/null
  local round
  for ((round = 1; round <= RUNS; round++)); do
    if ((round % 2)); then
      time_baseline >>"$WORK/a"
      time_diff >>"$WORK/b"
    else
      time_diff >>"$WORK/b"
      time_baseline >>"$WORK/a"
    fi
    log "round $round: a $(tail -1 "$WORK/a") ms, b $(tail -1 "$WORK/b") ms"
  done
}

report() {
  local a b rows=$((ROWS * 2))
  a=$(median <"$WORK/a")
  b=$(median <"$WORK/b")
  echo "diff of two $ROWS-row tables in two databases, 10 planted differences"
  printf '  %-46s %8s ms  %10s rows/s   runs: %s\n' "a  count(*), sum(hashtextextended) per side" \
    "$a" "$((rows * 1000 / a))" "$(tr '\n' ' ' <"$WORK/a")"
  printf '  %-46s %8s ms  %10s rows/s   runs: %s\n' "b  tandem diff (exact keys)" \
    "$b" "$((rows * 1000 / b))" "$(tr '\n' ' ' <"$WORK/b")"
  echo "  b found exactly the 10 planted keys in every run; last run: $(json_number chunks) chunks," \
    "$(json_number queries) queries, $(json_number bytes_to_client) bytes to the client"
  awk -v a="$a" -v b="$b" -v runs="$RUNS" 'BEGIN {
    printf "diff throughput: %.2fx the full-table checksum queries (median of %d)\n", a / b, runs }'
}

main() {
  [[ -x "$TANDEM" ]] || { log "$TANDEM not found; build first (make build)"; exit 1; }
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  start_server
  log "creating two tables of $ROWS rows"
  local side_a side_b
  create_table "$URL_A" &
  side_a=$!
  create_table "$URL_B" &
  side_b=$!
  wait "$side_a"
  wait "$side_b"
  plant_differences
  run_rounds
  report
}

main "$@"

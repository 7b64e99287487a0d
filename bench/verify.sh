#!/usr/bin/env bash
# Full in-row parity scan: `tandem verify` against the speed limit, one
# hand-written query doing only the comparison (bench/README.md, "verify").
#
#   bash bench/verify.sh      (make bench runs it too)
#
# A throwaway server (scripts/pg-harness.sh, stopped on exit) gets a table of
# BENCH_VERIFY_ROWS rows (10,000,000), a tandem migration started on it
# (alter_column name NOT NULL), and its shadow column filled in bulk with the
# trigger disabled (the backfill itself is measured elsewhere). Then, in
# alternating order, BENCH_VERIFY_RUNS times each:
#   a  SELECT count(*) FILTER (WHERE new._tandem_new_name IS DISTINCT FROM up)
#      over the whole table: one sequential scan, one aggregate
#   b  tandem --json verify: chunked TID-range scans, both directions, drift
#      counts, example keys on mismatch, the run stored in the state schema
#   c  tandem --json verify --one-query: the same, counted in one query that
#      PostgreSQL runs in parallel (chunks only where it finds a problem)
# and reports rows/s of each and b's and c's rows/s as a share of a's
# (target >= 0.7 for b, the default).
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly TANDEM="${TANDEM_BIN:-build/tandem}"
readonly ROWS="${BENCH_VERIFY_ROWS:-10000000}"
readonly RUNS="${BENCH_VERIFY_RUNS:-3}"
# The harness's 256MB unless set, e.g. 2GB: then the table fits.
readonly SHARED_BUFFERS="${BENCH_VERIFY_SHARED_BUFFERS:-}"
readonly UP="CASE WHEN new.name IS NULL THEN 'n/a' ELSE new.name END"

WORK="$(mktemp -d)"
chmod 755 "$WORK"
readonly WORK
cleanup() { bash scripts/pg-harness.sh stop "$WORK/pg" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }

bash scripts/pg-harness.sh start "$WORK/pg" >/dev/null
URL="$(cat "$WORK/pg/url")"
export TANDEM_URL="$URL"
psql() { command psql -X -q -v ON_ERROR_STOP=1 -d "$URL" "$@"; }
if [[ -n "$SHARED_BUFFERS" ]]; then # before any data: the restart is an immediate stop
  psql -c "ALTER SYSTEM SET shared_buffers = '$SHARED_BUFFERS'"
  bash scripts/pg-harness.sh restart "$WORK/pg" >/dev/null
fi

echo "verify bench: $ROWS rows, $RUNS rounds, shared_buffers $(psql -At -c 'SHOW shared_buffers')"
psql -c "CREATE TABLE bench_verify (id bigint PRIMARY KEY, name text, score integer)" \
  -c "INSERT INTO bench_verify SELECT i, CASE WHEN i % 10 = 0 THEN NULL ELSE 'name ' || i END,
        i % 1000 FROM generate_series(1, $ROWS) i"
cat >"$WORK/verify_bench.yaml" <<'YAML'
version_schema: vb
operations:
  - alter_column:
      table: bench_verify
      column: name
      nullable: false
      up: SELECT CASE WHEN name IS NULL THEN 'n/a' ELSE name END
      down: name
YAML
"$TANDEM" start --skip-backfill "$WORK/verify_bench.yaml" >/dev/null
psql -c "ALTER TABLE bench_verify DISABLE TRIGGER USER" \
  -c "UPDATE bench_verify AS new SET _tandem_new_name = $UP, _tandem_written_by = 'o'" \
  -c "ALTER TABLE bench_verify ENABLE TRIGGER USER" \
  -c "VACUUM (ANALYZE) bench_verify"

time_query() {
  local start end
  start=$(now_ms)
  psql -At -c "SELECT count(*) FILTER (WHERE new._tandem_new_name IS DISTINCT FROM ($UP))
               FROM bench_verify AS new" >/dev/null
  end=$(now_ms)
  echo $((end - start))
}

time_verify() {
  local start end
  start=$(now_ms)
  "$TANDEM" --json verify "$@" >"$WORK/report.json" || { cat "$WORK/report.json"; exit 1; }
  end=$(now_ms)
  grep -q '"passed":true' "$WORK/report.json" || { echo "verify did not pass"; exit 1; }
  echo $((end - start))
}

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

time_a() { time_query >>"$WORK/a"; }
time_b() { time_verify >>"$WORK/b"; }
time_c() { time_verify --one-query >>"$WORK/c"; }

: >"$WORK/a"
: >"$WORK/b"
: >"$WORK/c"
time_query >/dev/null # warm the cache for all
for ((round = 1; round <= RUNS; round++)); do
  case $((round % 3)) in # each goes first, second and last in turn
    1) time_a; time_b; time_c ;;
    2) time_c; time_a; time_b ;;
    0) time_b; time_c; time_a ;;
  esac
done
report() { # label file
  local ms
  ms=$(median <"$2")
  printf '  %-44s %8s ms  %10s rows/s   runs: %s\n' "$1" "$ms" "$((ROWS * 1000 / ms))" \
    "$(tr '\n' ' ' <"$2")"
}
report "a  single count(*) FILTER query" "$WORK/a"
report "b  tandem verify (full, stored)" "$WORK/b"
report "c  tandem verify --one-query" "$WORK/c"
awk -v a="$(median <"$WORK/a")" -v b="$(median <"$WORK/b")" -v c="$(median <"$WORK/c")" \
  -v rows="$ROWS" -v runs="$RUNS" 'BEGIN {
  printf "verify throughput: %.2fx the single query (median of %d, %d rows; target >= 0.7)\n",
    a / b, runs, rows
  printf "with --one-query:  %.2fx\n", a / c }'

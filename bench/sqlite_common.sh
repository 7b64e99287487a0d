# What the SQLite benchmarks share (sourced by bench/sqlite_*.sh from the
# repository's root): their settings, the working directory, timing, the
# writer's report, and the demo's customers table.
#
# Environment: TANDEM_BIN (build/tandem), WRITER_BIN
# (build/sqlite_app_writer), BENCH_ROWS (1000000), BENCH_DIR (a temporary
# directory, removed on exit).

readonly TANDEM="${TANDEM_BIN:-build/tandem}"
readonly WRITER="${WRITER_BIN:-build/sqlite_app_writer}"
readonly ROWS="${BENCH_ROWS:-1000000}"
readonly MIGRATION=examples/02_customers_split_name.yaml

DIR="${BENCH_DIR:-}"
if [[ -z "$DIR" ]]; then
  DIR="$(mktemp -d)"
  trap 'rm -rf "$DIR"' EXIT
fi

now_ms() { echo $(($(date +%s%N) / 1000000)); }
json_number() { sed -n "s/.*\"$2\": *\([0-9.eE+-]*\).*/\1/p" "$1"; }

# create_customers DB_PATH ROWS: the demo's table.
source scripts/sqlite_customers.sh

#!/usr/bin/env bash
# Runs every migration of a directory of pgroll example migrations, in
# file-name order, against an empty PostgreSQL database: for each one
#   start -> rollback -> the schema is identical (pg_dump --schema-only)
#   -> start --complete
# and prints one line per example. A local check of tandem against pgroll's
# own examples (which are not part of this repository): point DIR at the
# examples/ folder of a pgroll checkout.
#
#   scripts/pgroll-examples.sh DIR URL
#
# The database at URL should be empty: the examples build on one another.
# TANDEM overrides the binary (default: build/tandem). Exit status: 0 when
# every example passed, else 1 (an example tandem refuses as invalid input,
# exit 2, is reported as "refused" and counts as not passed).
set -uo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 DIR URL" >&2
  exit 2
fi
dir=$1
url=$2
here=$(cd "$(dirname "$0")/.." && pwd)
tandem=${TANDEM:-$here/build/tandem}
if [[ ! -x $tandem ]]; then
  echo "$0: no tandem binary at $tandem; build it (cmake --build build) or set TANDEM" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dump() {
  pg_dump --schema-only --no-owner --exclude-schema=tandem -d "$url" |
    grep -v '^\\restrict\|^\\unrestrict'
}

# The first line of what tandem said last, for the report.
why() { grep -m1 -v '^\s*$' "$work/err" | cut -c1-200; }

run() { "$tandem" --url "$url" "$@" >"$work/out" 2>"$work/err"; }

failed=0
for file in "$dir"/*.yaml "$dir"/*.yml "$dir"/*.json; do
  [[ -f $file ]] || continue
  name=$(basename "$file")
  dump >"$work/before"
  run start "$file"
  code=$?
  if [[ $code -eq 2 ]]; then
    echo "refused  $name: invalid input (exit 2): $(why)"
    failed=1
    continue
  fi
  if [[ $code -ne 0 ]]; then
    echo "FAIL     $name: start exited $code: $(why)"
    failed=1
    "$tandem" --url "$url" rollback >/dev/null 2>&1  # so the next example can start
    continue
  fi
  if ! run rollback; then
    echo "FAIL     $name: rollback: $(why)"
    failed=1
    continue
  fi
  dump >"$work/after"
  if ! diff -q "$work/before" "$work/after" >/dev/null; then
    echo "FAIL     $name: the schema after rollback differs:"
    diff "$work/before" "$work/after" | grep '^[<>]' | head -5 | sed 's/^/           /'
    failed=1
    continue
  fi
  if ! run start "$file" --complete; then
    echo "FAIL     $name: start --complete after rollback: $(why)"
    failed=1
    continue
  fi
  echo "ok       $name"
done
exit $failed

#!/usr/bin/env bash
# Checks the direction of dependencies between the modules of src/
# (ARCHITECTURE.md, "Modules and their direction"); `make test` runs it as
# the ctest test dependency_rule.
#
#   check-dependencies.sh [SOURCE_DIR]
#
# Reads every #include under SOURCE_DIR/src (the repository by default) and
# fails (exit 1), naming file:line and the rule, when
#   - a module includes a header of a module it may not depend on, or
#   - a file other than the PostgreSQL backend includes libpq (libpq-fe.h),
#     other than the SQLite backend includes sqlite3.h, or other than the
#     PostgreSQL parser (lint/pg_parse*) includes pg_query.h.
# Unit tests beside the code (*_test.cc) may include the libraries, and the
# reader (TEST_MAY_ALSO).
#
# A module is a folder of src/; a folder per engine inside it (postgres/,
# sqlite/, registry/) is a module of its own, so that one engine's code does
# not reach into another's.
set -Eeuo pipefail

readonly SOURCE_DIR="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

# What each module may include besides itself, in the direction
#   cli -> core -> plan, backfill, verify, diff, throttle, reader, readers, lint
#       -> backends -> common.
# Within the middle layer, plan builds on lint, reader on plan, and the
# engine folders on their shared folder. A module missing here may include
# nothing but itself: adding a module means adding its line.
readonly ALLOWED='
common:
lint: common
plan: lint common
plan/sqlite: plan lint common
reader: plan lint hooks common
backends: plan common
backends/postgres: backends plan common
backends/sqlite: backends plan common
backends/registry: backends backends/postgres backends/sqlite plan common
backfill: backends plan common
backfill/postgres: backfill backends plan common
backfill/sqlite: backfill backends plan common
throttle: backfill backends plan common
verify: backends plan common
verify/postgres: verify backends plan common
verify/sqlite: verify plan/sqlite lint backends plan common
diff: verify backends common
readers: backends plan common
readers/postgres: readers backends plan lint common
readers/sqlite: readers backends plan plan/sqlite common
gates: plan common
hooks: common
observe: backends plan common
observe/postgres: observe backends plan common
migration_lint: reader plan lint common
migration_lint/postgres: migration_lint backends plan lint common
core: gates hooks observe observe/postgres plan plan/sqlite reader lint backfill backfill/postgres backfill/sqlite throttle verify verify/postgres verify/sqlite readers readers/postgres readers/sqlite backends common
serve: core gates plan backfill throttle verify backends common
cli: core gates serve hooks observe migration_lint migration_lint/postgres plan plan/sqlite reader lint backfill backfill/postgres backfill/sqlite throttle verify verify/postgres verify/sqlite readers diff backends backends/registry common
'

# Pairs the direction above allows only for one header, with why:
#  - backends -> plan: a Database loads the catalog into plan's types and runs
#    plan's steps (backend.h, step_retry.h); moving Catalog and Step below
#    backends is a larger change than this check.
#  - throttle -> backfill: a throttle answers with the backfill's Decision.
#  - diff -> verify: a diff reports with verify's flags and exit codes.
# Unit tests (*_test.cc) and their support (testing/ folders) are not part
# of their module's library; they may also read their inputs through the
# reader, as a user's file is read, and open a database by its URL through
# the registry, as the command line does.
readonly TEST_MAY_ALSO='reader backends/registry'

readonly ONLY_HEADERS='
backends plan/catalog.h
backends plan/plan.h
backends/postgres plan/catalog.h
backends/postgres plan/plan.h
backends/sqlite plan/catalog.h
backends/sqlite plan/plan.h
backends/registry plan/catalog.h
backends/registry plan/plan.h
throttle backfill/types.h
diff verify/report.h
'

cd "$SOURCE_DIR"
if [[ ! -d src ]]; then
  echo "check-dependencies: no src/ under $SOURCE_DIR" >&2
  exit 2
fi

find src -type f \( -name '*.h' -o -name '*.cc' \) -print0 | sort -z |
  xargs -0 grep -nH -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' |
  awk -v allowed="$ALLOWED" -v only_headers="$ONLY_HEADERS" -v folders="$(ls src)" -v test_may_also="$TEST_MAY_ALSO" '
    # src/backfill/postgres/worker.cc -> backfill/postgres; src/core/x.cc -> core.
    function module_of(path,    parts, n) {
      n = split(path, parts, "/")
      if (n >= 3 && parts[2] ~ /^(postgres|sqlite|registry)$/) return parts[1] "/" parts[2]
      return parts[1]
    }
    BEGIN {
      n = split(allowed, lines, "\n")
      for (i = 1; i <= n; i++) {
        if (lines[i] == "") continue
        split(lines[i], kv, ":")
        known[kv[1]] = 1
        m = split(kv[2], targets, " ")
        for (j = 1; j <= m; j++) may[kv[1], targets[j]] = 1
      }
      n = split(only_headers, lines, "\n")
      for (i = 1; i <= n; i++) {
        if (split(lines[i], pair, " ") == 2) { only[pair[1], module_of(pair[2])] = 1; header[pair[1], pair[2]] = 1 }
      }
      n = split(folders, lines, "\n")
      for (i = 1; i <= n; i++) top[lines[i]] = 1
      failed = 0
    }
    {
      # grep -nH: file:line:text
      file = $0; sub(/:.*/, "", file)
      rest = substr($0, length(file) + 2)
      line = rest; sub(/:.*/, "", line)
      text = substr(rest, length(line) + 2)
      inc = text; sub(/^[^<"]*[<"]/, "", inc); sub(/[>"].*$/, "", inc)
      path = substr(file, 5)  # without "src/"
      from = module_of(path)
      is_test = path ~ /(_test\.cc$|\/testing\/)/

      if (inc == "libpq-fe.h" && from != "backends/postgres" && !is_test) {
        report(file, line, inc, "only src/backends/postgres includes libpq")
      }
      if (inc == "sqlite3.h" && from != "backends/sqlite" && !is_test) {
        report(file, line, inc, "only src/backends/sqlite includes sqlite3.h")
      }
      if (inc == "pg_query.h" && path !~ /^lint\/pg_parse/ && !is_test) {
        report(file, line, inc, "only src/lint/pg_parse* includes pg_query")
      }
      if (inc == "httplib.h" && path !~ /^(serve\/http_server|hooks\/hook_post|observe\/http_probe)/ && !is_test) {
        report(file, line, inc, "only src/serve/http_server*, src/hooks/hook_post* and src/observe/http_probe* include httplib.h")
      }
      if (text !~ /#[[:space:]]*include[[:space:]]*"/) next
      if (split(inc, parts, "/") < 2) next  # a header of the same folder, or a system one
      to = module_of(inc)
      if (!(parts[1] in top)) next  # not a header of src/
      if (to == from) next
      if (is_test && index(" " test_may_also " ", " " to " ")) next
      if (!(from in known)) {
        report(file, line, inc, "module " from " has no line in check-dependencies.sh: add one")
        next
      }
      if (!((from, to) in may)) {
        report(file, line, inc, from " may not depend on " to " (allowed: " allowed_of(from) ")")
      } else if (((from, to) in only) && !((from, inc) in header)) {
        report(file, line, inc, from " may include only the listed headers of " to)
      }
    }
    function allowed_of(m,    n, i, lines, kv) {
      n = split(allowed, lines, "\n")
      for (i = 1; i <= n; i++) {
        split(lines[i], kv, ":")
        if (kv[1] == m) { sub(/^ */, "", kv[2]); return kv[2] == "" ? "nothing" : kv[2] }
      }
      return "nothing"
    }
    function report(file, line, inc, rule) {
      printf "%s:%s: includes %s: %s\n", file, line, inc, rule
      failed = 1
    }
    END {
      if (failed) {
        print "check-dependencies: the includes above break the dependency rule; " \
              "see ARCHITECTURE.md, \"Modules and their direction\"" > "/dev/stderr"
        exit 1
      }
      print "check-dependencies: every include follows the dependency rule"
    }
  '

#!/usr/bin/env bash
# Installs the Debian packages tandem needs to build, test, benchmark and run
# its demo (see ARCHITECTURE.md, "Dependencies"). Only missing packages are
# installed, so a second run is a few dpkg-query calls and prints nothing.
#
# Output: one line per package installed; silent when everything is present.
# Exit status: 0 when all packages are installed afterwards, 1 otherwise.
set -euo pipefail

readonly PACKAGES=(
  build-essential cmake pkg-config
  libpq-dev postgresql-15 postgresql-contrib pgbouncer
  libsqlite3-dev sqlite3
  libpg-query-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libfmt-dev libspdlog-dev libcpp-httplib-dev
  libgtest-dev googletest libbenchmark-dev hyperfine time
  clang-format clang libclang-rt-14-dev
  python3 python3-psycopg2 python3-yaml python3-jsonschema
  prometheus
  chromium chromium-driver
)
# python3-yaml, python3-jsonschema: check `tandem schema` against the
# repository's migrations (scripts/check-file-schema.py).
# prometheus: its promtool checks what `tandem serve` answers on /metrics in
# the tests. Its server is installed but not started (there is no init system
# in CI, and tandem does not need one).
# chromium, chromium-driver: the browser test of the command center page
# drives a headless Chromium through chromedriver's WebDriver API.

# dpkg-query is the authority on "installed": a package that is merely known
# to apt, or removed but with config files left ("deinstall ok config-files"),
# does not count.
is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

missing_packages() {
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    is_installed "$pkg" || echo "$pkg"
  done
}

# Root runs apt directly; others need a sudo that does not ask for a password
# (there is no terminal in CI). Prints the command prefix to use, or fails.
privilege_prefix() {
  if [[ "$(id -u)" -eq 0 ]]; then
    echo ""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "sudo -n"
  else
    return 1
  fi
}

# apt and dpkg are chatty; keep their output in a log and show it only when
# something goes wrong, so a successful run prints just the package lines.
run_quietly() {
  local log
  log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then
    echo "install-deps: command failed: $*" >&2
    tail -n 40 "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

main() {
  local -a missing
  mapfile -t missing < <(missing_packages)
  ((${#missing[@]} == 0)) && return 0

  local sudo
  if ! sudo="$(privilege_prefix)"; then
    echo "install-deps: missing packages and no root or passwordless sudo." >&2
    echo "Run as root:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    return 1
  fi

  # A postgresql-15 being installed now brings postgresql-common, which
  # creates and starts a default cluster "15/main" on port 5432. Remember that
  # so we can stop it again: tests start their own server and nothing else
  # should be listening.
  local fresh_server=0
  is_installed postgresql-15 || fresh_server=1

  # $sudo is deliberately unquoted: it is empty or "sudo -n". env(1) carries
  # DEBIAN_FRONTEND through sudo's environment reset.
  # shellcheck disable=SC2086
  run_quietly $sudo env DEBIAN_FRONTEND=noninteractive apt-get update
  # shellcheck disable=SC2086
  run_quietly $sudo env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"

  if ((fresh_server)) && command -v pg_ctlcluster >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    $sudo pg_ctlcluster 15 main stop >/dev/null 2>&1 || true
  fi

  local pkg status=0
  for pkg in "${missing[@]}"; do
    if is_installed "$pkg"; then
      echo "installed $pkg"
    else
      echo "install-deps: $pkg is still not installed" >&2
      status=1
    fi
  done
  return "$status"
}

main "$@"

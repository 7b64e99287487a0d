#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for integration tests (ARCHITECTURE.md, "Testing").
#
#   pg-harness.sh start DIR   initdb into DIR/data, start on a free port with
#                             the Unix socket in DIR, create database
#                             tandem_test with pg_stat_statements; writes
#                             DIR/url (libpq key=value string) and DIR/port
#   pg-harness.sh stop DIR    stop the server (immediately) and remove DIR
#                             (and its server directory, see below)
#   pg-harness.sh env DIR     print: export TANDEM_TEST_PG_URL='...'
#   pg-harness.sh start-replica PRIMARY_DIR DIR
#                             a streaming replica of the server started in
#                             PRIMARY_DIR: pg_basebackup -R over the primary's
#                             Unix socket into DIR/data, started on a free
#                             port of its own; writes DIR/url and DIR/port
#                             like start. `stop DIR` stops and removes it.
#   pg-harness.sh restart DIR [SECONDS]
#                             crash-restart the server started in DIR: stop it
#                             with -m immediate (every session dies, recovery
#                             replays the WAL, as after a power loss), stay
#                             down SECONDS (0 by default), then start it again
#                             on the same port
#
# PostgreSQL refuses to run as root, so when this script runs as root the
# server runs as the "postgres" system user, or as a "tandem-test" system user
# created on demand when there is no postgres user.
#
# That user must reach the server's files through every parent directory. When
# a parent of DIR is not traversable by it (a checkout under a mode 0700 home),
# the data directory, log and Unix socket go to a fresh directory made by
# mktemp under ${TMPDIR:-/tmp} instead; DIR/server_dir records where, and
# DIR/url points at the socket there. DIR itself then holds only url, port and
# server_dir.
set -Eeuo pipefail

readonly PG_MAJOR=15
readonly DB_NAME=tandem_test
readonly FALLBACK_USER=tandem-test
# Present in every directory this script creates; start and stop delete DIR
# recursively, and only do so when DIR is empty or carries this marker, so a
# mistyped DIR cannot wipe someone's files.
readonly MARKER=.pg-harness
# Names the server directory in DIR when it is not DIR itself.
readonly SERVER_DIR_FILE=server_dir
# Bind attempts: a port that was free when probed can be taken by the time
# the server binds it (other builds run on the same machine).
readonly START_ATTEMPTS=3

DIR=""             # absolute path of the harness directory
SERVER_DIR=""      # data/, postgres.log and the socket: DIR, or a temp dir
BINDIR=""          # PostgreSQL server binaries
RUN_AS=""          # user that owns and runs the server; empty: the current user
PORT=""            # TCP port chosen by start
SERVER_STARTED=0   # set once start has a running server to clean up on failure
DOWN_SECONDS=0     # restart: how long the server stays down

# ---- small helpers ---------------------------------------------------------

log() { echo "pg-harness: $*" >&2; }

# Prints the end of the server log, which is where PostgreSQL explains why it
# did not start, then exits. A server that start already launched is stopped,
# so a failed start leaves nothing listening; DIR stays for inspection.
die() {
  trap - ERR
  log "error: $*"
  if ((SERVER_STARTED)); then
    stop_server_if_running
  fi
  if [[ -n "$SERVER_DIR" && -s "$SERVER_DIR/postgres.log" ]]; then
    log "last lines of $SERVER_DIR/postgres.log:"
    tail -n 30 "$SERVER_DIR/postgres.log" >&2
  fi
  exit 1
}

usage() {
  echo "usage: $0 start|stop|restart|env DIR  |  $0 restart DIR SECONDS  |  $0 start-replica PRIMARY_DIR DIR" >&2
  exit 2
}

find_bindir() {
  local dir="/usr/lib/postgresql/$PG_MAJOR/bin"
  if [[ ! -x "$dir/postgres" ]] && command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir)"
  fi
  [[ -x "$dir/postgres" && -x "$dir/initdb" ]] ||
    die "PostgreSQL $PG_MAJOR server binaries not found (install postgresql-$PG_MAJOR)"
  BINDIR="$dir"
}

# DIR may not exist yet; resolve it against the current directory without
# requiring it to exist, so url and port files carry an absolute socket path.
absolute_path() {
  local path="$1"
  [[ "$path" == /* ]] || path="$PWD/$path"
  realpath -m -- "$path"
}

# Runs a command as the server's user. cd / first: the caller's working
# directory may not be readable by that user, and initdb/pg_ctl complain.
as_server_user() {
  if [[ -n "$RUN_AS" ]]; then
    (cd / && runuser -u "$RUN_AS" -- "$@")
  else
    "$@"
  fi
}

# libpq key=value strings need quoting only for unusual characters; keep the
# common case readable.
libpq_quote() {
  local value="$1"
  if [[ "$value" =~ ^[A-Za-z0-9_./-]+$ ]]; then
    printf '%s' "$value"
  else
    value="${value//\\/\\\\}"
    printf "'%s'" "${value//\'/\\\'}"
  fi
}

# ---- who runs the server ---------------------------------------------------

choose_server_user() {
  [[ "$(id -u)" -eq 0 ]] || return 0
  if id postgres >/dev/null 2>&1; then
    RUN_AS=postgres
  else
    if ! id "$FALLBACK_USER" >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin "$FALLBACK_USER" ||
        die "could not create system user $FALLBACK_USER"
    fi
    RUN_AS="$FALLBACK_USER"
  fi
}

# True when the server user can reach DIR through every parent directory.
parents_traversable() {
  [[ -n "$RUN_AS" ]] || return 0
  as_server_user test -x "$(dirname "$DIR")"
}

# The first parent of path $1 (from /) that the server user cannot traverse.
first_blocker() {
  local path="$1" blocker=""
  while [[ "$path" != / ]]; do
    as_server_user test -x "$path" || blocker="$path"
    path="$(dirname "$path")"
  done
  printf '%s' "$blocker"
}

# Sets SERVER_DIR to DIR, or, when the server user cannot reach DIR (a
# checkout under a private home, e.g. mode 0700), to a fresh temp directory
# owned by that user. The choice is recorded in DIR before anything is put in
# the temp directory, so `stop DIR` cleans it up even after a failed start.
choose_server_dir() {
  if parents_traversable; then
    SERVER_DIR="$DIR"
    return 0
  fi
  local tmp_root="${TMPDIR:-/tmp}"
  log "user $RUN_AS cannot traverse $(first_blocker "$(dirname "$DIR")"), a parent of $DIR;" \
    "keeping the server's files in a directory under $tmp_root instead"
  SERVER_DIR="$(mktemp -d "$tmp_root/pg-harness.XXXXXX")" ||
    die "mktemp -d under $tmp_root failed"
  SERVER_DIR="$(absolute_path "$SERVER_DIR")"
  echo "$SERVER_DIR" >"$DIR/$SERVER_DIR_FILE"
  touch "$SERVER_DIR/$MARKER"
  chown -R "$RUN_AS:" "$SERVER_DIR"
  if ! as_server_user test -x "$SERVER_DIR"; then
    local blocker
    blocker="$(first_blocker "$SERVER_DIR")"
    die "user $RUN_AS cannot traverse $blocker (mode $(stat -c %a "$blocker")) either," \
      "a parent of both $DIR and the fallback $SERVER_DIR; the server runs as $RUN_AS because" \
      "PostgreSQL refuses to run as root. Set TMPDIR to a directory $RUN_AS can reach, or" \
      "make $blocker traversable (chmod o+x $blocker)."
  fi
}

# ---- ports -----------------------------------------------------------------

port_in_use() {
  # Bash's /dev/tcp connects; success means something is listening. Works
  # without iproute2 or python on a minimal image.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Sets PORT. Starts at a random port so parallel harnesses on one machine
# rarely probe the same candidates.
pick_free_port() {
  local port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000)) i
  for ((i = 0; i < 100; i++)); do
    if ! port_in_use "$port"; then
      PORT="$port"
      return 0
    fi
    port=$((port + 1 >= 60000 ? 20000 : port + 1))
  done
  die "no free TCP port found on 127.0.0.1"
}

# ---- start -----------------------------------------------------------------

# Stops a server left running in SERVER_DIR by an earlier run that never
# reached "stop" (killed test run), so its files can be removed.
stop_server_if_running() {
  [[ -n "$SERVER_DIR" ]] || return 0
  local data="$SERVER_DIR/data"
  [[ -f "$data/postmaster.pid" ]] || return 0
  local owner
  owner="$(stat -c %U "$data")"
  if [[ "$(id -u)" -eq 0 ]]; then
    (cd / && runuser -u "$owner" -- "$BINDIR/pg_ctl" -D "$data" -m immediate stop) \
      >/dev/null 2>&1 || true
  else
    "$BINDIR/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
  fi
}

# Deletes directory $1 when it is empty or carries the marker.
remove_marked_dir() {
  local dir="$1"
  [[ -e "$dir" ]] || return 0
  if [[ -n "$(ls -A "$dir" 2>/dev/null)" && ! -e "$dir/$MARKER" ]]; then
    die "$dir exists and was not created by pg-harness; refusing to delete it"
  fi
  rm -rf -- "$dir"
}

# Sets SERVER_DIR from what an earlier start recorded in DIR: the temp
# directory named in DIR/server_dir, else DIR itself.
load_server_dir() {
  SERVER_DIR="$DIR"
  [[ -s "$DIR/$SERVER_DIR_FILE" ]] || return 0
  local recorded
  recorded="$(cat "$DIR/$SERVER_DIR_FILE")"
  [[ "$recorded" == /* && "$recorded" != / ]] ||
    die "$DIR/$SERVER_DIR_FILE holds \"$recorded\", not an absolute directory; remove $DIR by hand"
  SERVER_DIR="$recorded"
}

# Stops whatever an earlier start left in DIR and removes DIR and its server
# directory.
remove_harness_dir() {
  [[ -e "$DIR" ]] || return 0
  load_server_dir
  stop_server_if_running
  if [[ "$SERVER_DIR" != "$DIR" ]]; then
    remove_marked_dir "$SERVER_DIR"
  fi
  remove_marked_dir "$DIR"
  SERVER_DIR=""
}

prepare_dir() {
  remove_harness_dir
  mkdir -p "$DIR"
  touch "$DIR/$MARKER"
  if [[ -n "$RUN_AS" ]]; then
    chown -R "$RUN_AS:" "$DIR"
  fi
}

init_cluster() {
  local out
  if ! out="$(as_server_user "$BINDIR/initdb" -D "$SERVER_DIR/data" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C 2>&1)"; then
    echo "$out" >&2
    die "initdb failed"
  fi
  # Our settings live in their own file so a retry on another port can simply
  # rewrite it; the include comes last, so it wins over initdb's defaults.
  echo "include 'harness.conf'" | as_server_user tee -a "$SERVER_DIR/data/postgresql.conf" >/dev/null
}

# Settings for a disposable server on a small machine: durability is
# pointless for test data, so fsync and friends are off.
write_config() {
  local socket_dir="${SERVER_DIR//"'"/"''"}" # single quotes doubled, as the config file wants
  as_server_user tee "$SERVER_DIR/data/harness.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$socket_dir'
max_connections = 100
shared_buffers = 256MB
shared_preload_libraries = 'pg_stat_statements'
fsync = off
synchronous_commit = off
full_page_writes = off
# A streaming-replica test takes a pg_basebackup of this server.
wal_level = replica
max_wal_senders = 5
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

start_server() {
  as_server_user "$BINDIR/pg_ctl" -D "$SERVER_DIR/data" -l "$SERVER_DIR/postgres.log" -w -t 60 start \
    >/dev/null 2>&1
}

# Tries a few ports: another process may grab the probed port before the
# server binds it. Any other start failure is final.
start_on_free_port() {
  local attempt
  for ((attempt = 1; attempt <= START_ATTEMPTS; attempt++)); do
    pick_free_port
    write_config
    if start_server; then
      SERVER_STARTED=1
      return 0
    fi
    grep -q "could not bind" "$SERVER_DIR/postgres.log" 2>/dev/null || break
    log "port $PORT was taken, retrying"
  done
  die "server did not start"
}

# Unix socket paths are limited to 107 bytes; a deep build directory would
# otherwise fail with a less obvious message from the server.
check_socket_path_length() {
  local socket="$SERVER_DIR/.s.PGSQL.65535"
  ((${#socket} <= 107)) ||
    die "socket path $socket is longer than 107 bytes; use a shorter build directory"
}

create_test_database() {
  local -a conn=(-h "$SERVER_DIR" -p "$PORT" -U postgres)
  "$BINDIR/createdb" "${conn[@]}" "$DB_NAME" || die "createdb $DB_NAME failed"
  "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "${conn[@]}" -d "$DB_NAME" \
    -c "CREATE EXTENSION pg_stat_statements" ||
    die "CREATE EXTENSION pg_stat_statements failed"
}

write_connection_files() {
  echo "$PORT" >"$DIR/port"
  echo "host=$(libpq_quote "$SERVER_DIR") port=$PORT user=postgres dbname=$DB_NAME" >"$DIR/url"
}

# A fresh DIR and the directory the server's files go to.
make_server_dir() {
  # Create missing parents now, so the check below also sees their modes
  # (a restrictive umask would make them untraversable for the server user).
  mkdir -p "$(dirname "$DIR")"
  prepare_dir
  choose_server_dir
  check_socket_path_length
}

cmd_start() {
  # Any unexpected failure from here on also reports the server log.
  trap 'die "unexpected failure (line $LINENO)"' ERR
  find_bindir
  choose_server_user
  make_server_dir
  init_cluster
  start_on_free_port
  create_test_database
  write_connection_files
  log "PostgreSQL $PG_MAJOR running: $(cat "$DIR/url")"
}

# ---- replica ---------------------------------------------------------------

# Copies the primary with pg_basebackup (-R writes standby.signal and
# primary_conninfo, -X stream brings the WAL the copy needs), then starts the
# copy as a hot standby. harness.conf comes along with the copy; start
# rewrites it with the replica's own port and socket directory.
cmd_start_replica() {
  local primary="$1"
  trap 'die "unexpected failure (line $LINENO)"' ERR
  [[ -s "$primary/url" ]] || die "no server started in $primary (missing $primary/url)"
  find_bindir
  choose_server_user
  make_server_dir
  local out
  if ! out="$(as_server_user "$BINDIR/pg_basebackup" -d "$(cat "$primary/url")" \
    -D "$SERVER_DIR/data" -R -X stream -c fast 2>&1)"; then
    echo "$out" >&2
    die "pg_basebackup of the server in $primary failed"
  fi
  start_on_free_port
  write_connection_files
  log "PostgreSQL $PG_MAJOR replica of $primary running: $(cat "$DIR/url")"
}

# ---- restart / stop / env --------------------------------------------------

cmd_restart() {
  [[ -s "$DIR/url" ]] || die "no server started in $DIR (missing $DIR/url)"
  trap 'die "unexpected failure (line $LINENO)"' ERR
  find_bindir
  load_server_dir
  RUN_AS="$(stat -c %U "$SERVER_DIR/data")"
  [[ "$RUN_AS" != "$(id -un)" ]] || RUN_AS=""
  as_server_user "$BINDIR/pg_ctl" -D "$SERVER_DIR/data" -m immediate stop >/dev/null 2>&1
  sleep "$DOWN_SECONDS"
  start_server || die "the server in $DIR did not start again after an immediate stop"
  log "PostgreSQL in $DIR restarted after an immediate stop"
}

cmd_stop() {
  [[ -e "$DIR" ]] || return 0
  find_bindir
  remove_harness_dir
}

cmd_env() {
  [[ -s "$DIR/url" ]] || die "no server started in $DIR (missing $DIR/url)"
  local url
  url="$(cat "$DIR/url")"
  # Single-quote for the shell: close, emit an escaped quote, reopen.
  printf "export TANDEM_TEST_PG_URL='%s'\n" "${url//\'/\'\\\'\'}"
}

main() {
  if [[ "${1:-}" == start-replica ]]; then
    (($# == 3)) || usage
    DIR="$(absolute_path "$3")"
    [[ "$DIR" != / ]] || die "refusing to use / as the harness directory"
    cmd_start_replica "$(absolute_path "$2")"
    return
  fi
  if [[ "${1:-}" == restart && $# == 3 ]]; then
    [[ "$3" =~ ^[0-9]+$ ]] || usage
    DOWN_SECONDS="$3"
    set -- "$1" "$2"
  fi
  (($# == 2)) || usage
  DIR="$(absolute_path "$2")"
  [[ "$DIR" != / ]] || die "refusing to use / as the harness directory"
  case "$1" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart) cmd_restart ;;
    env) cmd_env ;;
    *) usage ;;
  esac
}

main "$@"

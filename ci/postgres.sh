#!/usr/bin/env bash
# A throw-away PostgreSQL 15 server for the storage tests, independent of any cluster the
# Debian package may have set up (it neither needs nor touches that one).
#
#   ci/postgres.sh start   initdb (first time) and start it; prints the URL on stdout
#   ci/postgres.sh url     prints the URL
#   ci/postgres.sh status  exit 0 if it runs
#   ci/postgres.sh stop    stops it and deletes its directory
#
# Every command is idempotent. As root, the server runs as the `postgres` OS user (PostgreSQL
# refuses to run as root); otherwise as the calling user. Settings: RANVIER_PG_DIR
# (default /tmp/ranvier-pg), RANVIER_PG_PORT (55432), RANVIER_PG_BIN (the 15 binaries).
# Only loopback TCP is opened, with trust authentication, and durability is switched off:
# this server is for tests only.
set -euo pipefail

dir=${RANVIER_PG_DIR:-/tmp/ranvier-pg}
port=${RANVIER_PG_PORT:-55432}
bin=${RANVIER_PG_BIN:-/usr/lib/postgresql/15/bin}
database=ranvier_test
superuser=postgres
data=$dir/data
log=$dir/server.log

url() {
  echo "postgres://$superuser@127.0.0.1:$port/$database"
}

say() {
  echo "postgres.sh: $*" >&2
}

# Runs a command as the server's OS user, from a directory that user can enter.
as_owner() {
  if [[ $(id -u) == 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

# Running means: our postmaster is alive and answers on our port.
running() {
  [[ -f $data/PG_VERSION ]] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1 &&
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 5
}

# A server that crashed or was killed leaves postmaster.pid behind, possibly with some of its
# processes still exiting. Stop what is left of it (only if that PID really is a postgres
# process, so a reused PID is never signalled) and clear the lock file.
clear_stale_server() {
  local pid_file=$data/postmaster.pid pid
  [[ -f $pid_file ]] || return 0
  pid=$(head -n 1 "$pid_file")
  if [[ $pid =~ ^[0-9]+$ && $(cat "/proc/$pid/comm" 2>/dev/null) == postgres ]]; then
    as_owner "$bin/pg_ctl" -D "$data" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
  fi
  if [[ -f $pid_file ]] && ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    rm -f "$pid_file"
  fi
}

psql_admin() {
  as_owner "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U "$superuser" -d postgres "$@"
}

init_cluster() {
  rm -rf "$dir"
  mkdir -p "$dir"
  chmod 700 "$dir"
  if [[ $(id -u) == 0 ]]; then
    if ! id postgres >/dev/null 2>&1; then
      say "the 'postgres' OS user is missing; install the postgresql package"
      exit 1
    fi
    chown postgres: "$dir"
  fi
  # C.UTF-8 exists on every Debian 12 system, whatever locales are installed.
  if ! as_owner "$bin/initdb" -D "$data" -U "$superuser" --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
    say "initdb failed:"
    cat "$dir/initdb.log" >&2
    exit 1
  fi
}

start() {
  if [[ ! -x $bin/postgres ]]; then
    say "no PostgreSQL server in $bin; install postgresql-15 (apt-get install postgresql)"
    exit 1
  fi
  if ! running; then
    # A directory without a finished cluster (interrupted initdb) is rebuilt from scratch.
    if [[ ! -f $data/PG_VERSION ]]; then
      init_cluster
    fi
    clear_stale_server
    # Restarted within a minute of a stop, the port can still be held by the last server's
    # TIME_WAIT connections ("Address already in use"): wait for them to go, up to 90 s.
    local waited=0
    until as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 \
            -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null; do
      if ((waited >= 90)) || ! tail -n 5 "$log" | grep -q "Address already in use"; then
        say "the server did not start (port $port taken?); log:"
        tail -n 20 "$log" >&2 || true
        exit 1
      fi
      sleep 3
      waited=$((waited + 3))
    done
  fi
  if [[ $(psql_admin -tA -c "SELECT 1 FROM pg_database WHERE datname = '$database'") != 1 ]]; then
    # A natural-language collation, as production databases usually have, so tests catch SQL
    # that would order or compare identifiers differently from SQLite.
    psql_admin -c "CREATE DATABASE $database TEMPLATE template0 ENCODING 'UTF8'
                   LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
  fi
  url
}

stop() {
  if [[ -f $data/postmaster.pid ]]; then
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 || clear_stale_server
  fi
  rm -rf "$dir"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  url) url ;;
  status) running || exit 1 ;;
  *)
    echo "usage: $0 start|stop|url|status" >&2
    exit 2
    ;;
esac

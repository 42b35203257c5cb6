#!/usr/bin/env bash
# Drives a fresh Ranvier server with a real client SDK (matrix-js-sdk, pinned in
# js-sdk/package.json and package-lock.json): two users register, log in, sync, create a
# room, invite, join, exchange messages, page back through history, see an unread count that a
# read receipt clears, redact and leave. Then two
# matrix-nio clients (Debian python3-matrix-nio, python3-olm) exchange end-to-end encrypted
# messages (nio_e2ee.py).
#
# Usage: conformance/clients/run.sh [sqlite|postgres]
#   sqlite   (default) the server uses a SQLite file in its temporary folder
#   postgres a new database on the server ci/postgres.sh starts, dropped afterwards
# Environment: RANVIER_BIN (default build/server/app/ranvier), RANVIER_STEP_TIMEOUT_MS,
# RANVIER_SDK_LOG=1 (print the SDK's own log), RANVIER_KEEP=1 (keep the server's folder).
# Exits 0 when every step passed; otherwise prints the failing step, the HTTP exchanges it
# made, the tail of the server's log, and exits 1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
backend=${1:-sqlite}
binary=${RANVIER_BIN:-$root/build/server/app/ranvier}

say() { echo "clients/run.sh: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

case $backend in
  sqlite | postgres) ;;
  *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;;
esac
command -v node >/dev/null || fail "node is not installed"
command -v npm >/dev/null || fail "npm is not installed"
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || fail "matrix-js-sdk 37 needs Node.js 20 or newer, this is $(node --version)"
[[ -x $binary ]] || fail "no ranvier binary at $binary (build it: tools/build.sh --target ranvier)"

say "installing matrix-js-sdk (npm ci)"
(cd "$here/js-sdk" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null) ||
  fail "npm ci in $here/js-sdk did not succeed"

work=$(mktemp -d /tmp/ranvier-clients-XXXXXX)
server_pid=
pg_admin_url=
pg_database=
passed=0

cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n $pg_database ]]; then
    psql "$pg_admin_url" -q -c "DROP DATABASE IF EXISTS \"$pg_database\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if ((passed)) && [[ ${RANVIER_KEEP:-0} != 1 ]]; then
    rm -rf "$work"
  else
    say "server folder kept: $work"
  fi
}
trap cleanup EXIT

# A port nothing listens on right now, picked by the kernel.
free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# The binary is copied so that a rebuild during the run cannot swap it underneath.
cp "$binary" "$work/ranvier"
database="sqlite://$work/ranvier.db"
if [[ $backend == postgres ]]; then
  "$root/ci/postgres.sh" start >/dev/null || fail "ci/postgres.sh could not start PostgreSQL"
  pg_admin_url=$("$root/ci/postgres.sh" url)
  pg_database=ranvier_clients_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
  psql "$pg_admin_url" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$pg_database\"" ||
    fail "cannot create database $pg_database"
  database="${pg_admin_url%/*}/$pg_database"
fi

client_port=$(free_port)
federation_port=$(free_port)
"$work/ranvier" init --server-name localhost --dir "$work" --database "$database" \
  --registration open --client-listen "127.0.0.1:$client_port" \
  --federation-listen "127.0.0.1:$federation_port" >"$work/init.log" 2>&1 ||
  { cat "$work/init.log" >&2; fail "ranvier init"; }

# Rate limits off, as in the conformance suites: the scenario sends bursts of messages.
# Password hashing at its cheapest: the scenario logs in four times.
sed -i -e '/^rate_limits:/,/^[^ #]/ s/^  enabled: true/  enabled: false/' \
  -e '/^password_hashing:/,/^[^ #]/ { s/^  memory_kib: .*/  memory_kib: 8/; s/^  iterations: .*/  iterations: 1/ }' \
  "$work/ranvier.yaml"
grep -A1 '^rate_limits:' "$work/ranvier.yaml" | grep -q 'enabled: false' ||
  fail "could not switch rate limits off in $work/ranvier.yaml"

"$work/ranvier" serve --config "$work/ranvier.yaml" </dev/null >"$work/server.log" 2>&1 &
server_pid=$!

show_server_log() {
  say "last lines of the server's log ($work/server.log):"
  tail -n "${1:-40}" "$work/server.log" >&2 || true
}

# Ready once the client listener accepts a connection; a server that exits first fails here.
for _ in $(seq 200); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    show_server_log
    fail "ranvier serve exited before it was ready"
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$client_port") 2>/dev/null; then
    break
  fi
  sleep 0.1
done

say "server on 127.0.0.1:$client_port ($backend); running the matrix-js-sdk scenario"
scenario_rc=0
(cd "$here/js-sdk" && RANVIER_URL="http://127.0.0.1:$client_port" node scenario.mjs) || scenario_rc=$?

# End-to-end encryption with matrix-nio on the same server (after the js-sdk scenario, so a
# failure there is reported first).
nio_rc=0
if ((scenario_rc == 0)); then
  say "running the matrix-nio end-to-end encryption scenario (nio_e2ee.py)"
  RANVIER_URL="http://127.0.0.1:$client_port" /usr/bin/python3 "$here/nio_e2ee.py" || nio_rc=$?
fi

# Stop: SIGTERM, then up to 15 s for a clean exit.
server_rc=0
kill -TERM "$server_pid" 2>/dev/null || true
for _ in $(seq 150); do
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$server_pid" 2>/dev/null; then
  show_server_log 20
  fail "ranvier serve did not stop within 15 s of SIGTERM"
fi
wait "$server_pid" || server_rc=$?
server_pid=

if ((scenario_rc == 3)); then
  fail "every step passed, but GET /pushrules/ was answered by the stand-in (RANVIER_SDK_STANDIN_PUSHRULES=1), not the server"
fi
if ((scenario_rc != 0)); then
  show_server_log
  fail "the matrix-js-sdk scenario failed on $backend (exit $scenario_rc); see the failing step above"
fi
if ((nio_rc != 0)); then
  show_server_log
  fail "the matrix-nio end-to-end encryption scenario failed on $backend (exit $nio_rc); see the failing step above"
fi
if ((server_rc != 0)); then
  show_server_log 20
  fail "ranvier serve exited with status $server_rc after SIGTERM"
fi
passed=1
say "matrix-js-sdk and matrix-nio scenarios passed on $backend"

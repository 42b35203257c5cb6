#!/bin/bash
# End-to-end test of the reference deployment: builds the images, starts deploy/compose.yaml
# (Ranvier + PostgreSQL) under a throw-away project name with loopback-only ports, and checks
#   - both containers become healthy; GET /_matrix/client/versions;
#   - the .well-known answers configured from the environment on the first start;
#   - the federation listener (HTTPS) serves the server's signing key;
#   - registration (m.login.dummy user-interactive auth), password login, whoami;
#   - `ranvier register-user` inside the running container (an admin), then its login;
#   - both accounts are rows in PostgreSQL's `accounts` table; the superuser cannot log in
#     over the network;
#   - after a restart of the ranvier container, and after both containers are recreated with
#     the volumes kept, the same login and the old access token still work;
#   - SIGHUP (TLS reload) leaves the server running;
#   - a message round trip: alice creates a room, invites bob, bob joins and reads alice's
#     message through /messages, and the message is still there after the restart and the
#     recreation;
# then removes the containers and volumes.
#
#   deploy/test-stack.sh                  # host-built binary (tools/build.sh --target ranvier)
#   deploy/test-stack.sh --from-source    # image compiled inside Docker
#   KEEP=1 deploy/test-stack.sh           # leave the stack running for a look
#   RANVIER_IMAGE=ranvier:src deploy/test-stack.sh --from-source   # keep ranvier:latest as it is
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
step() { echo "test-stack [$(( $(date +%s) - started )) s] $*"; }
fail() { echo "test-stack: FAIL: $*" >&2; exit 1; }

if command -v docker-compose >/dev/null; then
    compose_cmd=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
    compose_cmd=(docker compose)
else
    fail "neither docker-compose nor the docker compose plugin is installed"
fi

project=ranvier-test-$$
export SERVER_NAME=stack.test
export POSTGRES_PASSWORD=$(openssl rand -hex 16)
export REGISTRATION=open
export WELL_KNOWN_SERVER=matrix.stack.test:443
export WELL_KNOWN_CLIENT_BASE_URL=https://matrix.stack.test
# Loopback only, on ports Docker picks.
export CLIENT_PORT=127.0.0.1:
export FEDERATION_PORT=127.0.0.1:
# deploy/.env of an operator must not leak into the test: the variables above win anyway, but
# an empty env file makes that explicit.
env_file=$(mktemp)
body_file=$(mktemp)
compose() { "${compose_cmd[@]}" -p "$project" -f deploy/compose.yaml --env-file "$env_file" "$@"; }

cleanup() {
    local rc=$?
    if ((rc != 0)); then
        compose logs --no-color --tail=40 >&2 || true
    fi
    if [[ ${KEEP:-0} == 1 ]]; then
        echo "test-stack: KEEP=1, left running: ${compose_cmd[*]} -p $project -f deploy/compose.yaml down -v"
    else
        compose down -v --remove-orphans >/dev/null 2>&1 || true
    fi
    rm -f "$env_file" "$body_file"
}
trap cleanup EXIT

step "building images"
deploy/build-image.sh "$@" >/tmp/ranvier-test-stack-build.log 2>&1 ||
    { tail -30 /tmp/ranvier-test-stack-build.log >&2; fail "image build (log: /tmp/ranvier-test-stack-build.log)"; }

step "starting $project"
compose up -d

# Waits until the service's container reports healthy.
wait_healthy() {
    local service=$1 id status
    id=$(compose ps -q "$service")
    for _ in $(seq 1 120); do
        status=$(docker inspect -f '{{.State.Health.Status}}' "$id")
        [[ $status == healthy ]] && return 0
        [[ $(docker inspect -f '{{.State.Running}}' "$id") == true ]] || fail "$service exited"
        sleep 1
    done
    fail "$service not healthy after 120 s (last: $status)"
}
wait_healthy db
wait_healthy ranvier
step "both containers healthy"

client_url() { echo "http://$(compose port ranvier 8008)"; }
federation_url() { echo "https://$(compose port ranvier 8448)"; }

# api METHOD PATH [BODY] [TOKEN]: sets $status and $body (not run in a subshell, so that both
# reach the caller).
status= body=
api() {
    local method=$1 path=$2 data=${3:-} token=${4:-}
    local args=(-sS -X "$method" -o "$body_file" -w '%{http_code}')
    [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data "$data")
    [[ -n $token ]] && args+=(-H "Authorization: Bearer $token")
    status=$(curl "${args[@]}" "$(client_url)$path")
    body=$(cat "$body_file")
}
# json EXPR: evaluates a Python expression on the JSON document read from standard input (`j`).
json() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

api GET /_matrix/client/versions
[[ $status == 200 ]] || fail "versions: HTTP $status $body"
step "versions: $(echo "$body" | json "','.join(j['versions'][-3:])") (last three)"

api GET /.well-known/matrix/client
[[ $(echo "$body" | json "j['m.homeserver']['base_url']") == "$WELL_KNOWN_CLIENT_BASE_URL" ]] ||
    fail "well-known client: $body"
api GET /.well-known/matrix/server
[[ $(echo "$body" | json "j['m.server']") == "$WELL_KNOWN_SERVER" ]] || fail "well-known server: $body"
step "well-known client and server delegation served"

body=$(curl -sSk "$(federation_url)/_matrix/key/v2/server")
[[ $(echo "$body" | json "j['server_name']") == "$SERVER_NAME" ]] || fail "key server: $body"
step "federation listener (HTTPS) serves the signing key"

password=$(openssl rand -hex 12)
api POST /_matrix/client/v3/register '{"username":"alice","password":"'"$password"'"}'
[[ $status == 401 ]] || fail "register without auth: HTTP $status $body"
session=$(echo "$body" | json "j['session']")
api POST /_matrix/client/v3/register \
    '{"username":"alice","password":"'"$password"'","auth":{"type":"m.login.dummy","session":"'"$session"'"}}'
[[ $status == 200 ]] || fail "register: HTTP $status $body"
user_id=$(echo "$body" | json "j['user_id']")
[[ $user_id == "@alice:$SERVER_NAME" ]] || fail "register: user_id $user_id"
step "registered $user_id"

login='{"type":"m.login.password","identifier":{"type":"m.id.user","user":"alice"},"password":"'"$password"'"}'
check_login() {
    local token
    api POST /_matrix/client/v3/login "$login"
    [[ $status == 200 ]] || fail "login: HTTP $status $body"
    token=$(echo "$body" | json "j['access_token']")
    api GET /_matrix/client/v3/account/whoami "" "$token"
    [[ $status == 200 && $(echo "$body" | json "j['user_id']") == "$user_id" ]] || fail "whoami: HTTP $status $body"
    login_token=$token
}
check_login
token=$login_token
step "password login and whoami"

compose exec -T ranvier ranvier register-user --config /data/ranvier.yaml \
    --user bob --password "$password" --admin >/dev/null
api POST /_matrix/client/v3/login '{"type":"m.login.password","identifier":{"type":"m.id.user","user":"bob"},"password":"'"$password"'"}'
[[ $status == 200 ]] || fail "login of the account made by register-user: HTTP $status $body"
bob_token=$(echo "$body" | json "j['access_token']")
step "ranvier register-user inside the running container, then login"

api POST /_matrix/client/v3/createRoom '{"name":"stack test","invite":["@bob:'"$SERVER_NAME"'"]}' "$token"
[[ $status == 200 ]] || fail "createRoom: HTTP $status $body"
room_id=$(echo "$body" | json "j['room_id']")
api POST "/_matrix/client/v3/join/$room_id" '{}' "$bob_token"
[[ $status == 200 ]] || fail "bob's join: HTTP $status $body"
message="hello from the stack $(openssl rand -hex 4)"
api PUT "/_matrix/client/v3/rooms/$room_id/send/m.room.message/txn1" \
    '{"msgtype":"m.text","body":"'"$message"'"}' "$token"
[[ $status == 200 ]] || fail "send: HTTP $status $body"
# check_message: bob reads the room's history backwards and finds alice's message.
check_message() {
    api GET "/_matrix/client/v3/rooms/$room_id/messages?dir=b&limit=20" "" "$bob_token"
    [[ $status == 200 ]] || fail "messages ($1): HTTP $status $body"
    [[ $(echo "$body" | json "[e['content'].get('body') for e in j['chunk'] if e['type']=='m.room.message'][0]") == "$message" ]] ||
        fail "messages ($1): alice's message missing: $body"
}
check_message "after sending"
step "message round trip: createRoom, invite, join, send, /messages"

rows=$(compose exec -T db psql -d ranvier -Atc "select user_id || ' admin=' || is_admin from accounts order by user_id" | tr '\n' ' ')
[[ $rows == "@alice:$SERVER_NAME admin=false @bob:$SERVER_NAME admin=true " ]] || fail "accounts in PostgreSQL: '$rows'"
step "PostgreSQL accounts table: $rows"

# Over the network only the application role logs in; the superuser has no password.
compose exec -T -e PGPASSWORD="$POSTGRES_PASSWORD" db \
    psql -h 127.0.0.1 -U ranvier -d ranvier -c 'select 1' >/dev/null ||
    fail "the ranvier role cannot log in over the network"
if compose exec -T -e PGPASSWORD="$POSTGRES_PASSWORD" db \
    psql -h 127.0.0.1 -U postgres -d ranvier -c 'select 1' >/dev/null 2>&1; then
    fail "the postgres superuser can log in over the network"
fi
step "PostgreSQL over the network: role ranvier accepted, superuser refused"

check_survived() {
    api GET /_matrix/client/v3/account/whoami "" "$token"
    [[ $status == 200 ]] || fail "old access token after $1: HTTP $status $body"
    check_login
    check_message "$1"
    step "after $1: old token, password login and the room's message still work"
}

t=$(date +%s)
compose restart ranvier >/dev/null 2>&1
wait_healthy ranvier
step "ranvier restarted and healthy in $(( $(date +%s) - t )) s"
check_survived "restart"

t=$(date +%s)
compose down >/dev/null 2>&1
compose up -d >/dev/null 2>&1
wait_healthy db
wait_healthy ranvier
step "containers recreated (volumes kept) and healthy in $(( $(date +%s) - t )) s"
check_survived "recreation"

id=$(compose ps -q ranvier)
docker kill -s HUP "$id" >/dev/null
sleep 1
[[ $(docker inspect -f '{{.State.Running}}' "$id") == true ]] || fail "ranvier exited on SIGHUP"
api GET /_matrix/client/versions
[[ $status == 200 ]] || fail "versions after SIGHUP: HTTP $status"
step "SIGHUP: still serving; log says: $(docker logs --tail 5 "$id" 2>&1 | grep -i -m1 -E 'tls|reload|hup' || echo '(no reload line)')"

t=$(date +%s)
compose stop ranvier >/dev/null 2>&1
step "graceful stop in $(( $(date +%s) - t )) s, exit code $(docker inspect -f '{{.State.ExitCode}}' "$id")"

step "PASS"

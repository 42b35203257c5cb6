#!/bin/bash
# Builds the Ranvier Complement image and checks Complement's image contract against a real
# container: health, the client API on 8008, the federation API over TLS on 8448 with a
# certificate signed by the mounted CA, and shared-secret registration.
#
#   conformance/complement/check-image.sh [--no-build]
#
# Needs root, a running dockerd, openssl and curl, and the host binary build/server/app/ranvier
# (tools/build.sh --target ranvier). Not part of CI. Exit status: 0 when every check passed,
# 1 otherwise; each check prints PASS or FAIL.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/conformance/complement"
image="${RANVIER_COMPLEMENT_IMAGE:-ranvier-complement:latest}"
binary="$root/build/server/app/ranvier"
failures=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
die() { echo "check-image: $*" >&2; exit 1; }

docker info >/dev/null 2>&1 || die "dockerd is not running (start it: dockerd >/tmp/dockerd.log 2>&1 &)"

if [[ "${1:-}" != "--no-build" ]]; then
    [[ -x "$binary" ]] || die "$binary is missing; run tools/build.sh --target ranvier"
    "$here/make-base-image.sh" || die "could not make the debian:bookworm base image"
    # The context is the repository root, restricted to the files the Dockerfile copies, so
    # that build/ and .git are not sent to the daemon (the classic builder ignores
    # Dockerfile.dockerignore).
    echo "check-image: building $image"
    tar -C "$root" -c conformance/complement/Dockerfile conformance/complement/entrypoint.sh \
            build/server/app/ranvier |
        DOCKER_BUILDKIT=0 docker build -q -t "$image" -f conformance/complement/Dockerfile - ||
        die "docker build failed"
fi

work=$(mktemp -d /tmp/ranvier-complement-check.XXXXXX)
container=""
cleanup() {
    if [[ -n "$container" ]]; then
        docker rm -f "$container" >/dev/null 2>&1
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# A throw-away CA, as Complement creates one per run.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=check-image test CA" \
    -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null || die "openssl could not make a CA"

# An application-service registration, mounted where Complement puts them.
mkdir "$work/appservice"
cat >"$work/appservice/bridge.yaml" <<'YAML'
id: check-image-bridge
url: null
as_token: check-image-as-token
hs_token: check-image-hs-token
sender_localpart: bridge
namespaces:
  users: [{exclusive: true, regex: "@bridge_.*:hs1"}]
  aliases: []
  rooms: []
YAML

container=$(docker run -d -e SERVER_NAME=hs1 -v "$work:/complement/ca:ro" \
    -v "$work/appservice:/complement/appservice:ro" \
    -p 127.0.0.1::8008 -p 127.0.0.1::8448 "$image") || die "docker run failed"

status=""
for _ in $(seq 1 60); do
    status=$(docker inspect -f '{{.State.Health.Status}}' "$container" 2>/dev/null || echo gone)
    [[ "$status" == healthy || "$status" == gone ]] && break
    if [[ $(docker inspect -f '{{.State.Running}}' "$container") != true ]]; then
        status=exited
        break
    fi
    sleep 1
done
if [[ "$status" == healthy ]]; then
    pass "container became healthy"
else
    fail "container is '$status', not healthy; its log:"
    docker logs "$container" 2>&1 | tail -20
    exit 1
fi

# Sets client and federation_port from the container's published ports (they change when the
# container restarts) and succeeds once the client API answers.
wait_serving() {
    local tries=$1
    for _ in $(seq 1 "$tries"); do
        client="http://127.0.0.1:$(docker port "$container" 8008/tcp 2>/dev/null | head -1 | sed 's/.*://')"
        federation_port=$(docker port "$container" 8448/tcp 2>/dev/null | head -1 | sed 's/.*://')
        curl -fsS "$client/_matrix/client/versions" >/dev/null 2>&1 && return 0
        sleep 1
    done
    return 1
}
show_container() {
    docker inspect -f 'state: {{.State.Status}} exit code {{.State.ExitCode}}' "$container"
    docker logs "$container" 2>&1 | tail -20
}

wait_serving 5 || { fail "client API on 8008 does not answer"; show_container; exit 1; }

body=$(curl -fsS "$client/_matrix/client/versions") &&
    grep -q '"versions"' <<<"$body" &&
    pass "GET /_matrix/client/versions on 8008: $body" ||
    fail "GET /_matrix/client/versions on 8008"

# The certificate must be for hs1 and chain to the mounted CA: curl verifies both.
check_federation() {
    body=$(curl -fsS --cacert "$work/ca.crt" --resolve "hs1:$federation_port:127.0.0.1" \
        "https://hs1:$federation_port/_matrix/federation/v1/version") && grep -q '"server"' <<<"$body"
}
check_federation &&
    pass "GET /_matrix/federation/v1/version on 8448 over TLS, certificate verified: $body" ||
    fail "GET /_matrix/federation/v1/version on 8448 with the test CA"

# Restarting runs the entrypoint again in the same container (kept key, new certificate).
if docker restart "$container" >/dev/null && wait_serving 30 && check_federation; then
    pass "entrypoint runs again after a restart"
else
    fail "server did not come back after docker restart"
    show_container
fi

# Shared-secret registration, as Complement creates its users (Synapse admin API):
# GET a nonce, then POST the HMAC-SHA1 of nonce\0user\0password\0notadmin keyed by the secret.
register_url="$client/_synapse/admin/v1/register"
nonce_body=$(curl -sS "$register_url")
nonce=$(sed -n 's/.*"nonce" *: *"\([^"]*\)".*/\1/p' <<<"$nonce_body")
if [[ -z "$nonce" ]]; then
    fail "shared-secret registration: GET $register_url gave no nonce: $nonce_body"
else
    mac=$(printf '%s\0%s\0%s\0%s' "$nonce" alice secret-password notadmin |
        openssl dgst -sha1 -hmac complement | sed 's/.*= //')
    reply=$(curl -sS -X POST -H 'Content-Type: application/json' \
        -d "{\"nonce\":\"$nonce\",\"username\":\"alice\",\"password\":\"secret-password\",\"admin\":false,\"mac\":\"$mac\"}" \
        "$register_url")
    grep -q '"access_token"' <<<"$reply" &&
        pass "shared-secret registration of @alice:hs1: $reply" ||
        fail "shared-secret registration: POST $register_url answered: $reply"
fi

# The mounted registration is loaded: its as_token registers a user in its namespace.
reply=$(curl -sS -X POST -H 'Content-Type: application/json' -H 'Authorization: Bearer check-image-as-token' \
    -d '{"type":"m.login.application_service","username":"bridge_alice"}' "$client/_matrix/client/v3/register")
grep -q '"user_id":"@bridge_alice:hs1"' <<<"$reply" &&
    pass "application-service registration from /complement/appservice: $reply" ||
    fail "application-service registration: POST /register with the as_token answered: $reply"

echo "check-image: $failures check(s) failed"
[[ $failures -eq 0 ]]

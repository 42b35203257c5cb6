#!/bin/sh
# Entrypoint of the Ranvier production image (deploy/Dockerfile).
#
# `serve` (the default command): on the first start, when $RANVIER_DATA/ranvier.yaml does not
# exist, runs `ranvier init` from the environment:
#   SERVER_NAME                required; the name in user IDs, e.g. example.com
#   DATABASE_URL               postgres://user:pass@host:port/db (default: SQLite in the volume)
#   REGISTRATION               open | token | closed (default closed)
#   CLIENT_LISTEN              HOST:PORT of the client API, plain HTTP (default 0.0.0.0:8008)
#   FEDERATION_LISTEN          HOST:PORT of the federation API, HTTPS (default 0.0.0.0:8448)
#   WELL_KNOWN_SERVER          optional well_known.server, e.g. matrix.example.com:443
#   WELL_KNOWN_CLIENT_BASE_URL optional well_known.client_base_url, e.g. https://matrix.example.com
# and then replaces itself with `ranvier serve`, so the server is PID 1 and receives SIGTERM
# (graceful stop) and SIGHUP (TLS reload) directly. Later starts use the existing file and
# ignore these variables: edit $RANVIER_DATA/ranvier.yaml to change the configuration.
#
# Any other command runs the ranvier binary with those arguments, e.g.
#   docker compose run --rm ranvier register-user --config /data/ranvier.yaml --user alice ...
set -eu

data="${RANVIER_DATA:-/data}"
config="$data/ranvier.yaml"

die() {
    echo "ranvier-entrypoint: $*" >&2
    exit 2
}

# Replaces `  KEY: null` in the well_known section that `ranvier init` wrote; the check after
# the edit catches a template that no longer has that line. On failure the new configuration is
# removed, so that the next start begins again instead of serving without delegation.
set_well_known() {
    key=$1 value=$2
    case "$value" in
        *'"'* | *'\'* | *'|'*)
            rm -f "$config"
            die "well_known.$key: quotes, backslashes and '|' are not allowed"
            ;;
    esac
    sed -i "s|^  $key: null\$|  $key: \"$value\"|" "$config"
    if ! grep -q "^  $key: \"$value\"\$" "$config"; then
        rm -f "$config"
        die "could not set well_known.$key in $config"
    fi
}

first_start() {
    [ -n "${SERVER_NAME:-}" ] || die "SERVER_NAME must be set on the first start"
    case "${REGISTRATION:=closed}" in
        open | token | closed) ;;
        *) die "REGISTRATION must be open, token or closed (got '$REGISTRATION')" ;;
    esac
    set -- --server-name "$SERVER_NAME" --dir "$data" --registration "$REGISTRATION" \
        --client-listen "${CLIENT_LISTEN:-0.0.0.0:8008}" \
        --federation-listen "${FEDERATION_LISTEN:-0.0.0.0:8448}"
    if [ -n "${DATABASE_URL:-}" ]; then
        set -- "$@" --database "$DATABASE_URL"
    fi
    ranvier init "$@" >&2
    # The file holds the database password.
    chmod 600 "$config"
    if [ -n "${WELL_KNOWN_SERVER:-}" ]; then
        set_well_known server "$WELL_KNOWN_SERVER"
    fi
    if [ -n "${WELL_KNOWN_CLIENT_BASE_URL:-}" ]; then
        set_well_known client_base_url "$WELL_KNOWN_CLIENT_BASE_URL"
    fi
    echo "ranvier-entrypoint: wrote $config for $SERVER_NAME" >&2
}

if [ "${1:-serve}" = serve ]; then
    [ -f "$config" ] || first_start
    exec ranvier serve --config "$config"
fi
exec ranvier "$@"

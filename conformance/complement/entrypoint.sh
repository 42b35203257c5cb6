#!/bin/sh
# Entrypoint of the Ranvier Complement image. Complement starts the container with
#   SERVER_NAME        the server name to use (e.g. hs1)
#   /complement/ca/    ca.crt + ca.key: the CA that signs every homeserver's certificate
# and expects the client API on 8008 (HTTP) and the federation API on 8448 (HTTPS).
#   /complement/appservice/*.yaml   application-service registrations (Complement's AS tests)
# The script may run several times in one container (restarts): the signing key and the
# database are kept, the TLS certificate and the configuration are written anew.
set -eu

: "${SERVER_NAME:?SERVER_NAME must be set}"
data="${RANVIER_DATA:-/data}"
ca_dir=/complement/ca
config="$data/ranvier.yaml"

set -- --server-name "$SERVER_NAME" --dir "$data" --registration open \
    --client-listen 0.0.0.0:8008 --federation-listen 0.0.0.0:8448
if [ -f "$ca_dir/ca.crt" ] && [ -f "$ca_dir/ca.key" ]; then
    # Outbound requests (federation, application services) go to servers whose certificates
    # this CA signed, so the CA joins the system trust store.
    cp "$ca_dir/ca.crt" /usr/local/share/ca-certificates/complement-ca.crt
    update-ca-certificates >/dev/null
    set -- "$@" --tls-ca-cert "$ca_dir/ca.crt" --tls-ca-key "$ca_dir/ca.key"
else
    echo "ranvier-complement: no CA in $ca_dir; using a self-signed certificate" >&2
fi

# `ranvier init` keeps an existing signing key and configuration and writes a fresh
# certificate; the configuration is replaced below with the one Complement needs.
ranvier init "$@" >&2

cat >"$config.tmp" <<YAML
# Written by the Complement entrypoint at every start.
server_name: "$SERVER_NAME"
database: "sqlite://$data/ranvier.db"
signing_key: signing.key
listeners:
  - bind: "0.0.0.0:8008"
    tls: false
    resources: [client]
  - bind: "0.0.0.0:8448"
    tls: true
    resources: [federation]
tls:
  certificate: tls.crt
  private_key: tls.key
registration:
  mode: open
  shared_secret: complement
rate_limits:
  enabled: false
password_hashing:
  memory_kib: 8
  iterations: 1
log:
  requests: true
YAML
registrations=$(ls /complement/appservice/*.yaml 2>/dev/null || true)
if [ -n "$registrations" ]; then
    echo "app_services:" >>"$config.tmp"
    for file in $registrations; do
        echo "  - \"$file\"" >>"$config.tmp"
    done
fi
mv "$config.tmp" "$config"

exec ranvier serve --config "$config"

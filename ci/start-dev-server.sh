#!/usr/bin/env bash
# README command 1: install, build, configure ./data (server name localhost, SQLite, signing key,
# self-signed TLS certificate) if it is not there yet, and start the server in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
tools/build.sh --target ranvier
bin=build/server/app/ranvier
if [[ ! -f data/ranvier.yaml ]]; then
  "$bin" init --server-name localhost --dir data --registration open \
    --client-listen 127.0.0.1:8008 --federation-listen 127.0.0.1:8448
fi
cat <<TXT

Ranvier is starting: client API http://localhost:8008, federation API https://localhost:8448
Create a user (in another shell, while it runs):
  $bin register-user --config data/ranvier.yaml --user alice --password 'choose-one' [--admin]
Stop it with Ctrl-C.

TXT
exec "$bin" serve --config data/ranvier.yaml

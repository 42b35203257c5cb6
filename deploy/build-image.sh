#!/bin/bash
# Builds the production images: `ranvier:latest` (deploy/Dockerfile) and `ranvier-postgres:15`
# (deploy/postgres/Dockerfile), both FROM the local debian:bookworm.
#
#   deploy/build-image.sh                 # copies the host-built build/server/app/ranvier
#   deploy/build-image.sh --from-source   # compiles the committed tree (HEAD) inside Docker
#
# The build context is sent as a tar of exactly the files the image needs (the classic builder
# ignores Dockerfile-specific ignore files, and build/ holds gigabytes). A build from source
# takes the host's build lock, so it never runs alongside another compile on the machine.
# RANVIER_IMAGE overrides the name of the Ranvier image (compose.yaml reads it too).
set -euo pipefail
cd "$(dirname "$0")/.."

image=${RANVIER_IMAGE:-ranvier:latest}
postgres_image=ranvier-postgres:15
from_source=0
case "${1:-}" in
    --from-source) from_source=1 ;;
    "") ;;
    *) echo "usage: deploy/build-image.sh [--from-source]" >&2; exit 2 ;;
esac

docker image inspect debian:bookworm >/dev/null 2>&1 || conformance/complement/make-base-image.sh

start=$(date +%s)
if ((from_source)); then
    # The build packages first (cached after the first time), then the compile under the lock.
    tar -c deploy/Dockerfile |
        DOCKER_BUILDKIT=0 docker build -q --target builder-deps -f deploy/Dockerfile - >/dev/null
    exec 9>/tmp/ranvier-build.lock
    flock 9
    # The committed tree (HEAD), not work in progress in the checkout.
    git archive --format=tar HEAD |
        DOCKER_BUILDKIT=0 docker build -t "$image" -f deploy/Dockerfile -
    exec 9>&-
else
    binary=build/server/app/ranvier
    [[ -x $binary ]] || { echo "build-image: $binary is missing; run tools/build.sh --target ranvier" >&2; exit 1; }
    tar -c deploy/Dockerfile deploy/entrypoint.sh "$binary" |
        DOCKER_BUILDKIT=0 docker build -t "$image" -f deploy/Dockerfile \
            --build-arg RANVIER_BINARY="$binary" -
fi
DOCKER_BUILDKIT=0 docker build -t "$postgres_image" deploy/postgres
echo "build-image: $image and $postgres_image in $(( $(date +%s) - start )) s"

#!/bin/bash
# Creates the local `debian:bookworm` base image that the Complement Dockerfile starts FROM.
# No container registry is reachable on the project's machines, so the image is made from a
# debootstrapped minimal bookworm root and imported. Needs root, debootstrap and a running dockerd.
#
#   conformance/complement/make-base-image.sh [--force]
#
# MIRROR overrides the Debian mirror (default: the first deb.debian.org-style URI in apt's
# sources, so the same mirror that apt-get uses on this machine).
set -euo pipefail

image=debian:bookworm
if [[ "${1:-}" != "--force" ]] && docker image inspect "$image" >/dev/null 2>&1; then
    echo "make-base-image: $image already exists (use --force to rebuild)"
    exit 0
fi

command -v debootstrap >/dev/null || { echo "make-base-image: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }

mirror="${MIRROR:-}"
if [[ -z "$mirror" ]]; then
    # Both the deb822 (`URIs:`) and the one-line (`deb URL suite ...`) formats occur.
    shopt -s nullglob
    sources=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
    shopt -u nullglob
    mirror=$(cat "${sources[@]}" 2>/dev/null |
        awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}
             /^deb / && $2 !~ /security/ {print $2; exit}' || true)
fi
mirror="${mirror:-http://deb.debian.org/debian}"

rootfs=$(mktemp -d /tmp/bookworm-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
echo "make-base-image: debootstrap bookworm from $mirror into $rootfs"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror"
# Keep the image small: apt lists and caches are refetched by `apt-get update` in the Dockerfile.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
tar -C "$rootfs" -c . | docker import - "$image"
echo "make-base-image: imported $image"

#!/bin/sh
# A Python base image from Debian's own packages, for a machine that can reach Debian's
# mirror and PyPI but no image registry (where python:3.11-slim-bookworm cannot be
# pulled). Writes a root filesystem tarball for `docker import`:
#   deploy/docker/debian-python-base.sh base.tar
#   docker import --change 'ENV UV_NATIVE_TLS=1' --change 'CMD ["python3"]' base.tar checkin/python-base
#   docker build --build-arg PYTHON_IMAGE=checkin/python-base ...
# Needs root (debootstrap). The machine's CA bundle goes in, so pip and uv (UV_NATIVE_TLS)
# trust what the machine trusts.
set -eu
out=${1:?usage: debian-python-base.sh OUTPUT.tar}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=python3,python3-pip,ca-certificates \
  bookworm "$root" "$mirror" >"$root.log" 2>&1 || { cat "$root.log" >&2; exit 1; }
rm -f "$root.log"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
# an image's interpreter is its own: pip may install into it (as python:*-slim allows)
rm -f "$root"/usr/lib/python3*/EXTERNALLY-MANAGED
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
  "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/locale "$root"/var/log/*
tar --numeric-owner -C "$root" -cf "$out.partial" . && mv "$out.partial" "$out"

#!/usr/bin/env bash
# Builds docker/Dockerfile for linux/amd64 and linux/arm64 and pushes both, under one multi-platform name, to a
# registry you are logged in to (`docker login` / `buildah login`):
#
#   docker/publish.sh REGISTRY/NAME[:TAG]      e.g. docker/publish.sh ghcr.io/you/aliyun-db-emulator:0.1.0
#
# With docker buildx when present, else with buildah (a manifest list). Building the other architecture's image
# runs its build stage under emulation: the machine needs qemu-user-static with binfmt_misc (Debian's
# `qemu-user-static` package, or `docker run --privileged --rm tonistiigi/binfmt --install all`), and the Swift
# build under emulation takes several times as long as a native one.
set -euo pipefail
cd "$(dirname "$0")/.."
reference="${1:?usage: docker/publish.sh REGISTRY/NAME[:TAG]}"
case "${reference##*/}" in *:*) ;; *) reference="$reference:latest" ;; esac
platforms=linux/amd64,linux/arm64

if docker buildx version >/dev/null 2>&1; then
  exec docker buildx build --platform "$platforms" -f docker/Dockerfile -t "$reference" --push .
fi
command -v buildah >/dev/null || { echo "docker/publish.sh: needs docker buildx or buildah" >&2; exit 69; }
# A fresh manifest list: an old one of the same name would keep its images.
buildah manifest rm "$reference" >/dev/null 2>&1 || true
buildah bud --format docker --platform "$platforms" --manifest "$reference" -f docker/Dockerfile .
buildah manifest push --all --format v2s2 "$reference" "docker://$reference"
echo "docker/publish.sh: pushed $reference ($platforms)"

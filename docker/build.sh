#!/usr/bin/env bash
# The container recipe's steps. docker/Dockerfile runs them; CI builds that Dockerfile for real and checks the
# image (docker/check-image.sh).
#
#   docker/build.sh build OUT   build the release binary (Swift runtime linked in), stripped, and stage it in OUT
#   docker/build.sh runtime     on a Debian image: install the runtime libraries, the user, /data
#   docker/build.sh packages    print the Debian packages the build needs (a build image may carry them already)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

build_packages=(libevent-dev libssl-dev libsqlite3-dev libmimalloc-dev pkg-config)

build() {
  local out="$1"
  apt_install "${build_packages[@]}"
  cd "$here/.."
  # Stripped: the symbols and debug sections are more than half the file and never loaded.
  install -D -m 0755 --strip "$(scripts/build-release.sh)" "$out/usr/local/bin/aliyun-db-emulator"
}

runtime() {
  apt_install libevent-2.1-7 libevent-pthreads-2.1-7 libevent-openssl-2.1-7 libssl3 libsqlite3-0 libmimalloc2.0
  # Nothing of apt's is kept (lists, downloaded packages, caches), whatever the base image's apt settings.
  apt-get clean
  rm -rf /var/lib/apt/lists/*
  id emulator >/dev/null 2>&1 || useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin emulator
  mkdir -p /data
  chown emulator /data
}

case "${1:-}" in
  build) build "${2:?docker/build.sh build OUT}" ;;
  runtime) runtime ;;
  packages) echo "${build_packages[*]}" ;;
  *) echo "usage: docker/build.sh build OUT | runtime | packages" >&2; exit 64 ;;
esac

#!/usr/bin/env bash
# The container recipe, in one place. docker/Dockerfile runs its stages; CI runs `check` on every
# change, so a broken recipe fails CI even on machines without a Docker engine.
#
#   docker/build.sh build OUT   build the release binary (Swift runtime linked in), stripped, and stage it in OUT
#   docker/build.sh runtime     on a Debian image: install the runtime libraries, the user, /data
#   docker/build.sh check       build into a temporary folder, then run the staged binary as the
#                               image would and health-check it
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

build() {
  local out="$1"
  apt_install libevent-dev libssl-dev libsqlite3-dev libmimalloc-dev pkg-config
  cd "$here/.."
  # Stripped: the symbols and debug sections are more than half the file and never loaded.
  install -D -m 0755 --strip "$(scripts/build-release.sh)" "$out/usr/local/bin/aliyun-db-emulator"
}

runtime() {
  apt_install libevent-2.1-7 libevent-pthreads-2.1-7 libevent-openssl-2.1-7 libssl3 libsqlite3-0 libmimalloc2.0
  rm -rf /var/lib/apt/lists/*
  id emulator >/dev/null 2>&1 || useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin emulator
  mkdir -p /data
  chown emulator /data
}

check() {
  local out
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' RETURN
  build "$out"
  local binary="$out/usr/local/bin/aliyun-db-emulator"
  if ldd "$binary" | grep -q libswift; then
    echo "container recipe: the binary still needs the Swift runtime: $(ldd "$binary" | grep libswift)" >&2
    return 1
  fi
  # As the image runs it: configured by environment only, listening on all interfaces.
  ALIYUN_EMULATOR_HOST=0.0.0.0 ALIYUN_EMULATOR_PORT=0 ALIYUN_EMULATOR_LOG_LEVEL=warning \
    ALIYUN_EMULATOR_CONTROL_TOKEN=check "$binary" > "$out/stdout" &
  local pid=$!
  for _ in $(seq 1 100); do [ -s "$out/stdout" ] && break; sleep 0.05; done
  local port
  port="$(sed -n '1s/.*:\([0-9]*\)$/\1/p' "$out/stdout")"
  ALIYUN_EMULATOR_PORT="$port" "$binary" healthcheck
  kill -TERM "$pid"
  wait "$pid"
  echo "container recipe: ok ($(du -h "$binary" | cut -f1) binary, healthy on port $port, clean stop)"
}

case "${1:-}" in
  build) build "${2:?docker/build.sh build OUT}" ;;
  runtime) runtime ;;
  check) check ;;
  *) echo "usage: docker/build.sh build OUT | runtime | check" >&2; exit 64 ;;
esac

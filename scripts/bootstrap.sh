#!/usr/bin/env bash
# Installs what building and testing need, and only what is missing:
#   system: libevent-dev, libssl-dev, libsqlite3-dev, libmimalloc-dev, pkg-config (Debian packages)
#   --python: python3-venv if needed, chromium and chromium-driver (the dashboard suite's headless browser), and
#             .venv with the official Alibaba Cloud SDKs and Selenium
# Safe to run again: it does nothing when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

want_python=no
[ "${1:-}" = "--python" ] && want_python=yes

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "bootstrap: need root (or sudo) to run: $*" >&2; exit 1
  fi
}

missing=()
[ -f /usr/include/event2/http.h ] && [ -f /usr/include/event2/bufferevent_ssl.h ] || missing+=(libevent-dev)
[ -f /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
[ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
[ -f /usr/include/mimalloc.h ] || missing+=(libmimalloc-dev)
command -v pkg-config >/dev/null || missing+=(pkg-config)
if [ "$want_python" = yes ]; then
  command -v python3 >/dev/null || missing+=(python3)
  if command -v python3 >/dev/null && ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    missing+=(python3-venv)
  fi
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null; then
  echo "bootstrap: Swift 6 is not installed; get a Linux toolchain from swift.org and put it on PATH" >&2
  exit 1
fi

if [ "$want_python" = yes ]; then
  requirements=Tests/conformance/requirements.txt
  stamp=.venv/.requirements.sha256
  wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
  if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "bootstrap: preparing .venv with the Alibaba Cloud Python SDKs and Selenium"
    python3 -m venv .venv
    .venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"
    echo "$wanted" > "$stamp"
  fi
fi

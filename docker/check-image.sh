#!/usr/bin/env bash
# Builds docker/Dockerfile for real, unmodified, with buildah (no daemon), then runs the image as a CI service
# container does and checks it. Run by scripts/test.sh; needs root (re-runs itself with sudo).
#
#   docker/check-image.sh           build the image (localhost/aliyun-db-emulator:check), check it, print its sizes
#   docker/check-image.sh stand-ins only make the stand-in base images, if missing
#
# Base images: used when present in buildah's storage, else pulled. Where no registry can be reached (CI machines),
# stand-ins are made under the same names and kept for later runs: debian:bookworm-slim from debootstrap, and the
# Swift build image from that root plus the Swift toolchain installed on this machine, the -dev packages of the
# build, and the local package mirror that git's `insteadOf` settings point at (so the build resolves offline).
# The stand-ins are a test device: the Dockerfile keeps naming the official images.
#
# The image is run from its root file system (`buildah mount`, `chroot --userspec`) in a private network and mount
# namespace, with the image's user, working directory, environment and entrypoint: container runtimes cannot set
# resource limits in some sandboxes, and the private network keeps the image's own ports (8080, 8443) free of
# clashes with the machine's. Checks: no library missing, the binary's size, `healthcheck`, a signed CreateBackup
# with the Python SDK, the HTTPS port with the authority the image made, state in /data across a restart, and a
# clean exit (0) on SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || exec sudo --preserve-env=PATH "$0" "$@"

image=localhost/aliyun-db-emulator:check
# The shipped binary's bound: the product links no Foundation (nor ICU's data), which would double it.
max_binary_bytes=25000000
swift_image="$(sed -n 's/^ARG SWIFT_IMAGE=//p' docker/Dockerfile)"
debian_image="$(sed -n 's/^FROM \([^ ]*\)$/\1/p' docker/Dockerfile | tail -n 1)"
python=.venv/bin/python

say() { echo "check-image: $*" >&2; }

host_tools() {
  local missing=()
  for tool in buildah:buildah debootstrap:debootstrap ip:iproute2 unshare:util-linux; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# docker.io/library/NAME:TAG for a short name, as Docker resolves it.
qualified() {
  case "$1" in
    */*/*) echo "$1" ;;
    */*) echo "docker.io/$1" ;;
    *) echo "docker.io/library/$1" ;;
  esac
}

present() { buildah inspect --type image "$(qualified "$1")" >/dev/null 2>&1; }

# The Debian mirror this machine's apt uses.
debian_mirror() {
  local mirror
  mirror="$(sed -n 's/^URIs: *\([^ ]*\/debian\/\?\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)"
  [ -n "$mirror" ] || mirror="$(sed -n 's/^deb \(\[[^]]*\] \)\?\([^ ]*\/debian\/\?\) .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n 1)"
  echo "${mirror:-http://deb.debian.org/debian}"
}

# As the official slim image is made (debuerreotype): no documentation, manuals or translations, and apt keeps
# neither the packages it downloads nor its caches. Only ever on the debootstrap root given.
slim() {
  local root="${1:?}"
  case "$root" in /var/tmp/check-image-debian.?*) ;; *) say "slim: $root is not a debootstrap root"; return 1 ;; esac
  printf 'path-exclude /usr/share/%s/*\n' doc groff info linda lintian/overrides locale man >"$root/etc/dpkg/dpkg.cfg.d/docker"
  echo 'path-include /usr/share/doc/*/copyright' >>"$root/etc/dpkg/dpkg.cfg.d/docker"
  find "$root/usr/share/doc" -mindepth 1 -not -type d -not -name copyright -delete
  rm -rf "$root"/usr/share/{groff,info,linda,locale,man}/* "$root"/usr/share/lintian/overrides/*
  local clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"'
  printf 'DPkg::Post-Invoke { %s; };\nAPT::Update::Post-Invoke { %s; };\nDir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n' \
    "$clean" "$clean" >"$root/etc/apt/apt.conf.d/docker-clean"
  echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
}

stand_in_debian() {
  local root container
  root="$(mktemp -d /var/tmp/check-image-debian.XXXXXX)"
  say "making a stand-in for $debian_image with debootstrap ($(debian_mirror))"
  debootstrap --variant=minbase bookworm "$root" "$(debian_mirror)" >/dev/null
  # The machine's apt sources when it runs bookworm (updates and security, as the official image has them).
  if [ -f /etc/apt/sources.list.d/debian.sources ] && grep -qs 'VERSION_CODENAME=bookworm' /etc/os-release; then
    cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/debian.sources"
    rm -f "$root/etc/apt/sources.list"
  fi
  slim "$root"
  container="$(buildah from scratch)"
  buildah add --quiet "$container" "$root" / >/dev/null
  rm -rf "$root"
  buildah config --cmd '["bash"]' --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$container"
  buildah commit --quiet --rm "$container" "$(qualified "$debian_image")" >/dev/null
}

stand_in_swift() {
  local container root toolchain
  toolchain="$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")"
  say "making a stand-in for $swift_image from $debian_image and the toolchain in $toolchain"
  container="$(buildah from --pull=never "$(qualified "$debian_image")")"
  # The official image's packages, and those the build installs (docker/build.sh packages).
  buildah run --isolation chroot "$container" -- sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends binutils git gnupg2 libc6-dev libcurl4-openssl-dev libedit2 \
    libgcc-12-dev libpython3-dev libsqlite3-0 libstdc++-12-dev libxml2-dev libncurses-dev libz3-dev pkg-config \
    tzdata zip unzip zlib1g-dev ca-certificates $(docker/build.sh packages) >/dev/null && rm -rf /var/lib/apt/lists/*"
  root="$(buildah mount "$container")"
  cp -a "$toolchain/." "$root/usr/"
  # Offline package resolution: each local folder git's insteadOf maps a remote onto, and the mapping.
  { git config --get-regexp '^url\..*\.insteadof$' || true; } | while read -r key remote; do
    local base="${key#url.}"
    base="${base%.insteadof}"
    if [ -d "$base" ]; then
      [ -d "$root$base" ] || { mkdir -p "$root$base" && cp -a "$base/." "$root$base/"; }
      chroot "$root" git config --system --add "url.$base.insteadOf" "$remote"
    fi
  done
  buildah umount "$container" >/dev/null
  buildah commit --quiet --rm "$container" "$(qualified "$swift_image")" >/dev/null
}

base_images() {
  local name
  for name in "$debian_image" "$swift_image"; do
    present "$name" && continue
    if timeout 300 buildah pull --quiet "$(qualified "$name")" >/dev/null 2>&1; then continue; fi
    if [ "$name" = "$debian_image" ]; then stand_in_debian; else stand_in_swift; fi
  done
}

# A field of the image's configuration (Docker format, as `docker build` makes it), one line per list item.
config() {
  buildah inspect --type image "$image" | python3 -c '
import json, sys
value = json.load(sys.stdin)["Docker"]["config"].get(sys.argv[1]) or ""
print(*(value if isinstance(value, list) else [value]), sep="\n")' "$1"
}

build_image() {
  say "building docker/Dockerfile (a release build: minutes)"
  if ! buildah bud --isolation chroot --format docker --pull=never -f docker/Dockerfile -t "$image" . >"$work/build.log" 2>&1; then
    tail -n 40 "$work/build.log" >&2
    say "the image does not build (above, the end of its log)"
    return 1
  fi
}

# Runs the image's entrypoint (or, with arguments, that command), in the image's root, as its user, in its working
# directory, with its environment and the given extra variables: in place of the calling (sub)shell, so that a
# background call's $! is the program's own process. Called inside the private namespaces.
in_image() {
  local root="$1" extra="$2"
  shift 2
  local user workdir
  user="$(config User)"
  workdir="$(config WorkingDir)"
  mapfile -t environment < <(config Env)
  mapfile -t entrypoint < <(config Entrypoint)
  [ $# -gt 0 ] || set -- "${entrypoint[@]}"
  # The user as numbers from the image's own passwd (the name means nothing to the host).
  local ids
  ids="$(awk -F: -v name="$user" '$1 == name || $3 == name { print $3 ":" $4 }' "$root/etc/passwd")"
  [ -n "$ids" ] || { say "the image's user $user is not in its /etc/passwd"; return 1; }
  # shellcheck disable=SC2086 # extra is a list of NAME=value words
  exec chroot --userspec="$ids" --groups="${ids#*:}" "$root" /usr/bin/env -i -C "$workdir" "${environment[@]}" $extra "$@"
}

# Inside `unshare --net --mount`: the checks against the running image.
run_checks() {
  local root="$1" data="$2" logs="$3"
  ip link set lo up
  mount --make-rprivate /
  mount -t proc proc "$root/proc"
  mount --bind "$data" "$root/data"
  local http https health_command
  http="$(config Env | sed -n 's/^ALIYUN_EMULATOR_PORT=//p')"
  https="$(config Env | sed -n 's/^ALIYUN_EMULATOR_HTTPS_PORT=//p')"
  # The image's HEALTHCHECK: ["CMD", program, arguments...] or ["CMD-SHELL", command line].
  mapfile -t health_command < <(buildah inspect --type image "$image" | python3 -c '
import json, sys
kind, *command = json.load(sys.stdin)["Docker"]["config"]["Healthcheck"]["Test"]
print(*(["/bin/sh", "-c", *command] if kind == "CMD-SHELL" else command), sep="\n")')
  local durable=ALIYUN_EMULATOR_STATE=/data/state.db
  server=""
  # Whatever fails, no server is left running.
  trap '[ -z "$server" ] || kill -KILL "$server" 2>/dev/null || true' EXIT

  start() {
    in_image "$root" "$durable" >>"$logs/stdout" 2>>"$logs/stderr" &
    server=$!
    for _ in $(seq 1 200); do
      (in_image "$root" "" "${health_command[@]}" 2>/dev/null) && return 0
      kill -0 "$server" 2>/dev/null || { say "the image's entrypoint exited: $(tail -n 5 "$logs/stderr")"; return 1; }
      sleep 0.1
    done
    say "no healthy answer on port $http: $(tail -n 5 "$logs/stderr")"
    return 1
  }
  stop() {
    kill -TERM "$server"
    local code=0
    wait "$server" || code=$?
    server=""
    [ "$code" = 0 ] || { say "SIGTERM: exit code $code, not 0: $(tail -n 5 "$logs/stderr")"; return 1; }
  }

  start
  local job
  job="$("$python" docker/check_image.py first "$http" "$https" "$root/data/tls/ca.pem")"
  stop
  start
  "$python" docker/check_image.py second "$http" "$job"
  stop
  say "healthcheck, signed CreateBackup ($job), HTTPS on $https with the image's authority, /data across a restart, SIGTERM: ok"
}

binary_checks() {
  local root="$1" binary=/usr/local/bin/aliyun-db-emulator
  local libraries size
  libraries="$(chroot "$root" ldd "$binary")"
  if grep -q 'not found' <<<"$libraries"; then say "missing libraries in the image: $libraries"; return 1; fi
  if grep -Eq 'libswift|libFoundation|libicu|lib_FoundationICU' <<<"$libraries"; then
    say "the binary loads Swift, Foundation or ICU libraries: $libraries"
    return 1
  fi
  size="$(stat -c %s "$root$binary")"
  if [ "$size" -gt "$max_binary_bytes" ]; then
    say "the binary is $size bytes, more than $max_binary_bytes (has Foundation come back?)"
    return 1
  fi
  echo "$size"
}

# Sizes in bytes: the image's layers uncompressed and gzip-compressed, as a registry stores them.
sizes() {
  local work="$1" base_layers
  buildah push --quiet --disable-compression "$image" "dir:$work/plain" >/dev/null
  buildah push --quiet --compression-format gzip "$image" "dir:$work/gzip" >/dev/null
  base_layers="$(buildah inspect --type image --format '{{len .OCIv1.RootFS.DiffIDs}}' "$(qualified "$debian_image")")"
  python3 - "$work" "$base_layers" <<'EOF'
import json, os, sys
work, base = sys.argv[1], int(sys.argv[2])
def layers(folder):
    manifest = json.load(open(os.path.join(work, folder, "manifest.json")))
    return [layer["size"] for layer in manifest["layers"]]
plain, gzip = layers("plain"), layers("gzip")
mb = lambda n: f"{n / 1e6:.1f} MB"
print(f"image: {mb(sum(plain))} uncompressed, {mb(sum(gzip))} as gzip layers; "
      f"its own layers (above the {base} of the base): {mb(sum(plain[base:]))} uncompressed, {mb(sum(gzip[base:]))} gzip")
EOF
}

main() {
  host_tools
  base_images
  [ "${1:-}" = stand-ins ] && return
  work="$(mktemp -d /var/tmp/check-image.XXXXXX)"
  container=""
  trap '[ -z "$container" ] || buildah rm "$container" >/dev/null 2>&1; rm -rf "$work"' EXIT
  build_image
  local root size
  container="$(buildah from --pull=never "$image")"
  root="$(buildah mount "$container")"
  size="$(binary_checks "$root")"
  mkdir -p "$work/data" "$work/logs"
  chown "$(stat -c %u:%g "$root/data")" "$work/data"
  # Functions and variables for the namespaced shell.
  export image python debian_image
  export -f say config in_image run_checks
  unshare --net --mount bash -c 'set -euo pipefail; run_checks "$@"' check "$root" "$work/data" "$work/logs"
  say "binary: $size bytes (stripped); $(sizes "$work")"
}

main "$@"

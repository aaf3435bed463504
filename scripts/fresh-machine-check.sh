#!/usr/bin/env bash
# Runs the README's two commands on a fresh, minimal Debian 12 (python3 and git, nothing else) and
# reports what passed, failed and was skipped: the check that install steps are not missing.
#
#   bash scripts/fresh-machine-check.sh [--keep] [--reuse] [REPO]   (root; about an hour on 2 cores)
#
# --keep leaves the root for a look (and for --reuse); --reuse runs only `bash scripts/test.sh` again
# in the root a --keep run left behind (after its demo had installed everything).
#
# REPO (default: this repository) is cloned as CI clones it, committed state only, with
# ../shared beside it when present. Steps:
#   1. debootstrap --variant=minbase bookworm (the mirror of this machine's apt sources) plus python3,
#      git and ca-certificates; the files a Debian installer writes (hosts, hostname, sources for
#      bookworm, -updates and -security) and this workplace's egress CA, which its machines trust.
#   2. In a private network, PID and mount namespace: /proc, /dev, /sys mounted, loopback up, then
#      `bash scripts/demo.sh` and `bash scripts/test.sh` in the clone, exactly as the README says.
#      The private loopback hides the host's PostgreSQL and Redis (5432/6379), so services.sh has to
#      install and start the chroot's own, as on a fresh machine; apt and pip reach the mirrors through
#      scripts/fresh_machine_proxy.py (configured in /etc/apt/apt.conf.d and /etc/pip.conf, nowhere
#      else, so the tests see no proxy). Every process of the run ends with its PID namespace.
# Logs: ROOT.logs/{debootstrap,demo,test}.log; the root is removed afterwards unless --keep.
set -euo pipefail

KEEP=0; REUSE=0
while [ "${1:-}" = "--keep" ] || [ "${1:-}" = "--reuse" ]; do
  case "$1" in --keep) KEEP=1 ;; --reuse) REUSE=1; KEEP=1 ;; esac
  shift
done
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "${1:-$HERE/..}" && pwd)"
ROOT="${FRESH_ROOT:-/var/tmp/dms-fresh-debian12}"
LOGS="$ROOT.logs"
CACHE="$ROOT.cache"          # downloaded .deb files only, kept between runs to spare the mirror
SOCKET="$ROOT.egress.sock"
PROXY_PORT=3128

[ "$(id -u)" -eq 0 ] || { echo "fresh-machine-check: run as root (debootstrap, chroot, namespaces)" >&2; exit 2; }
for tool in debootstrap unshare chroot; do
  command -v "$tool" >/dev/null || { echo "fresh-machine-check: $tool is missing (apt-get install debootstrap util-linux)" >&2; exit 2; }
done
MIRROR="$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/\{0,1\}$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)"
MIRROR="${MIRROR:-$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

stamp() { date +%s; }
since() { local s=$(( $(stamp) - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
log() { echo "[fresh-machine-check $(date +%H:%M:%S)] $*"; }

PROXY_PID=""
cleanup() {
  [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null || true
  rm -f "$SOCKET"
  if [ "$KEEP" = 0 ] && [ -d "$ROOT" ] && ! grep -q " $ROOT/" /proc/mounts; then
    rm -rf --one-file-system "$ROOT"
  fi
}
trap cleanup EXIT

if grep -q " $ROOT/" /proc/mounts; then
  echo "fresh-machine-check: something is still mounted under $ROOT; unmount it first" >&2; exit 2
fi
started=$(stamp)
if [ "$REUSE" = 1 ]; then
  [ -x "$ROOT/root/dms-ingest/.venv/bin/python" ] || { echo "fresh-machine-check: no root left by a --keep run at $ROOT" >&2; exit 2; }
  log "reusing $ROOT ($(git -C "$ROOT/root/dms-ingest" log -1 --format='%h %cd' --date=format:%H:%M))"
else
rm -rf --one-file-system "$ROOT" "$LOGS"
mkdir -p "$LOGS" "$CACHE/debootstrap" "$CACHE/apt"

# --- 1. a minimal Debian 12 ---------------------------------------------------------------------
log "debootstrap bookworm from $MIRROR"
debootstrap --variant=minbase --include=python3,git,ca-certificates --cache-dir="$CACHE/debootstrap" \
  bookworm "$ROOT" "$MIRROR" >"$LOGS/debootstrap.log" 2>&1 \
  || { tail -20 "$LOGS/debootstrap.log"; exit 1; }
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tdms-fresh\n' >"$ROOT/etc/hosts"
echo dms-fresh >"$ROOT/etc/hostname"
rm -f "$ROOT/etc/apt/sources.list"
cat >"$ROOT/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# This workplace's machines trust its egress CA (TLS to PyPI is inspected); a fresh one here would too.
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
  cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
  chroot "$ROOT" update-ca-certificates >/dev/null 2>&1
fi
# Package downloads leave the private network through the proxy; nothing else is told about it.
echo "Acquire::http::Proxy \"http://127.0.0.1:$PROXY_PORT\"; Acquire::https::Proxy \"http://127.0.0.1:$PROXY_PORT\";" \
  >"$ROOT/etc/apt/apt.conf.d/80fresh-machine-proxy"
printf '[global]\nproxy = http://127.0.0.1:%s\ncert = /etc/ssl/certs/ca-certificates.crt\n' "$PROXY_PORT" >"$ROOT/etc/pip.conf"

log "cloning $REPO (committed state) into the chroot"
git clone -q --no-hardlinks "$REPO" "$ROOT/root/dms-ingest"
mkdir -p "$ROOT/root/shared"
log "base system ready after $(since "$started")"
fi

# --- 2. the README's commands, in namespaces of their own ------------------------------------------
python3 "$HERE/fresh_machine_proxy.py" proxy "$SOCKET" &
PROXY_PID=$!
for _ in $(seq 1 50); do [ -S "$SOCKET" ] && break; sleep 0.1; done

SHARED="$(cd "$REPO/.." && pwd)/shared"
run_in_chroot() {   # $1: log name, rest: command run in /root/dms-ingest
  local name="$1"; shift
  unshare --net --pid --fork --kill-child --mount --propagation private -- bash -euo pipefail -c '
    root="$1"; socket="$2"; port="$3"; here="$4"; shared="$5"; cache="$6"; shift 6
    ip link set lo up
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
    mount --rbind /sys "$root/sys"
    mount --bind "$cache" "$root/var/cache/apt/archives"
    [ -d "$shared" ] && mount --bind -o ro "$shared" "$root/root/shared"
    python3 "$here/fresh_machine_proxy.py" relay "$port" "$socket" &
    for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
    exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
      TERM=dumb chroot "$root" /bin/bash -c "cd /root/dms-ingest && $*"
  ' fresh "$ROOT" "$SOCKET" "$PROXY_PORT" "$HERE" "$SHARED" "$CACHE/apt" "$@"
}

status=0
demo="not run (--reuse)"; demo_time="-"
if [ "$REUSE" = 0 ]; then
  demo_started=$(stamp)
  log "bash scripts/demo.sh"
  if run_in_chroot demo "bash scripts/demo.sh" >"$LOGS/demo.log" 2>&1; then demo="passed"; else demo="FAILED (exit $?)"; status=1; fi
  demo_time=$(since "$demo_started")
  log "demo: $demo in $demo_time"
fi

test_started=$(stamp)
log "bash scripts/test.sh"
if run_in_chroot test "bash scripts/test.sh" >"$LOGS/test.log" 2>&1; then tests="exit 0"; else tests="exit $?"; status=1; fi
test_time=$(since "$test_started")
summary="$(grep -E '^(=+ )?[0-9]+ (passed|failed|skipped|error)' "$LOGS/test.log" | tail -1 | sed 's/=//g; s/^ *//; s/ *$//')"

echo
echo "fresh Debian 12 ($MIRROR), $(git -C "$ROOT/root/dms-ingest" rev-parse --short HEAD) of $REPO"
echo "  demo.sh : $demo ($demo_time, includes installation)"
echo "  test.sh : $tests, ${summary:-no pytest summary} ($test_time)"
echo "  total   : $(since "$started")    logs: $LOGS"
if grep -q "SKIPPED\|skipped" "$LOGS/test.log"; then
  echo "  skips (from the log; run with -rs for reasons):"
  grep -E "^SKIPPED" "$LOGS/test.log" | sed 's/^/    /' | head -40
fi
exit $status

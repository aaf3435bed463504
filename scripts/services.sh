#!/usr/bin/env bash
# The servers the tests use, on loopback only: PostgreSQL on 127.0.0.1:5432 (user postgres, trusted
# from this machine) and Redis on 127.0.0.1:6379.
#
# A server that already answers on its port is used as it is: a developer's own, the CI machine's,
# or the host's when this runs in a chroot that shares the host's network. Otherwise the Debian
# packages are installed when missing and the server is started here. Exit 1 if either is not up.
set -uo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

start_postgresql() {
  apt_install postgresql || return 1         # Debian 12: PostgreSQL 15 with a cluster "main"
  local version
  version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
  if [ -z "$version" ]; then                  # server installed, cluster removed: make one
    version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    $SUDO pg_createcluster "$version" main >/dev/null || return 1
  fi
  local hba="/etc/postgresql/$version/main/pg_hba.conf"
  # Tests connect as postgres without a password, from this machine only; first matching line wins.
  if ! $SUDO grep -q "dms-ingest tests" "$hba"; then
    $SUDO sed -i '1i # dms-ingest tests (scripts/services.sh): connections from this machine are trusted\nlocal all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  # Debian's default listen_addresses is localhost.
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start
}

start_redis() {
  apt_install redis-server || return 1
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/dms-tests.log
}

port_open 5432 || start_postgresql || echo "services.sh: PostgreSQL could not be started" >&2
port_open 6379 || start_redis || echo "services.sh: Redis could not be started" >&2

for _ in $(seq 1 40); do
  if port_open 5432 && port_open 6379; then
    # Some tests and tools connect as the login user (root on CI): give it a role once.
    if command -v psql >/dev/null && [ "$(id -un)" != postgres ]; then
      psql -h 127.0.0.1 -U postgres -d postgres -tAc \
        "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$(id -un)') THEN CREATE ROLE \"$(id -un)\" SUPERUSER LOGIN; END IF; END\$\$" \
        >/dev/null 2>&1 || true
    fi
    exit 0
  fi
  sleep 0.5
done
echo "services.sh: PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) is not up" >&2
exit 1

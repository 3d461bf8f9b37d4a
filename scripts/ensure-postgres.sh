#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 with trust auth
# for local connections, for the test suite. Installs and starts it if needed.
set -euo pipefail
host=127.0.0.1 port=5432
ready() { pg_isready -h "$host" -p "$port" -q 2>/dev/null; }
if command -v pg_isready >/dev/null && ready; then exit 0; fi
if ! command -v pg_ctlcluster >/dev/null; then
  echo "installing PostgreSQL…" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fresh=1
fi
version=$(ls /etc/postgresql | sort -n | tail -n 1)
if [ "${fresh:-0}" = 1 ]; then
  # A test-only server: trust connections from this machine.
  hba=/etc/postgresql/$version/main/pg_hba.conf
  sed -i -E 's/^(local|host)(.*)(peer|md5|scram-sha-256)$/\1\2trust/' "$hba"
fi
pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
echo "PostgreSQL did not start on $host:$port" >&2
exit 1

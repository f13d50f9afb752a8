#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster for the tests: a new data directory under DIR, listening on a
# free loopback port (and a socket in DIR), with a database "circmatch" the tests may drop and create.
#   postgres-test-cluster.sh start DIR   prints the connection URL and writes it to DIR/url
#   postgres-test-cluster.sh stop DIR    stops the cluster and removes DIR
# Debian's server binaries live in /usr/lib/postgresql/<version>/bin. PostgreSQL refuses to run as root, so as
# root the cluster runs as the "postgres" user the package creates.
set -euo pipefail
action="${1:?start or stop}"
dir="${2:?a directory}"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
as_owner=()
if [ "$(id -u)" -eq 0 ]; then as_owner=(runuser -u postgres --); fi

case "$action" in
  start)
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=on" start >/dev/null
    "${as_owner[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -q -c "CREATE DATABASE circmatch" >/dev/null
    url="postgresql://postgres@127.0.0.1:$port/circmatch"
    echo "$url" >"$dir/url"
    chmod a+r "$dir/url"
    echo "$url"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac

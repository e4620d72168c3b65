#!/usr/bin/env bash
# Installs what the tests need (Debian packages) and starts the services
# they talk to, on loopback only, in .test-services/. Prints the environment
# to export. Usage: eval "$(scripts/test-services.sh start)"; ... stop.
set -euo pipefail
cd "$(dirname "$0")/.."
state="$PWD/.test-services"
packages=(postgresql knot knot-dnsutils xmlsec1 dnsutils fonts-dejavu-core poppler-utils softhsm2 time git chromium)

need_install() {
	for p in "${packages[@]}"; do
		dpkg -s "$p" >/dev/null 2>&1 || return 0
	done
	return 1
}

install() {
	if need_install; then
		echo "installation des paquets Debian : ${packages[*]}" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2
		apt-get install -y -qq "${packages[@]}" >&2
	fi
	if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
		echo "installation des paquets npm (package-lock.json)" >&2
		npm ci --no-audit --no-fund >&2
		touch node_modules
	fi
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_postgres() {
	local bin port dir
	bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
	dir="$state/pg"
	rm -rf "$dir" && mkdir -p "$dir"
	chown postgres: "$dir"
	port=$(free_port)
	runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
	runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off \
		-c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
	echo "export CONFIANCE_TEST_PG='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable'"
	echo "$bin/pg_ctl -D $dir/data -m immediate stop" >"$state/stop-pg"
}

stop() {
	if [ -f "$state/stop-pg" ]; then
		runuser -u postgres -- $(cat "$state/stop-pg") >/dev/null 2>&1 || true
		rm -f "$state/stop-pg"
	fi
}

case "${1:-}" in
start)
	mkdir -p "$state"
	stop
	install
	start_postgres
	;;
stop) stop ;;
*)
	echo "usage : $0 start|stop" >&2
	exit 2
	;;
esac

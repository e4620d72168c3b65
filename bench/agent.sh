#!/bin/sh
# Figures of the DRIMbox agent (internal/agent): overhead of the admission
# proxy (mTLS, certificate and list check on every request, reverse proxy to
# a plain-HTTP backend on loopback) against a direct TLS connection to the
# same WADO-RS handler, on a 50 MB response and on 512-byte responses, as a
# ratio; the heap in use of an agent holding a verified 10,000-entry list;
# and the resident memory of a real `confiance agent` process holding it. Run from anywhere inside the repository:
#
#   bench/agent.sh [count]
#
# Each iteration makes one direct and one proxied request, so both see the
# same load; each benchmark runs [count] times (default 5) and the summary
# gives the medians.
set -eu

count="${1:-5}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
cd "$repo"
pkg=./bench/agentbench/

echo "== proxy contre connexion directe (go test -bench, $count passes)"
go test -run '^$' -bench 'Overhead50MB' -benchtime 10x -count "$count" "$pkg" | tee "$out"
go test -run '^$' -bench 'OverheadSmall' -benchtime 3000x -count "$count" "$pkg" |
	tee -a "$out"
echo "== mémoire d'un agent tenant une liste de 10 000 entrées"
go test -run '^$' -bench 'Heap' -benchtime 1x -count 3 "$pkg" | tee -a "$out"

echo "== synthèse (médianes)"
awk '
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 2; i < NF; i++)
		if ($(i+1) ~ /^(direct-µs|proxy-µs|ratio|heap-MiB)$/)
			v[name, $(i+1), ++n[name, $(i+1)]] = $i
}
function median(name, k,   c, i, j, t, a) {
	c = n[name, k]
	for (i = 1; i <= c; i++) a[i] = v[name, k, i]
	for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++)
		if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
}
function line(label, name) {
	printf "%s : direct %.0f µs, proxy %.0f µs, rapport %.2f\n", label,
		median(name, "direct-µs"), median(name, "proxy-µs"), median(name, "ratio")
}
END {
	line("50 Mo ", "BenchmarkOverhead50MB")
	line("512 o ", "BenchmarkOverheadSmall")
	h = median("BenchmarkAgentHeap10000", "heap-MiB")
	printf "mémoire : %.1f Mio de tas pour 10 000 entrées\n", h
}' "$out"

# The resident memory of a real `confiance agent` process: it downloads,
# verifies (CRLs included) and holds a signed 10,000-entry list served on
# loopback, then VmRSS and VmHWM are read from /proc once it is healthy.
echo "== mémoire résidente d'un processus confiance agent (liste de 10 000 entrées)"
work="$(mktemp -d)"
trap 'rm -f "$out"; kill $web $agent 2>/dev/null || true; rm -rf "$work"' EXIT
web= agent=
go build -o "$work/gen" ./bench/gen
go build -o "$work/confiance" ./cmd/confiance
"$work/gen" -dir "$work" -n 10000 >/dev/null
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wport=$(free_port)
aport=$(free_port)
python3 -m http.server -b 127.0.0.1 -d "$work" "$wport" >/dev/null 2>&1 &
web=$!
for _ in $(seq 100); do
	curl -fs -o /dev/null "http://127.0.0.1:$wport/root.pem" && break
	sleep 0.1
done
"$work/confiance" agent --url "http://127.0.0.1:$wport/liste-signee.xml" \
	--trust "$work/root.pem" --crl "$work/root.crl.pem" --crl "$work/intermediate.crl.pem" \
	--crl-fetch=false --state "$work/etat" --listen "127.0.0.1:$aport" >"$work/agent.log" 2>&1 &
agent=$!
ok=
for _ in $(seq 150); do
	if curl -fs "http://127.0.0.1:$aport/q/health" >/dev/null 2>&1; then ok=1; break; fi
	sleep 0.2
done
if [ -z "$ok" ]; then
	echo "l'agent n'est pas en bonne santé après 30 s :" >&2
	cat "$work/agent.log" >&2
	exit 1
fi
sleep 2
awk '/^VmRSS|^VmHWM/ { printf "%s %.1f Mio\n", $1, $2 / 1024 }' "/proc/$agent/status"

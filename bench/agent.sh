#!/bin/sh
# Figures of the DRIMbox agent (internal/agent): overhead of the admission
# proxy (mTLS, certificate and list check on every request, reverse proxy to
# a plain-HTTP backend on loopback) against a direct TLS connection to the
# same WADO-RS handler, on a 50 MB response and on 512-byte responses, as a
# ratio; and the heap in use of an agent holding a verified 10,000-entry
# list. Run from anywhere inside the repository:
#
#   bench/agent.sh [count]
#
# Each benchmark runs [count] times (default 5); the ratio uses the medians.
set -eu

count="${1:-5}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
cd "$repo"

echo "== proxy contre connexion directe (go test -bench, $count passes)"
pkg=./bench/agentbench/
go test -run '^$' -bench '50MB' -benchtime 20x -count "$count" "$pkg" | tee "$out"
go test -run '^$' -bench 'Small' -benchtime 3000x -count "$count" "$pkg" | tee -a "$out"
echo "== mémoire d'un agent tenant une liste de 10 000 entrées"
go test -run '^$' -bench 'Heap' -benchtime 1x -count 3 "$pkg" | tee -a "$out"

echo "== synthèse (médianes)"
awk '
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 2; i < NF; i++) {
		if ($(i+1) == "ns/op") v[name, "ns", ++n[name, "ns"]] = $i
		if ($(i+1) == "heap-MiB") v[name, "heap", ++n[name, "heap"]] = $i
	}
}
function median(name, k,   c, i, j, t, a) {
	c = n[name, k]
	for (i = 1; i <= c; i++) a[i] = v[name, k, i]
	for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++)
		if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
}
END {
	d = median("BenchmarkDirect50MB", "ns"); p = median("BenchmarkProxy50MB", "ns")
	printf "50 Mo   : direct %.1f ms, proxy %.1f ms, rapport %.2f\n", d / 1e6, p / 1e6, p / d
	d = median("BenchmarkDirectSmall", "ns"); p = median("BenchmarkProxySmall", "ns")
	printf "512 o   : direct %.0f µs, proxy %.0f µs, rapport %.2f\n", d / 1e3, p / 1e3, p / d
	h = median("BenchmarkAgentHeap10000", "heap")
	printf "mémoire : %.1f Mio de tas pour 10 000 entrées\n", h
}' "$out"

#!/usr/bin/env bash
# Mesures DNS de Confiance :
#  1. requêtes par seconde du serveur intégré et de Knot sur la même zone de
#     N enregistrements (dnsperf), et leur rapport ;
#  2. durée d'une réconciliation de 20 000 enregistrements : le suiveur du
#     registre complet (registre SQLite -> Knot) et le seul échange avec
#     chaque serveur (internal/dns) ;
#  3. délai entre le retour de svc.ModifierPointAcces et la réponse de Knot
#     avec la nouvelle cible (suiveur en marche), et celui d'une mise à jour
#     RFC 2136 seule.
# Paquets Debian requis : knot, dnsperf.
# Variables : N (20000), DURATION (10 s par serveur), CLIENTS (4), BENCHTIME (5x).
set -euo pipefail

cd "$(dirname "$0")/.."
N=${N:-20000}
DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-4}
BENCHTIME=${BENCHTIME:-5x}

if ! command -v dnsperf >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
	echo "installation de dnsperf (apt-get)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dnsperf >/dev/null
fi
for tool in knotd dnsperf go; do
	command -v "$tool" >/dev/null || { echo "outil manquant : $tool" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/dnsserve" ./bench/dnsserve
"$work/dnsserve" -n "$N" -zone-file "$work/mesimagesmedicales.fr.zone" \
	-queries "$work/queries.txt"

# wait_port PORT: attend (au plus 10 s) qu'un serveur accepte TCP sur PORT.
wait_port() {
	for _ in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "aucun serveur sur le port $1" >&2
	return 1
}

start_embedded() {
	local port=$1
	"$work/dnsserve" -n "$N" -addr "127.0.0.1:$port" 2>"$work/dnsserve.log" &
	pids+=($!)
	wait_port "$port"
}

start_knot() {
	local port=$1
	cat >"$work/knot.conf" <<CONF
server:
    rundir: "$work"
    listen: 127.0.0.1@$port
control:
    listen: "$work/knot.sock"
log:
  - target: stderr
    any: warning
database:
    storage: "$work"
template:
  - id: default
    storage: "$work"
    file: "%s.zone"
    zonefile-sync: -1
zone:
  - domain: mesimagesmedicales.fr
CONF
	knotd -c "$work/knot.conf" 2>"$work/knot.log" &
	pids+=($!)
	wait_port "$port"
	# Knot loads the zone after opening its sockets: wait for the SOA.
	for _ in $(seq 1 100); do
		if dnsperf -s 127.0.0.1 -p "$port" -d <(echo "mesimagesmedicales.fr SOA") \
			-n 1 2>/dev/null | grep -q "NOERROR 1"; then return 0; fi
		sleep 0.1
	done
	echo "Knot ne sert pas la zone" >&2
	return 1
}

# qps PORT: lance dnsperf et affiche les requêtes par seconde.
qps() {
	dnsperf -s 127.0.0.1 -p "$1" -d "$work/queries.txt" -l "$DURATION" -c "$CLIENTS" \
		>"$work/dnsperf-$1.txt" 2>&1
	awk '/Queries per second:/ {print $4}' "$work/dnsperf-$1.txt"
}

p_emb=$("$work/dnsserve" -free-port)
start_embedded "$p_emb"
p_knot=$("$work/dnsserve" -free-port)
start_knot "$p_knot"

echo "== 1. Débit en requêtes A sur $N CNAME (dnsperf, ${DURATION} s, $CLIENTS clients)"
q_emb=$(qps "$p_emb")
q_knot=$(qps "$p_knot")
grep -E "Queries (sent|completed|lost)|Response codes" "$work/dnsperf-$p_emb.txt" | \
	sed 's/^/   intégré : /'
grep -E "Queries (sent|completed|lost)|Response codes" "$work/dnsperf-$p_knot.txt" | \
	sed 's/^/   Knot    : /'
echo "serveur intégré : $q_emb requêtes/s"
echo "Knot            : $q_knot requêtes/s"
awk -v a="$q_emb" -v b="$q_knot" 'BEGIN { printf "rapport intégré/Knot : %.2f\n", a / b }'

echo
echo "== 2. Réconciliation de 20 000 enregistrements (ns/op = durée d'un passage)"
go test ./internal/zone/ -run '^$' -count=1 -benchtime "$BENCHTIME" -bench 'BenchmarkSync20k'
go test ./internal/dns/ -run '^$' -count=1 -benchtime "$BENCHTIME" \
	-bench 'BenchmarkPlan20k|BenchmarkReconcile20k'

echo
echo "== 3. Délai registre -> enregistrement visible dans Knot (ns/op = délai)"
go test ./internal/zone/ -run '^$' -count=1 -benchtime 20x -bench 'BenchmarkRegistryToKnot'
go test ./internal/dns/ -run '^$' -count=1 -benchtime 20x -bench 'BenchmarkUpdateVisibleKnot'

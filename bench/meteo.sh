#!/usr/bin/env bash
# Mesures de la Météo des services :
#  1. la sonde de Confiance sur N points d'accès × 3 vérifications (HealthCheck,
#     visionneuse, DNS) chaque minute, contre des DRIMbox simulées sur la boucle
#     locale (processus séparé) : vérifications faites, retards, CPU par
#     vérification ;
#  2. les mêmes vérifications, au même rythme, par blackbox_exporter de
#     Prometheus (Debian), et le rapport des CPU par vérification ;
#  3. la page de statut et l'API JSON pour 10 000 DRIMbox × 90 jours
#     (benchmarks Go de internal/web/meteo).
# Paquet Debian requis : prometheus-blackbox-exporter.
# Variables : N (10000), DURATION (2m par outil), SERVERS (16), BENCHTIME (20x).
set -euo pipefail

cd "$(dirname "$0")/.."
N=${N:-10000}
DURATION=${DURATION:-2m}
SERVERS=${SERVERS:-16}
BENCHTIME=${BENCHTIME:-20x}

for tool in prometheus-blackbox-exporter go; do
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

go build -o "$work/meteosim" ./bench/meteosim
go build -o "$work/meteoprobe" ./bench/meteoprobe

"$work/meteosim" -servers "$SERVERS" -ca "$work/ca.pem" >"$work/sim.json" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/sim.json" ] && break; sleep 0.1; done
[ -s "$work/sim.json" ] || { echo "meteosim n'a pas démarré" >&2; exit 1; }

echo "== Confiance : $N points d'accès × 3 vérifications par minute, $DURATION" >&2
# meteoprobe fails when the prober fell behind; the comparison still runs.
conf_rc=0
conf=$("$work/meteoprobe" -mode confiance -n "$N" -duree "$DURATION" \
	-sim "$work/sim.json" -ca "$work/ca.pem") || conf_rc=$?
echo "$conf"

cat >"$work/blackbox.yml" <<YAML
modules:
  sante:
    prober: http
    timeout: 10s
    http:
      valid_status_codes: [200, 503]
      fail_if_body_not_matches_regexp: ['"status"']
      preferred_ip_protocol: ip4
      tls_config: {ca_file: $work/ca.pem, server_name: db1.bench.test}
  visionneuse:
    prober: http
    timeout: 10s
    http:
      preferred_ip_protocol: ip4
      tls_config: {ca_file: $work/ca.pem, server_name: vi1.bench.test}
  dns:
    prober: dns
    timeout: 10s
    dns:
      query_name: db1.bench.test
      query_type: A
      transport_protocol: udp
      preferred_ip_protocol: ip4
YAML
bbport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
prometheus-blackbox-exporter --config.file="$work/blackbox.yml" \
	--web.listen-address="127.0.0.1:$bbport" --log.level=warn 2>"$work/bb.log" &
bbpid=$!
pids+=($bbpid)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$bbport/-/healthy" >/dev/null && break; sleep 0.1; done

echo "== blackbox_exporter : les mêmes vérifications au même rythme, $DURATION" >&2
bb=$("$work/meteoprobe" -mode blackbox -n "$N" -duree "$DURATION" -sim "$work/sim.json" \
	-bb "http://127.0.0.1:$bbport" -bb-pid "$bbpid")
echo "$bb"

python3 - "$conf" "$bb" <<'PY'
import json, sys
c, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
k = "cpuMicrosecondesParVerification"
print(f"CPU par vérification : Confiance {c[k]:.0f} µs, blackbox_exporter {b[k]:.0f} µs, "
      f"rapport Confiance / blackbox = {c[k] / b[k]:.2f}")
PY

echo "== Page de statut et API JSON : 10 000 DRIMbox × 90 jours" >&2
go test -run '^$' -bench . -benchtime "$BENCHTIME" ./internal/web/meteo
if [ "$conf_rc" -ne 0 ]; then
	echo "échec : la sonde de Confiance n'a pas tenu le rythme (voir plus haut)" >&2
	exit 1
fi

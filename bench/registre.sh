#!/usr/bin/env bash
# Mesures du Registre National (internal/store, internal/web/api) :
#  1. allocation : création d'une installation de 1 puis de 3 PACS, avec ses
#     paires de FQDN et son historique (BenchmarkAllocate) ;
#  2. lecture de 10 000 installations, puis de leurs 10 000 points d'accès,
#     dans le magasin (BenchmarkListInstallations10k) ;
#  3. liste de 10 000 points d'accès par l'API HTTP, derrière le journal des
#     requêtes de `confiance serve`, avec un jeton administrateur puis celui
#     de l'opérateur qui les détient tous (BenchmarkListPointsAcces10k) ;
#     objectif : moins de 100 ms par liste.
# SQLite toujours ; PostgreSQL aussi si CONFIANCE_TEST_PG (ou, à défaut, PG)
# donne le DSN d'un serveur où les mesures créent leurs bases jetables.
# Chaque mesure de liste remplit d'abord sa base (10 000 créations) : compter
# quelques minutes sur PostgreSQL.
# Variables : BENCHTIME (10x), CONFIANCE_TEST_PG ou PG.
set -euo pipefail

cd "$(dirname "$0")/.."
BENCHTIME=${BENCHTIME:-10x}
OBJECTIF_MS=100

command -v go >/dev/null || { echo "outil manquant : go" >&2; exit 1; }
if [ -z "${CONFIANCE_TEST_PG:-}" ] && [ -n "${PG:-}" ]; then
	export CONFIANCE_TEST_PG="$PG"
fi
bases=sqlite
if [ -n "${CONFIANCE_TEST_PG:-}" ]; then
	bases='sqlite|postgres'
else
	echo "PostgreSQL non mesuré : définissez CONFIANCE_TEST_PG ou PG (DSN d'un serveur)."
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# mesure PAQUET BENCHMARKS : lance les benchmarks sur les bases retenues et
# garde leur sortie pour la synthèse.
mesure() {
	go test "$1" -run '^$' -count=1 -timeout 60m -benchtime "$BENCHTIME" \
		-bench "^($2)\$/^($bases)\$" | tee -a "$work/bench.txt"
}

echo "== 1 et 2. Allocation et lecture dans le magasin (internal/store)"
mesure ./internal/store/ 'BenchmarkAllocate|BenchmarkListInstallations10k'
echo
echo "== 3. Liste des points d'accès par l'API (internal/web/api)"
mesure ./internal/web/api/ 'BenchmarkListPointsAcces10k'

echo
echo "== Synthèse (durée d'une opération)"
awk -v objectif="$OBJECTIF_MS" '
/^Benchmark/ {
	nom = $1
	sub(/-[0-9]+$/, "", nom)
	ns = ""
	for (i = 3; i <= NF; i++) if ($i == "ns/op") ns = $(i - 1)
	if (ns == "") next
	ms = ns / 1e6
	note = ""
	if (nom ~ /^BenchmarkListPointsAcces10k/) {
		if (ms < objectif) note = sprintf("  (objectif < %d ms : atteint)", objectif)
		else { note = sprintf("  (objectif < %d ms : NON atteint)", objectif); manque++ }
	}
	printf "%-52s %10.2f ms%s\n", nom, ms, note
}
END {
	if (manque > 0) printf "%d liste(s) de l’API au-delà de %d ms.\n", manque, objectif
}' "$work/bench.txt"

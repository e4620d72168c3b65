#!/usr/bin/env bash
# Charge du portail (opérateurs et back office ANS) : 1 000 opérateurs,
# 10 000 points d'accès, 200 utilisateurs simultanés connectés par la vraie
# page de connexion, sur SQLite puis sur PostgreSQL.
# Variables : OPERATEURS (1000), POINTS (10000), UTILISATEURS (200),
# DUREE (60s), PAUSE (1s, pause moyenne entre deux pages d'un utilisateur),
# PG (DSN d'une base PostgreSQL vide ; sans elle, SQLite seulement).
set -euo pipefail

cd "$(dirname "$0")/.."
args=(-operateurs "${OPERATEURS:-1000}" -points "${POINTS:-10000}"
	-utilisateurs "${UTILISATEURS:-200}" -duree "${DUREE:-60s}" -pause "${PAUSE:-1s}"
	-assets node_modules)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/portail" ./bench/portail

echo "== SQLite"
"$work/portail" "${args[@]}"
if [ -n "${PG:-}" ]; then
	echo "== PostgreSQL"
	"$work/portail" "${args[@]}" -db "$PG"
else
	echo "PostgreSQL non mesuré : définissez PG (DSN d'une base vide)."
fi

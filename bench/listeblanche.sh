#!/usr/bin/env bash
# Benchmark of the whitelist signature, side by side in one run: Confiance's
# command line (`confiance liste verify` doing the full verification, CRLs
# included, and `confiance liste sign`) against xmlsec1 (Debian package
# xmlsec1) on a synthetic list of 10,000 entries (about 5 MB). xmlsec1
# verifies the list signed by Confiance and signs the very same XAdES
# signature (a template with the digests and signature value emptied).
# Run from anywhere inside the repository:
#
#   bench/listeblanche.sh [entries]        (RUNS=5 runs of each step)
#
# Each step runs RUNS times; the best wall time and the highest peak memory
# (GNU time %M, Debian package time) are kept, then the ratios
# Confiance / xmlsec1 are printed (below 1: Confiance is faster or leaner).
# When `confiance liste` is not built yet, bench/gen stands in for it.
set -euo pipefail

entries="${1:-10000}"
runs="${RUNS:-5}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for tool in xmlsec1 /usr/bin/time go; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "outil absent : $tool (apt-get install -y xmlsec1 time)" >&2
		exit 1
	fi
done

echo "== génération d'une liste de $entries entrées et d'une PKI de test dans $work"
(cd "$repo" && go build -o "$work/gen" ./bench/gen && go build -o "$work/confiance" ./cmd/confiance)
"$work/gen" -dir "$work" -n "$entries"
ls -l "$work/liste.xml" "$work/liste-signee.xml"

# measure NAME VAR CMD...: runs CMD $runs times, sets VAR_t (best seconds)
# and VAR_m (highest peak RSS in KiB).
measure() {
	local name=$1 var=$2 best="" peak=0 start end t m
	shift 2
	for _ in $(seq "$runs"); do
		start=$(date +%s%N)
		if ! /usr/bin/time -f '%M' -o "$work/rss" "$@" >"$work/out" 2>&1; then
			echo "échec de l'étape « $name » :" >&2
			cat "$work/out" >&2
			exit 1
		fi
		end=$(date +%s%N)
		t=$(( (end - start) / 1000 ))
		m=$(tail -n 1 "$work/rss")
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
		if [ "$m" -gt "$peak" ]; then peak=$m; fi
	done
	printf '%-28s %6.3f s  %7d Kio\n' "$name" "$(awk "BEGIN{print $best/1e6}")" "$peak"
	printf -v "${var}_t" '%s' "$best"
	printf -v "${var}_m" '%s' "$peak"
}

xades=(--id-attr:Id 'http://uri.etsi.org/01903/v1.3.2#:SignedProperties')
conf=("$work/confiance" liste)
if "${conf[@]}" verify --help 2>&1 | grep -q -- '--trust'; then
	verify_cmd=("${conf[@]}" verify --trust "$work/root.pem"
		--crl "$work/root.crl.pem" --crl "$work/intermediate.crl.pem" "$work/liste-signee.xml")
	who_verify="confiance liste verify"
else
	verify_cmd=("$work/gen" -dir "$work" -verify "$work/liste-signee.xml")
	who_verify="bench/gen -verify (confiance liste verify absent)"
fi
if "${conf[@]}" sign --help 2>&1 | grep -q -- '--key'; then
	sign_cmd=("${conf[@]}" sign --key "$work/signer-key.pem" --cert "$work/signer.pem"
		--chain "$work/intermediate.pem" --chain "$work/root.pem"
		"$work/liste.xml" "$work/liste-confiance.xml")
	who_sign="confiance liste sign"
else
	sign_cmd=("$work/gen" -dir "$work" -sign "$work/liste.xml" -out "$work/liste-confiance.xml")
	who_sign="bench/gen -sign (confiance liste sign absent)"
fi

echo "== $runs passages par étape ; Confiance : $who_verify, $who_sign"
measure "Confiance vérification" cv "${verify_cmd[@]}"
if [ "${verify_cmd[0]}" != "$work/gen" ]; then
	# The same verification and parsing, in a small binary: what the CLI
	# adds on top (its own start-up) shows as the difference.
	measure "  (bibliothèque, bench/gen)" gv "$work/gen" -dir "$work" -verify "$work/liste-signee.xml"
	measure "  (confiance, démarrage seul)" hv "${conf[@]}" verify --help
fi
measure "xmlsec1 vérification" xv xmlsec1 --verify --trusted-pem "$work/root.pem" \
	--untrusted-pem "$work/intermediate.pem" "${xades[@]}" "$work/liste-signee.xml"
measure "Confiance signature" cs "${sign_cmd[@]}"
measure "xmlsec1 signature" xs xmlsec1 --sign \
	--privkey-pem "$work/signer-key.pem,$work/signer.pem" "${xades[@]}" \
	--output "$work/liste-xmlsec1.xml" "$work/gabarit.xml"

echo "== contrôle croisé : Confiance vérifie la liste signée par xmlsec1"
"$work/gen" -dir "$work" -verify "$work/liste-xmlsec1.xml"

ratio() { awk "BEGIN{printf \"%.2f\", $1/$2}"; }
echo "== rapports Confiance / xmlsec1 (au plus 1 attendu)"
echo "vérification : temps $(ratio "$cv_t" "$xv_t"), mémoire $(ratio "$cv_m" "$xv_m")"
echo "signature    : temps $(ratio "$cs_t" "$xs_t"), mémoire $(ratio "$cs_m" "$xs_m")"

if [ "${GO_BENCH:-1}" = 1 ]; then
	echo "== benchmarks Go (internal/xmlsig, en processus)"
	cd "$repo" && go test -bench 10k -benchmem -run '^$' ./internal/xmlsig/
fi

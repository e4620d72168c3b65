#!/bin/sh
# Benchmark of the whitelist signature on a synthetic list of 10,000 entries
# (about 5 MB): Confiance's Go signer and verifier against xmlsec1 (Debian
# package xmlsec1). Run from anywhere inside the repository:
#
#   bench/listeblanche.sh [entries]
#
# It prints the wall time and peak memory of each step (GNU time, Debian
# package time), then runs the Go benchmarks of internal/xmlsig.
set -eu

entries="${1:-10000}"
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
(cd "$repo" && go build -o "$work/gen" ./bench/gen)
"$work/gen" -dir "$work" -n "$entries"
ls -l "$work/liste.xml" "$work/liste-signee.xml"

fmt='%e s, %M Kio max'
xades='--id-attr:Id http://uri.etsi.org/01903/v1.3.2#:SignedProperties'

echo "== Confiance : vérification (processus complet)"
/usr/bin/time -f "Confiance vérification : $fmt" \
	"$work/gen" -dir "$work" -verify "$work/liste-signee.xml"

echo "== xmlsec1 : vérification de la liste signée par Confiance"
# shellcheck disable=SC2086
/usr/bin/time -f "xmlsec1 vérification : $fmt" \
	xmlsec1 --verify --trusted-pem "$work/root.pem" --untrusted-pem "$work/intermediate.pem" \
	$xades "$work/liste-signee.xml"

echo "== xmlsec1 : signature de la même liste (gabarit enveloped, RSA-SHA256)"
sed 's#</ListeBlancheDRIM-M>#<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig\#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n\#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more\#rsa-sha256"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig\#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n\#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc\#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature></ListeBlancheDRIM-M>#' \
	"$work/liste.xml" >"$work/gabarit.xml"
/usr/bin/time -f "xmlsec1 signature : $fmt" \
	xmlsec1 --sign --privkey-pem "$work/signer-key.pem,$work/signer.pem" \
	--output "$work/liste-xmlsec1.xml" "$work/gabarit.xml"

echo "== benchmarks Go (internal/xmlsig)"
cd "$repo" && go test -bench . -benchmem -run '^$' ./internal/xmlsig/

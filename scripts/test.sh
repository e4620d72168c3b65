#!/usr/bin/env bash
# `make test`: installs and starts the services the tests talk to (on
# loopback only), runs every Go test with them, then stops them. Services
# that are missing make the tests fail rather than skip (CI=1).
set -euo pipefail
cd "$(dirname "$0")/.."

services_env=$(scripts/test-services.sh start)
trap 'scripts/test-services.sh stop' EXIT
eval "$services_env"
export CI="${CI:-1}"
export CONFIANCE_TESTDATA="${CONFIANCE_TESTDATA:-$(cd .. && pwd)/shared/testdata}"

echo "== go vet"
go vet ./...
echo "== go mod tidy (vérification)"
cp go.mod /tmp/confiance-go.mod.bak && cp go.sum /tmp/confiance-go.sum.bak
go mod tidy
if ! cmp -s go.mod /tmp/confiance-go.mod.bak || ! cmp -s go.sum /tmp/confiance-go.sum.bak; then
	cp /tmp/confiance-go.mod.bak go.mod && cp /tmp/confiance-go.sum.bak go.sum
	echo "go.mod ou go.sum ne sont pas à jour : lancez go mod tidy" >&2
	exit 1
fi
echo "== go test"
go test -count=1 -tags pkcs11 ./internal/pki/...
go test -count=1 -tags pkcs11 -run PKCS11 ./cmd/confiance/
go test -count=1 -timeout 40m ./...

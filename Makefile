# Confiance — the two commands of the README, and a few helpers.
GO      ?= go
DATA    ?= confiance-data
ADDR    ?= 127.0.0.1:8080

.PHONY: all build demo test test-short vet bench clean

all: build

build:
	$(GO) build -o bin/confiance ./cmd/confiance

# Runs the product on its embedded defaults (SQLite, built-in DNS server,
# generated demo PKI) with the guide's demo data.
demo: build node_modules
	./bin/confiance serve --demo --data $(DATA) --addr $(ADDR)

# The front-end assets (DSFR, htmx) come from npm; they are never committed.
node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch node_modules

# Installs and starts what the tests need (PostgreSQL, Knot, xmlsec1, …),
# then runs every test.
test:
	scripts/test.sh

# The Go tests alone, with whatever services happen to be running.
test-short:
	$(GO) test -count=1 ./...

vet:
	$(GO) vet ./...

bench:
	bench/registre.sh
	bench/listeblanche.sh
	bench/dns.sh
	bench/agent.sh
	bench/meteo.sh
	bench/portail.sh

clean:
	rm -rf bin .test-services

// Package registre implements the Registre National d'identification of the
// DRIM-M trust space (guide, sections 2.1 and 2.2): operators, their client
// sites, installations with their ID registre, and the access points a
// DRIMbox exposes, one per PACS.
//
// The package owns the rules: field validation, the allocation of the
// db/vi FQDN pairs (never reused, even after withdrawal), the lifecycle
// state machine of an access point, and the append-only, hash-chained
// history of every change. Persistence is behind the Store interface,
// implemented by internal/store for SQLite and PostgreSQL.
package registre

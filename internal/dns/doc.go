// Package dns keeps the DNS side of the DRIM-M trust space: the zone
// mesimagesmedicales.fr in which ANS gives every DRIMbox access point two
// names, db{n}.{id} and vi{n}.{id}, each a CNAME to a host declared by the
// operator, or an A or AAAA record when the operator declared an IP
// address (a CNAME cannot point to an address). Records are compared by
// name and type; a name changing from a host to an address, or back, has
// its old record replaced in the same update.
//
// The package holds the desired zone (Record, ZoneConfig, Desired), two
// places where the zone can live behind one Backend interface — an embedded
// authoritative server (Server) and an external primary driven by dynamic
// updates (RFC2136) — a reconciler that computes and applies the difference
// (Diff, Plan, Reconcile, Reconciler), and checks that a name resolves to
// its declared host and that a file-based domain validation file is served
// (CheckResolve, CheckDCV).
//
// Standards followed: RFC 1035 (messages, names, master files), RFC 2308
// (negative answers carry the SOA), RFC 2136 (dynamic updates), RFC 2845 and
// RFC 8945 (TSIG, hmac-sha256), RFC 5936 (AXFR over TCP, access control).
//
// Limitation: the embedded server does not follow a CNAME whose target
// lies inside the zone; targets are operator hosts, outside it.
//
// Limitation: the embedded server answers IXFR with a full transfer, sends
// no NOTIFY, and refuses dynamic updates that carry prerequisites.
//
// Limitation: a plan larger than one update message is applied as several
// messages; each is atomic, the whole is not. A failure leaves the earlier
// messages applied and the next reconciliation completes the work.
//
// Drift is told apart from a desired change only by knowing what was
// applied last. A Reconciler keeps that in memory; internal/zone keeps it
// in the database and uses Diff directly.
//
// Apex data (SOA, NS, glue addresses of in-zone name servers) is
// configuration (ZoneConfig); reconciliation only touches the CNAME, A and
// AAAA records of names below the apex, glue excepted.
//
// Limitation: the embedded server holds one record a name: one target,
// one address. An address added by a dynamic update replaces the previous
// one instead of joining its RRset.
//
// Limitation: a CNAME at the name of a glue record hides the glue; the
// registry never allocates such names (they are not db/vi names).
//
// Messages meant for a person (plan text, errors shown to operators) are in
// French.
package dns

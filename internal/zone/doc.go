// Package zone keeps the DNS zone of the DRIM-M trust space in step with
// the Registre National (guide, section 2.2: ANS creates, for every
// allocated FQDN, a CNAME to the operator's DRIMbox or viewer host). The
// guide lets an operator give the host "or IP" of its DRIMbox and viewer;
// a CNAME cannot point to an address, so an access point whose target is
// a public IP address (as the registry accepts it) gets an A or AAAA
// record under that FQDN instead, and a target changing from a host name
// to an address, or back, replaces the record of the old type.
//
// It is the bridge between internal/registre and internal/dns, which stays
// a DNS library that knows nothing of the registry. The package derives
// the desired records from the access points (Desired), remembers what was
// last applied to each server in the database (Applied), and follows the
// registry (Follower): after every registry change, when another process
// changed the registry, and on a schedule, it compares the desired zone
// with what the server holds, applies only the difference, repairs drift,
// and writes every change of the zone to the hash-chained history.
//
// Which access points have records:
//   - declared, integrating, active, reintegrating and en_bascule ones: the
//     names exist from allocation, so that the operator can pass the
//     certificate authority's domain check before integration;
//   - excluded ones: kept by default (see Policy.KeepExcluded and the
//     shared setting);
//   - withdrawn ones: never; the names stay reserved in the registry.
//
// Only names the naming pattern can produce (db/vi names) are managed:
// other records ANS keeps in the zone are left alone, while a db/vi name
// added by hand is drift and removed. A record DNS refuses (a target that
// is neither a host name nor a usable address, or the FQDN itself) is reported and left as it is on
// the server, so that one operator's mistake holds back nobody else.
//
// The changes of a run are written to the history as at most one event
// per kind (ajout, modification, suppression, derive) and per 500 names,
// naming the installation when they concern only one, in the transaction
// that records the applied state (registre.Service.ConsignerAvec). The
// changes of a plan are written ahead before they are sent; when what
// reached the server cannot be known (the update failed and the server
// cannot be read back, or the recording failed), the next run settles
// them against the server, so that none is lost from the history or taken
// for drift.
//
// The report of the last run on each server is kept in the database, for
// the back office and for a restarted process. What becomes of the records
// of excluded access points is one setting shared in the database
// (SetSharedPolicy, `confiance dns exclues`), read at every run by every
// reconciler.
//
// With several `confiance serve` instances on one database, RunLeased
// reconciles an external server only on the instance holding the lease
// LeaseName (package store); the others stand by and one takes over when
// it stops or dies, so that each drift is recorded once. An embedded
// server lives in its process, and each instance keeps its own in step.
package zone

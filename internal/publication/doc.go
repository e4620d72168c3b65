// Package publication produces and publishes the DRIM-M whitelist (guide,
// "Liste Blanche"): it generates the list from the active access points of
// the Registre National, signs it (XAdES-BASELINE-B, package xmlsig) and
// publishes it so that no reader ever sees a half-written or rolled-back
// list.
//
// A publication is a follower of the registry ("changes flow one way"):
// Publisher watches the registry's commits (and polls its last sequence
// number for changes made by other processes), regenerates the list, and
// publishes a new version when its content changed, or when the current one
// is due to be re-signed. Each version is written to its own file with a
// temporary file, fsync and rename, recorded in the database with its
// bytes (migrations 00003 and 14), then made current by an atomic rename
// of a symbolic link; every version is kept, and each publication is
// written to the registry's hash-chained history. Recover repairs what a
// crash may leave between these steps.
//
// The package also serves the list over HTTP (ETag, Last-Modified,
// conditional GET, gzip, history as JSON and as a French page with diffs,
// trust anchors) and can mirror every version to a git repository, as ANS
// does on GitHub: one commit per version, a failed push tried again with a
// backoff, the lock files of a killed git removed, origin kept on the
// configured remote.
//
// Several instances may share one database: Run publishes only on the
// instance holding the lease LeaseName (package store), and another takes
// over when it stops or dies; each publication also holds a write lease,
// so that a command-line publication waits for the one in progress. Every
// instance serves the versions from the database, its own publication
// folder being a cache: instances keep no state of their own.
//
// Signing keys are opened by package pki: PEM and PKCS#12 files, and
// PKCS#11 tokens in binaries built with the pkcs11 tag.
//
// The document itself (encode, parse, verify) lives in packages
// listeblanche and xmlsig, which the DRIMbox agent imports; readers never
// import this package.
package publication

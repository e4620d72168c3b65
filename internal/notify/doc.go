// Package notify tells people what happens in the Parcours (guide, section
// 4: « une notification est envoyée… »): e-mails at each step that concerns
// an operator or the DRIM-M team — demande received, information requested,
// attestations available, integration done, VA reminder, exclusion — and
// webhooks for other systems.
//
// Every message goes through an outbox table in the registry's database,
// written in the same transaction as the step of the Parcours it tells of
// (parcours.TxNotifier): a step is never committed without its messages,
// nor its messages without it. A worker picks the messages that are due, takes a lease on them so that
// two server instances never send the same one, sends them (SMTP with
// go-mail, or an HTTP POST of JSON), marks them sent in the same database,
// and retries failures later with a growing delay. The outbox survives
// restarts. Without SMTP (the embedded default), e-mails are kept in the
// outbox with the status « conservé » and read in the portal.
//
// Delivery is at least once: if a process dies between the SMTP server's
// acceptance and the outbox update, the message is sent again after the
// lease expires, with the same Message-ID so that mail systems can drop
// the duplicate.
package notify

// Package parcours implements the demandes of the Parcours (guide, sections
// 3 and 4): the requests an operator files in ANS's authenticated space to
// declare a DRIMbox, integrate it, provide its VA document, have it
// reintegrated after an exclusion, update its data, switch operator or
// withdraw it — and the ANS side that instructs them.
//
// A demande has a human number (D-2026-000123), a type whose fields are
// those of the guide's screens, a status that follows an explicit state
// machine (soumise, en_instruction, information_demandee, acceptee, refusee,
// cloturee), a comment thread, attachments and a history. Validation names
// every rejected field in French and stores nothing on error. Accepting a
// demande acts on the Registre National through registre.Service as the ANS
// user who accepts; the registry records its own history, the demande its.
//
// Operators see only their own demandes (registre.Principal.OperateurID).
package parcours

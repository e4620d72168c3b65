// Package comptes keeps the accounts of the portal of the DRIM-M trust
// space: the people of ANS who instruct the requests (administrator,
// reader) and the people of an operator who file them (its legal
// representative, a mandataire, its technical administrator), as the
// guide's "Prérequis" name them.
//
// An account logs in with a local password (hashed with argon2id,
// RFC 9106) or through ANS's OpenID provider, to which it is linked by
// (issuer, subject). Accounts are created by ANS only: there is no
// self-registration. Peut says what each role may do, and Compte.Principal
// maps an account to the registry's principal, so that the rule "an
// operator sees only its own data" is enforced by the registry itself.
package comptes

// Package auth is the login of the Confiance portal: the login page for
// local accounts, the OpenID Connect authorization code flow (with PKCE,
// state and nonce) against ANS's identity provider, server-side sessions
// in secure cookies, the middleware that gives handlers the current user,
// role checks, and protection of state-changing requests against
// cross-origin forgery with net/http's CrossOriginProtection.
//
// Accounts and their roles live in internal/comptes; a page handler gets
// the account with User(r) and its registry principal with
// comptes.Compte.Principal or PrincipalPour.
package auth

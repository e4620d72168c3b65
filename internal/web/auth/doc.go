// Package auth is the login of the Confiance portal: the login page for
// local accounts, the OpenID Connect authorization code flow (with PKCE,
// state and nonce) against ANS's identity provider, server-side sessions
// in secure cookies, the middleware that gives handlers the current user,
// role checks, and protection of state-changing requests against
// cross-origin forgery with net/http's CrossOriginProtection.
//
// Accounts and their roles live in internal/comptes; a page handler gets
// the account with User(r) and its registry principal with
// comptes.Compte.Principal or PrincipalPour. Wiring (see Example): New(…)
// .Register(mux), routes wrapped with Require or RequireAction, and the
// whole mux served through Protect(sessions.Middleware(log, mux)). Pages
// log out with a form that POSTs to /deconnexion.
//
// Limitation: the per-address limit of login attempts is kept in each
// process's memory, and behind a reverse proxy it counts the proxy's
// address; the per-account lockout is in the database and holds across
// processes.
//
// Limitation: the lockout lets anyone who knows an address lock its
// account for a while (15 minutes by default) by failing on purpose;
// logging in through the identity provider still works then.
package auth

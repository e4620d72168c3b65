package registre

import "context"

// Store keeps the registry. Implementations run each function in one
// database transaction and roll it back when the function fails, so that a
// rejected request stores nothing.
type Store interface {
	// Update runs fn in a read-write transaction. Writers are serialised,
	// one at a time across every process sharing the database, which keeps
	// the history chain and the allocation of identifiers consistent.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Filtre narrows a listing. Zero fields do not filter.
type Filtre struct {
	OperateurID    int64
	InstallationID int64
	Statut         Statut
	Limit, Offset  int
}

// Tx is what the registry reads and writes inside a transaction. Getters
// return an error matching ErrNotFound when nothing has that identifier.
type Tx interface {
	Operateur(ctx context.Context, id int64) (Operateur, error)
	Operateurs(ctx context.Context, f Filtre) ([]Operateur, error)
	InsertOperateur(ctx context.Context, o *Operateur) error
	UpdateOperateur(ctx context.Context, o Operateur) error

	Site(ctx context.Context, id int64) (Site, error)
	Sites(ctx context.Context, f Filtre) ([]Site, error)
	InsertSite(ctx context.Context, s *Site) error

	// Installation returns the installation with its sites and access
	// points.
	Installation(ctx context.Context, id int64) (Installation, error)
	// Installations lists installations with their sites and access points.
	Installations(ctx context.Context, f Filtre) ([]Installation, error)
	// InsertInstallation stores in with its site links; in.ID is kept when
	// set, and chosen as the next free ID registre otherwise.
	InsertInstallation(ctx context.Context, in *Installation) error
	UpdateInstallation(ctx context.Context, in Installation) error

	PointAcces(ctx context.Context, id int64) (PointAcces, error)
	PointsAcces(ctx context.Context, f Filtre) ([]PointAcces, error)
	// InsertPointAcces stores p and reserves its two FQDNs for good. A name
	// that was ever reserved is refused with an error matching ErrConflict.
	InsertPointAcces(ctx context.Context, p *PointAcces) error
	// UpdatePointAcces stores the mutable fields of p; FQDNs never change.
	UpdatePointAcces(ctx context.Context, p PointAcces) error
	// MaxIndex returns the highest access point index ever used in an
	// installation, withdrawn ones included.
	MaxIndex(ctx context.Context, installationID int64) (int, error)
	// FQDNReserved reports whether a name was ever allocated.
	FQDNReserved(ctx context.Context, fqdn string) (bool, error)

	// LastEvent returns the sequence number and hash of the newest event,
	// or 0 and GenesisHash when the history is empty.
	LastEvent(ctx context.Context) (int64, string, error)
	InsertEvent(ctx context.Context, e Evenement) error
	// Events calls fn for each event matching f, in sequence order.
	Events(ctx context.Context, f Filtre, fn func(Evenement) error) error

	Token(ctx context.Context, hash string) (Token, error)
	Tokens(ctx context.Context) ([]Token, error)
	InsertToken(ctx context.Context, t *Token) error
	RevokeToken(ctx context.Context, id int64) error
}

package publication

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/registre"
	"confiance/internal/store"
)

// Default schedule of a Publisher.
const (
	// DefaultResign is how old the current list may get before it is
	// signed again with unchanged content.
	DefaultResign = 24 * time.Hour
	// DefaultPoll is how often the registry's last sequence number is read
	// to notice changes committed by other processes.
	DefaultPoll = 2 * time.Second
	// DefaultMirrorRetry is the first delay before a failed mirror sync is
	// tried again; MaxMirrorRetry bounds the backoff.
	DefaultMirrorRetry = 10 * time.Second
	MaxMirrorRetry     = 10 * time.Minute
)

// Config configures a Publisher.
type Config struct {
	// Dir is the publication folder (versions/, current.xml).
	Dir string
	// DB holds the table of versions; Registry is the registry over it.
	DB       *store.DB
	Registry *registre.Service
	// Signing signs every version; without a key, Plan works and Publish
	// fails.
	Signing Signing
	// Resign and Poll default to DefaultResign and DefaultPoll.
	Resign, Poll time.Duration
	// Clock defaults to time.Now.
	Clock func() time.Time
	// Log receives operational events, Audit one record per publication.
	Log, Audit *slog.Logger
	// Mirror, when set, receives every version after its publication.
	Mirror Mirror
	// MirrorRetry is the first delay before a failed mirror sync is tried
	// again by Run; it doubles at each failure up to MaxMirrorRetry.
	// Zero means DefaultMirrorRetry.
	MirrorRetry time.Duration
	// Acteur is who the history names as publisher; zero means the
	// server itself (DefaultActeur). It must be an administrator.
	Acteur registre.Principal
	// LeaseEvery is how often Run, on a standby instance, tries to take
	// the publication lease, and on the holder checks it; zero means
	// store.DefaultLeaseEvery.
	LeaseEvery time.Duration
}

// The leases of publication (package store). LeaseName elects the one
// instance whose Run publishes; writeLease is held by each publication
// (and recovery), whoever makes it, so that a command-line publication on
// another machine waits for the one in progress.
const (
	LeaseName  = "liste-blanche"
	writeLease = "liste-blanche-ecriture"
)

// Mirror is a copy of the published versions elsewhere (a git repository).
// Sync brings it up to date with every version listed; a failure is logged
// and retried by Run with a backoff (see Config.MirrorRetry), and at the
// next publication.
type Mirror interface {
	Sync(ctx context.Context, versions []Version, read func(Version) ([]byte, error)) error
}

// Publisher generates, signs and publishes the list. Its methods may be
// called from several goroutines; publications are serialised, across
// processes and machines too, by a lease in the database (and a lock on
// the publication folder).
type Publisher struct {
	cfg      Config
	arch     archive
	versions *versions
	leader   *store.Leader

	mu      sync.Mutex
	cacheN  int64
	cacheL  listeblanche.Liste
	lastSeq int64
	// failedAt is when the last publication step failed (zero: it did not).
	failedAt time.Time
	// mirrorPending is set while the mirror is behind: Run syncs it again
	// at mirrorNext; mirrorDelay is the current backoff.
	mirrorPending bool
	mirrorNext    time.Time
	mirrorDelay   time.Duration

	mirrorMu sync.Mutex
}

// New returns a publisher over the folder cfg.Dir, created if needed.
func New(cfg Config) (*Publisher, error) {
	if cfg.Dir == "" || cfg.DB == nil || cfg.Registry == nil {
		return nil, errors.New("publication: Dir, DB and Registry are required")
	}
	if cfg.Resign <= 0 {
		cfg.Resign = DefaultResign
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.MirrorRetry <= 0 {
		cfg.MirrorRetry = DefaultMirrorRetry
	}
	if cfg.Acteur == (registre.Principal{}) {
		cfg.Acteur = system()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Audit == nil {
		cfg.Audit = cfg.Log
	}
	p := &Publisher{cfg: cfg, arch: archive{dir: cfg.Dir}, versions: newVersions(cfg.DB),
		leader: store.NewLeader(cfg.DB, LeaseName, cfg.LeaseEvery, cfg.Log)}
	if err := p.arch.init(); err != nil {
		return nil, err
	}
	return p, nil
}

// Outcome says what a call to Publish did.
type Outcome struct {
	// Version is the current version after the call.
	Version Version
	// Published is false when the current list was kept.
	Published bool
	// Diff is what changed from the previous version.
	Diff Diff
	// Reason says why a version was published, in French.
	Reason string
}

// Publish publishes a new version when the registry's content differs from
// the current list, when the current list is due to be re-signed, or when
// force is set. It first repairs what an interrupted publication left.
func (p *Publisher) Publish(ctx context.Context, force bool) (Outcome, error) {
	out, err := p.publishOnce(ctx, force)
	// The mirror runs outside the publication lock: a slow remote must not
	// hold back the next list.
	if err == nil && out.Published {
		p.mirror(ctx)
	}
	return out, err
}

func (p *Publisher) publishOnce(ctx context.Context, force bool) (Outcome, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	release, err := p.lock(ctx)
	if err != nil {
		return Outcome{}, err
	}
	defer release()
	r, err := p.recover(ctx)
	if err != nil {
		return Outcome{}, fmt.Errorf("recover: %w", err)
	}
	if r.Any() {
		p.cfg.Log.Warn("publication interrompue réparée", "reparations", fmt.Sprintf("%+v", r))
	}
	return p.publishLocked(ctx, force)
}

func (p *Publisher) publishLocked(ctx context.Context, force bool) (Outcome, error) {
	out, l, err := p.plan(ctx, force)
	if err != nil || !out.Published {
		return out, err
	}
	out.Version, err = p.write(ctx, out.Version.Numero+1, l, p.cfg.Clock())
	if err != nil {
		return Outcome{}, err
	}
	return out, p.consign(ctx, out.Version, out.Diff, out.Reason)
}

// Plan says what Publish would do now, without doing it: Published tells
// whether a version would be published, Version is the current one.
func (p *Publisher) Plan(ctx context.Context, force bool) (Outcome, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out, _, err := p.plan(ctx, force)
	return out, err
}

// plan generates the list and compares it with the current version.
func (p *Publisher) plan(ctx context.Context, force bool) (Outcome, listeblanche.Liste, error) {
	last, hasLast, err := p.versions.last(ctx)
	if err != nil {
		return Outcome{}, listeblanche.Liste{}, err
	}
	var prev *listeblanche.Liste
	if hasLast {
		l, err := p.listOf(ctx, last)
		if err != nil {
			return Outcome{}, listeblanche.Liste{}, err
		}
		prev = &l
	}
	now := p.cfg.Clock()
	l, err := Generate(ctx, p.cfg.Registry, prev, NextGeneration(now, last.DateDeGeneration))
	if err != nil {
		return Outcome{}, listeblanche.Liste{}, fmt.Errorf("generate: %w", err)
	}

	out := Outcome{Version: last, Reason: reason(prev, l, force)}
	if prev != nil {
		out.Diff = Compare(*prev, l)
	}
	due := now.Sub(last.SigneLe) >= p.cfg.Resign
	if hasLast && !force && !due && SameContent(*prev, l) {
		return out, l, nil
	}
	if out.Reason == "" {
		out.Reason = "re-signature périodique"
	}
	out.Published = true
	return out, l, nil
}

func reason(prev *listeblanche.Liste, l listeblanche.Liste, force bool) string {
	switch {
	case prev == nil:
		return "première publication"
	case !SameContent(*prev, l):
		return "contenu modifié"
	case force:
		return "publication demandée"
	}
	return ""
}

// write signs l, writes it as version n, records it and makes it current.
func (p *Publisher) write(ctx context.Context, n int64, l listeblanche.Liste,
	now time.Time) (Version, error) {
	if p.cfg.Signing.Key == nil {
		return Version{}, errors.New("no signing key configured")
	}
	signedAt := now.UTC().Truncate(time.Second)
	signed, _, err := p.cfg.Signing.Sign(listeblanche.Encode(l), signedAt)
	if err != nil {
		return Version{}, err
	}
	v := Version{Numero: n, Fichier: versionFile(n, l.DateDeGeneration),
		SHA256: digest(signed), Taille: int64(len(signed)),
		DateDeGeneration: l.DateDeGeneration, SigneLe: signedAt, Entrees: len(l.Domaines),
		PublieLe: now.UTC()}

	// Order matters for crash safety: the file is durable before the row
	// that names it (and holds its bytes), and the row exists before the
	// link points to it.
	if err := p.arch.writeVersion(v.Fichier, signed); err != nil {
		return Version{}, err
	}
	if err := p.versions.insert(ctx, v, signed); err != nil {
		return Version{}, err
	}
	if err := p.arch.setCurrent(v.Fichier); err != nil {
		return Version{}, err
	}
	p.cacheN, p.cacheL = n, l
	return v, nil
}

// consign writes the publication of v into the registry's history and
// notes the event's sequence number on the version.
func (p *Publisher) consign(ctx context.Context, v Version, d Diff, why string) error {
	ch := append([]registre.Changement{
		{Champ: "sha256", Nouveau: v.SHA256},
		{Champ: "DateDeGeneration", Nouveau: v.DateDeGeneration.Format(time.RFC3339)},
		{Champ: "entrées", Nouveau: fmt.Sprint(v.Entrees)},
	}, d.Changements()...)
	e, err := p.cfg.Registry.Consigner(ctx, p.cfg.Acteur, registre.Evenement{
		Entite: registre.EntiteListe, EntiteID: v.Numero, Action: "publication",
		Changements: ch, Motif: why})
	if err != nil {
		return fmt.Errorf("history of version %d: %w", v.Numero, err)
	}
	if err := p.versions.setSeq(ctx, v.Numero, e.Seq); err != nil {
		return err
	}
	p.cfg.Audit.LogAttrs(ctx, slog.LevelInfo, "liste blanche publiée",
		slog.Int64("version", v.Numero), slog.String("sha256", v.SHA256),
		slog.Int("entrees", v.Entrees), slog.Int64("seq", e.Seq), slog.String("motif", why))
	return nil
}

// listOf returns the entries of a published version (which a publisher
// signed and checked before recording it).
func (p *Publisher) listOf(ctx context.Context, v Version) (listeblanche.Liste, error) {
	if p.cacheN == v.Numero && v.Numero != 0 {
		return p.cacheL, nil
	}
	data, err := fetch(ctx, p.arch, p.versions, v)
	if err != nil {
		return listeblanche.Liste{}, fmt.Errorf("version %d: %w", v.Numero, err)
	}
	l, _, err := listeblanche.ParseBytes(data)
	if err != nil {
		return listeblanche.Liste{}, fmt.Errorf("version %d: %w", v.Numero, err)
	}
	p.cacheN, p.cacheL = v.Numero, l
	return l, nil
}

func (p *Publisher) mirror(ctx context.Context) {
	if p.cfg.Mirror == nil {
		return
	}
	p.mirrorMu.Lock()
	defer p.mirrorMu.Unlock()
	vs, err := p.versions.list(ctx)
	if err == nil {
		err = p.cfg.Mirror.Sync(ctx, vs, func(v Version) ([]byte, error) {
			return fetch(ctx, p.arch, p.versions, v)
		})
	}
	p.mirrorDone(err)
}

// mirrorDone records the outcome of a mirror sync: a failure schedules the
// next attempt after a delay that doubles up to MaxMirrorRetry, a success
// ends the backoff.
func (p *Publisher) mirrorDone(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil {
		if p.mirrorPending && p.mirrorDelay > 0 {
			p.cfg.Log.Info("miroir git de la liste blanche rattrapé")
		}
		p.mirrorPending, p.mirrorDelay = false, 0
		return
	}
	p.mirrorDelay = min(max(2*p.mirrorDelay, p.cfg.MirrorRetry), MaxMirrorRetry)
	p.mirrorPending, p.mirrorNext = true, p.cfg.Clock().Add(p.mirrorDelay)
	p.cfg.Log.Warn("miroir git de la liste blanche en échec", "err", err,
		"nouvel_essai_dans", p.mirrorDelay.String())
}

// mirrorDue reports whether the mirror is behind and its next attempt is
// due.
func (p *Publisher) mirrorDue() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg.Mirror != nil && p.mirrorPending && !p.cfg.Clock().Before(p.mirrorNext)
}

// lock serialises publications: the write lease in the database, across
// machines, then the lock of the publication folder.
func (p *Publisher) lock(ctx context.Context) (release func(), err error) {
	lease, err := p.cfg.DB.AcquireLease(ctx, writeLease)
	if err != nil {
		return nil, fmt.Errorf("publication lease: %w", err)
	}
	unlock, err := p.arch.lock()
	if err != nil {
		lease.Release()
		return nil, err
	}
	return func() { unlock(); lease.Release() }, nil
}

// Versions lists every published version, oldest first.
func (p *Publisher) Versions(ctx context.Context) ([]Version, error) {
	return p.versions.list(ctx)
}

// Next returns the list Publish would sign now: the registry's active
// access points, dated after the current version.
func (p *Publisher) Next(ctx context.Context) (listeblanche.Liste, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, l, err := p.plan(ctx, true)
	return l, err
}

package publication

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"confiance/internal/listeblanche"
	"confiance/internal/registre"
)

// DefaultActeur is the name the publisher acts under: the server itself,
// with the administrator's view of the registry.
const DefaultActeur = "publication"

// system is the principal reading the registry for the list.
func system() registre.Principal { return registre.System(DefaultActeur) }

// Generate builds the list of the registry's active access points, dated
// at (truncated to the second, the precision of the format). prev, when not
// nil, is the last published list: an entry whose published fields did not
// change keeps its DateMAJ, so that only real changes move it.
func Generate(ctx context.Context, svc *registre.Service, prev *listeblanche.Liste,
	at time.Time) (listeblanche.Liste, error) {
	points, err := svc.PointsAcces(ctx, system(), registre.Filtre{Statut: registre.Active})
	if err != nil {
		return listeblanche.Liste{}, fmt.Errorf("access points: %w", err)
	}
	ops, err := svc.Operateurs(ctx, system())
	if err != nil {
		return listeblanche.Liste{}, fmt.Errorf("operators: %w", err)
	}
	return Build(points, ops, prev, at)
}

// Build is Generate on data already read: points are access points, ops
// the operators they belong to. Points that are not active are left out.
//
// Identifiant is the ID registre of the access point's installation, as in
// ANS's list of 2026 (db175.test.mesimagesmedicales.fr has Identifiant
// 175); the access points of one installation share it and are told apart
// by their FQDNs. Entries are sorted by ID registre, then by the index of
// the access point, so that the same registry always gives the same list.
func Build(points []registre.PointAcces, ops []registre.Operateur, prev *listeblanche.Liste,
	at time.Time) (listeblanche.Liste, error) {
	byID := make(map[int64]registre.Operateur, len(ops))
	for _, o := range ops {
		byID[o.ID] = o
	}
	previous := map[string]listeblanche.Domaine{}
	if prev != nil {
		for _, d := range prev.Domaines {
			previous[d.DB] = d
		}
	}

	listed := make([]registre.PointAcces, 0, len(points))
	for _, p := range points {
		if p.Statut.Listed() {
			listed = append(listed, p)
		}
	}
	sort.Slice(listed, func(i, j int) bool {
		a, b := listed[i], listed[j]
		if a.InstallationID != b.InstallationID {
			return a.InstallationID < b.InstallationID
		}
		return a.Index < b.Index
	})

	l := listeblanche.Liste{VersionFormat: listeblanche.CurrentVersionFormat,
		DateDeGeneration: at.UTC().Truncate(time.Second),
		Domaines:         make([]listeblanche.Domaine, 0, len(listed))}
	for _, p := range listed {
		op, ok := byID[p.OperateurID]
		if !ok {
			return listeblanche.Liste{}, fmt.Errorf("access point %s: operator %d: %w",
				p.FQDNDB, p.OperateurID, registre.ErrNotFound)
		}
		l.Domaines = append(l.Domaines, entry(p, op, previous))
	}
	return l, nil
}

// entry is the Domaine of one access point. Its DateMAJ is the access
// point's last change, or the operator's when the change came from it (a
// new dénomination), or the previous one when nothing published changed.
func entry(p registre.PointAcces, op registre.Operateur,
	previous map[string]listeblanche.Domaine) listeblanche.Domaine {
	d := listeblanche.Domaine{
		Identifiant:           strconv.FormatInt(p.InstallationID, 10),
		DB:                    p.FQDNDB,
		VI:                    p.FQDNVI,
		Denomination:          op.Denomination,
		DNCertificatOperateur: p.DNCertificat,
		SupportContact:        SupportContact(p.Support),
		DateMAJ:               p.ModifieLe.UTC().Truncate(time.Second),
	}
	old, ok := previous[d.DB]
	if !ok {
		return d
	}
	cmp := old
	cmp.DateMAJ, cmp.ResponsableContact, cmp.Description = d.DateMAJ, "", ""
	if cmp == d {
		d.DateMAJ = old.DateMAJ
		return d
	}
	if op.ModifieLe.After(p.ModifieLe) {
		d.DateMAJ = op.ModifieLe.UTC().Truncate(time.Second)
	}
	return d
}

// SupportContact renders the service contact the list publishes: its
// e-mail address, then its telephone number when there is one, as ANS's
// lists write it ("support@op.fr, 01 23 45 67 89").
func SupportContact(c registre.Contact) string {
	parts := make([]string, 0, 2)
	for _, s := range []string{c.Email, c.Telephone} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// SameContent reports whether two lists publish the same entries,
// whatever their DateDeGeneration.
func SameContent(a, b listeblanche.Liste) bool {
	a.DateDeGeneration, b.DateDeGeneration = time.Time{}, time.Time{}
	return listeblanche.Equal(a, b)
}

// NextGeneration returns the DateDeGeneration of the list that follows one
// generated at last: now truncated to the second, or last plus one second
// when the clock has not moved past last (the format has second precision
// and the date must strictly increase).
func NextGeneration(now, last time.Time) time.Time {
	now = now.UTC().Truncate(time.Second)
	if !last.IsZero() && !now.After(last) {
		return last.UTC().Truncate(time.Second).Add(time.Second)
	}
	return now
}

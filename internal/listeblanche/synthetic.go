package listeblanche

import (
	"fmt"
	"time"
)

// Synthetic returns a plausible list of n access points generated at at,
// for tests, benchmarks and the demonstration mode. Some entries carry
// accents, ampersands and apostrophes so that escaping is exercised.
func Synthetic(n int, at time.Time) Liste {
	at = at.UTC().Truncate(time.Second)
	l := Liste{VersionFormat: CurrentVersionFormat, DateDeGeneration: at,
		Domaines: make([]Domaine, n)}
	names := []string{"ANS", "Opérateur d'Imagerie & Fils", "RADIOLOGIE <TEST>", "Côte-d'Or Santé"}
	for i := range n {
		id := fmt.Sprint(i + 1)
		l.Domaines[i] = Domaine{
			Identifiant:  id,
			DB:           "db" + id + ".test.mesimagesmedicales.fr",
			VI:           "vi" + id + ".test.mesimagesmedicales.fr",
			Denomination: names[i%len(names)],
			DNCertificatOperateur: fmt.Sprintf("CN=db%s.test.mesimagesmedicales.fr,"+
				"OU=3000000018%05d,O=MINISTERE DE TEST%d,ST=Côte-d'Or (21),C=FR", id, i%100000, i),
			SupportContact: fmt.Sprintf("support-%d@operateur%d.fr", i, i%37),
			DateMAJ:        at.Add(-time.Duration(i) * time.Minute),
		}
	}
	return l
}

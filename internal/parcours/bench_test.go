package parcours

import (
	"testing"

	"confiance/internal/store/storetest"
)

// BenchmarkDeposer files declarations (with their CGI) on SQLite and
// PostgreSQL.
func BenchmarkDeposer(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchDeposer(b, newEnv(b, storetest.SQLite(b))) })
	b.Run("postgres", func(b *testing.B) { benchDeposer(b, newEnv(b, storetest.Postgres(b))) })
}

func benchDeposer(b *testing.B, e *env) {
	dep := Depot{Type: TypeDeclaration, Formulaire: Formulaire{Declaration: validDeclaration()}}
	b.ResetTimer()
	for b.Loop() {
		d := *dep.Formulaire.Declaration
		d.PACS = append(d.PACS[:0:0], d.PACS...)
		if _, err := e.svc.Deposer(e.ctx, e.op1, Depot{Type: dep.Type,
			Formulaire: Formulaire{Declaration: &d}}); err != nil {
			b.Fatal(err)
		}
	}
}

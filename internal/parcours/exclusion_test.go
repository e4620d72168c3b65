package parcours

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"testing"

	"confiance/internal/registre"
)

// txRecorder is a TxNotifier that fails when told to, as an outbox whose
// write is refused would.
type txRecorder struct {
	recorder
	fail  error
	inTx  []Avis
	woken int
}

func (r *txRecorder) NotifyTx(_ context.Context, tx *sql.Tx, a Avis) error {
	if tx == nil {
		return errors.New("no transaction")
	}
	if r.fail != nil {
		return r.fail
	}
	r.inTx = append(r.inTx, a)
	return nil
}

func (r *txRecorder) Wake() { r.woken++ }

// TestExclusionMailInItsTransaction checks that the exclusion and the
// operator's e-mail are committed together: an outbox that refuses the
// message undoes the exclusion, and an accepted one is woken after it.
func TestExclusionMailInItsTransaction(t *testing.T) {
	backends(t, func(t *testing.T, e *env) {
		d := e.instruireEtAccepter(t, e.declarer(t, e.op1), Acceptation{})
		db1 := e.pointsOf(t, d.InstallationID)[0]
		in := e.ok(e.svc.Deposer(e.ctx, e.op1, Depot{Type: TypeIntegration,
			Formulaire: Formulaire{Integration: integration(d.InstallationID, db1.FQDNDB)}}))
		e.instruireEtAccepter(t, in, Acceptation{})

		out := &txRecorder{fail: errors.New("outbox full")}
		svc := NewService(e.db, e.reg, WithClock(e.clk.Now), WithNotifier(out),
			WithLogger(slog.New(slog.DiscardHandler)))
		if _, err := svc.Exclure(e.ctx, e.ans, db1.ID, "faille"); err == nil {
			t.Fatal("exclusion committed although its e-mail could not be written")
		}
		if pa := e.pointsOf(t, d.InstallationID)[0]; pa.Statut != registre.Active {
			t.Fatalf("status after a refused e-mail: %s, want active", pa.Statut)
		}

		out.fail = nil
		pa, err := svc.Exclure(e.ctx, e.ans, db1.ID, "faille")
		if err != nil || pa.Statut != registre.Exclue {
			t.Fatalf("exclusion: %+v, %v", pa, err)
		}
		if len(out.inTx) != 1 || out.inTx[0].Etape != EtapeExclusion ||
			out.inTx[0].Motif != "faille" || out.inTx[0].Operateur.ID != e.opIDs[0] ||
			len(out.inTx[0].PointsAcces) != 1 ||
			out.inTx[0].PointsAcces[0].Statut != registre.Exclue {
			t.Fatalf("e-mails written with the exclusion: %+v", out.inTx)
		}
		if out.woken != 1 {
			t.Fatalf("outbox woken %d times after the exclusion, want 1", out.woken)
		}
	})
}

package certificat

import (
	"errors"
	"slices"

	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
)

// testBesoinsDe checks the needs of the dashboard: from the stored
// situations d'exercice, with their coverage by the inventory, and the
// deposit recorded in the registry's history under the depositor's name.
func testBesoinsDe(e *env) {
	t := e.t
	e.svc.cfg.Historique = e.reg
	par := Parametres{InstallationID: 350, Situations: []string{"Cabinet A", "Clinique B"}}
	if _, err := e.svc.EnregistrerParametres(e.ctx, e.op1, par); err != nil {
		t.Fatal(err)
	}
	r := e.add(dbFQDN, leafSpec{}, false)
	inst, err := e.reg.Installation(e.ctx, e.op1, 350)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.BesoinsDe(e.ctx, e.op1, []registre.Installation{inst})
	if err != nil {
		t.Fatal(err)
	}
	bi := got[350]
	if bi.Synthese[1] != "2 ORG AUTH_CLI et 2 ORG SIGN (situations d'exercice)" {
		t.Fatalf("needs ignore the stored situations: %q", bi.Synthese)
	}
	want := []string{"SERV_SSL : 1 sur 3 conformes (2 absent)",
		"SSL du marché (OV) : 0 sur 3 conformes (3 absent)"}
	if cov := SyntheseCouverture(bi.Besoins); !slices.Equal(cov, want) {
		t.Fatalf("coverage %q, want %q", cov, want)
	}
	if _, err := e.svc.BesoinsDe(e.ctx, e.op2, []registre.Installation{inst}); !errors.Is(err,
		registre.ErrNotFound) {
		t.Fatalf("operator 2 read operator 1's needs: %v", err)
	}

	evs, err := e.reg.Historique(e.ctx, registretest.Admin, registre.Filtre{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Entite == EntiteCertificat && ev.Action == "depot" && ev.Acteur == "op1" &&
			ev.OperateurID == e.op1.OperateurID && slices.Contains(ev.Changements,
			registre.Changement{Champ: "empreinte", Nouveau: r.Empreinte}) {
			return
		}
	}
	t.Fatalf("deposit not in the history: %+v", evs)
}

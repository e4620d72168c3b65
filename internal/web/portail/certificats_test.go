package portail

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"confiance/internal/certificat"
	"confiance/internal/pki"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
)

const certDB = "db1.350.mesimagesmedicales.fr"

// certEnv is the portal with installation 350 of operator 1 (two PACS, the
// DN of db1 declared, two situations d'exercice stored) and a certificate
// service trusting a test IGC-Santé.
func certEnv(t *testing.T) (*env, *pki.TestPKI) {
	e := newEnv(t)
	site, err := e.reg.CreerSite(e.ctx, ansAdmin, registre.SiteInput{
		OperateurID: e.ops[0].ID, Libelle: "Site de Paris", SIREN: registretest.SIREN(1)})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := e.reg.CreerInstallation(e.ctx, ansAdmin, registre.InstallationInput{ID: 350,
		OperateurID: e.ops[0].ID, SiteIDs: []int64{site.ID}, PACS: registretest.Pacs(2)})
	if err != nil {
		t.Fatal(err)
	}
	dn := "CN=" + certDB + ",OU=10B0174462,O=Opérateur 1,ST=Paris (75),C=FR"
	if _, err := e.reg.ModifierPointAcces(e.ctx, ansAdmin, inst.PointsAcces[0].ID,
		registre.PointAccesPatch{DNCertificat: &dn}); err != nil {
		t.Fatal(err)
	}
	p, err := pki.NewTestPKI(pki.TestPKIOptions{ECDSA: true})
	if err != nil {
		t.Fatal(err)
	}
	igc := x509.NewCertPool()
	igc.AddCert(p.Root)
	svc, err := certificat.NewService(certificat.Config{Registre: e.reg,
		Store: certificat.NewStore(e.db), Historique: e.reg, Log: slog.New(slog.DiscardHandler),
		Ancres: certificat.Ancres{IGCSante: igc}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.EnregistrerParametres(e.ctx, e.principal("op1"), certificat.Parametres{
		InstallationID: 350, Situations: []string{"Cabinet A", "Clinique B"}})
	if err != nil {
		t.Fatal(err)
	}
	e.h.cfg.Certificats = svc
	return e, p
}

// servSSLPEM issues a SERV_SSL for certDB under p and returns it with its
// issuer, in PEM.
func servSSLPEM(t *testing.T, p *pki.TestPKI) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject: pkix.Name{CommonName: certDB, OrganizationalUnit: []string{"10B0174462"},
			Organization: []string{"Opérateur 1"}, Province: []string{"Paris (75)"},
			Country: []string{"FR"}},
		DNSNames: []string{certDB}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(20 * 24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth,
			x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.Intermediate, key.Public(),
		p.IntermediateKey)
	if err != nil {
		t.Fatal(err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE",
		Bytes: p.Intermediate.Raw})...)
}

// TestPageCertificats checks the operator's certificates page: needs from
// the stored situations d'exercice with their coverage, a deposit checked
// and recorded (inventory, history), and the dashboard's coverage.
func TestPageCertificats(t *testing.T) {
	e, p := certEnv(t)
	r := e.get("op1", "/espace/certificats/")
	if r.status != http.StatusOK || !strings.Contains(r.body, "Cabinet A, Clinique B") ||
		!strings.Contains(r.body, "SERV_SSL : 0 sur 2 conformes (2 absent)") ||
		!strings.Contains(r.body, "Aucun certificat connu pour vos FQDN") {
		t.Fatalf("certificates page: %d\n%s", r.status, r.body)
	}

	r = e.postMultipart("tech1", "/espace/certificats/", url.Values{"fqdn": {certDB}},
		map[string]fichier{"fichier": {nom: "db1.txt", contenu: servSSLPEM(t, p)}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "enregistré : conforme") ||
		!strings.Contains(r.body, "expire dans") {
		t.Fatalf("deposit: %d\n%s", r.status, r.body)
	}
	entries, err := e.h.cfg.Certificats.Inventaire(e.ctx, ansAdmin, certDB)
	if err != nil || len(entries) != 1 || !entries[0].Conforme ||
		entries[0].Source != "depot:"+e.principal("tech1").Nom {
		t.Fatalf("inventory after the deposit: %+v %v", entries, err)
	}
	if !depositInHistory(t, e, entries[0].Empreinte) {
		t.Fatal("the deposit is not in the registry's history")
	}

	r = e.get("op1", "/espace/")
	if !strings.Contains(r.body, "2 ORG AUTH_CLI et 2 ORG SIGN (situations d&#39;exercice)") ||
		!strings.Contains(r.body, "SERV_SSL : 1 sur 2 conformes (1 expire bientôt, 1 absent)") {
		t.Fatalf("dashboard needs ignore the situations or the inventory:\n%s", r.body)
	}
}

func depositInHistory(t *testing.T, e *env, fingerprint string) bool {
	t.Helper()
	evs, err := e.reg.Historique(e.ctx, ansAdmin, registre.Filtre{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		for _, c := range ev.Changements {
			if ev.Entite == certificat.EntiteCertificat && c.Nouveau == fingerprint {
				return true
			}
		}
	}
	return false
}

// TestDepotCertificatRefus checks the refusals of the deposit form, each
// with its French message, storing nothing: another operator's FQDN, a
// file that is no certificate, a private key, nothing at all, and a
// reader's role.
func TestDepotCertificatRefus(t *testing.T) {
	e, p := certEnv(t)
	chain := servSSLPEM(t, p)
	key := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("secret")})
	for _, c := range []struct {
		name, login, fqdn string
		file              []byte
		status            int
		says              string
	}{
		{"other operator's FQDN", "op2", certDB, chain, http.StatusForbidden,
			"n&#39;est pas l&#39;un de vos points d&#39;accès"},
		{"not a certificate", "op1", certDB, []byte("bonjour"),
			http.StatusUnprocessableEntity, "certificat illisible"},
		{"private key", "op1", certDB, append(chain, key...),
			http.StatusUnprocessableEntity, "clé privée"},
		{"nothing", "op1", certDB, nil, http.StatusUnprocessableEntity,
			"joignez le certificat"},
		{"no FQDN", "op1", "", chain, http.StatusUnprocessableEntity,
			"choisissez le FQDN"},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]fichier{}
			if c.file != nil {
				files["fichier"] = fichier{nom: "chaine.pem", contenu: c.file}
			}
			r := e.postMultipart(c.login, "/espace/certificats/",
				url.Values{"fqdn": {c.fqdn}}, files)
			if r.status != c.status || !strings.Contains(r.body, c.says) ||
				!strings.Contains(r.body, "a pas été enregistré") {
				t.Fatalf("%d, want %d saying %q:\n%s", r.status, c.status, c.says, r.body)
			}
		})
	}
	if r := e.get("ans", "/espace/certificats/"); r.status != http.StatusForbidden {
		t.Fatalf("ANS in the operator space: %d", r.status)
	}
	entries, err := e.h.cfg.Certificats.Inventaire(e.ctx, ansAdmin, "")
	if err != nil || len(entries) != 0 {
		t.Fatalf("refused deposits stored: %+v %v", entries, err)
	}
	if depositInHistory(t, e, "") {
		t.Fatal("refused deposit in the history")
	}
}

// TestParametresCertificats checks the parameters form of an installation:
// stored and used by the needs, recorded in the history; bad fields and
// another operator refused, storing nothing.
func TestParametresCertificats(t *testing.T) {
	e, _ := certEnv(t)
	path := "/espace/certificats/installations/350"
	for _, c := range []struct {
		name, login string
		v           url.Values
		status      int
		says        string
	}{
		{"RIS not a number", "op1", url.Values{"ris": {"deux"}}, http.StatusUnprocessableEntity,
			"un nombre entier est attendu"},
		{"duplicate situation", "op1", url.Values{"situations": {"Cabinet A\ncabinet a"}},
			http.StatusUnprocessableEntity, "situation d&#39;exercice en double"},
		{"another operator", "op2", url.Values{"situations": {"Intrus"}},
			http.StatusNotFound, "pas accessible"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.post(c.login, path, c.v)
			if r.status != c.status || !strings.Contains(r.body, c.says) {
				t.Fatalf("%d, want %d saying %q:\n%s", r.status, c.status, c.says, r.body)
			}
		})
	}
	par, err := e.h.cfg.Certificats.Parametres(e.ctx, ansAdmin, 350)
	if err != nil || len(par.Situations) != 2 {
		t.Fatalf("refused forms changed the parameters: %+v %v", par, err)
	}

	r := e.post("tech1", path, url.Values{"ris": {"2"},
		"situations": {"Cabinet A\r\nClinique B\r\n\r\nCentre C"}})
	if r.status != http.StatusSeeOther || r.location != "/espace/certificats/#besoins-350" {
		t.Fatalf("parameters: %d %s\n%s", r.status, r.location, r.body)
	}
	r = e.get("op1", "/espace/certificats/")
	if !strings.Contains(r.body, "Cabinet A, Clinique B, Centre C") {
		t.Fatalf("needs ignore the new situations:\n%s", r.body)
	}
	evs, err := e.reg.Historique(e.ctx, ansAdmin, registre.Filtre{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Action == "parametres_certificats" && ev.EntiteID == 350 &&
			ev.Acteur == e.principal("tech1").Nom {
			return
		}
	}
	t.Fatalf("the change of parameters is not in the history: %+v", evs)
}

package main

import (
	"bytes"
	"crypto/x509"
	"flag"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confiance/internal/certificat"
	"confiance/internal/notify"
	"confiance/internal/pki"
	"confiance/internal/registre"
	"confiance/internal/registre/registretest"
)

// TestCertificatComponent checks that the server's watch sends the warning
// of a certificate that expires in ten days, once.
func TestCertificatComponent(t *testing.T) {
	a, _ := dnsApp(t) // installation 350, two PACS
	ctx, db, svc := a.ctx, a.db, a.svc
	p, _ := certPKI(t)
	data, err := readBounded(servSSLFile(t, p, time.Now().Add(10*24*time.Hour)), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	st := certificat.NewStore(db)
	cs, _ := certificat.NewService(certificat.Config{Registre: svc, Store: st,
		Log: slog.New(slog.DiscardHandler)})
	r, err := cs.Ajouter(ctx, registretest.Admin, certDB, "", data)
	if err != nil {
		t.Fatal(err)
	}

	outbox := notify.NewOutbox(db, time.Now)
	a.mails = &mailer{outbox: outbox, keep: true}
	c := certificatComponent()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.flags(fs)
	if err := fs.Parse([]string{"--certificats-intervalle", "1h"}); err != nil {
		t.Fatal(err)
	}
	if err := c.start(a); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		sent, err := st.Alertes(ctx, certDB, r.Empreinte)
		if err != nil {
			t.Fatal(err)
		}
		if len(sent) == 1 && sent[0] == "15" {
			checkCertificatMail(t, a, outbox)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no warning recorded by the component: %v", sent)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkCertificatMail checks that the warning was queued as an e-mail to
// the operator's contacts, kept in the outbox since there is no SMTP.
func checkCertificatMail(t *testing.T, a *app, outbox *notify.Outbox) {
	t.Helper()
	msgs, err := outbox.Messages(a.ctx, registretest.Admin, notify.Filtre{})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("%d messages in the outbox, want 1: %+v", len(msgs), msgs)
	}
	m := msgs[0]
	if m.Statut != notify.Conserve || m.Canal != notify.CanalEmail || m.OperateurID == 0 ||
		len(m.Destinataires) == 0 || m.Sujet == "" || m.Reference != certDB {
		t.Fatalf("unexpected warning mail: %+v", m)
	}
}

// TestCertificatObservateurVerdicts pushes chains, as the status page's TLS
// probe sees them, through the observer serve wires: the server's
// IGC-Santé anchors and CRL fetcher judge them. A conforming chain is
// accepted with its CRL fetched from a loopback server and cached in the
// data folder; a chain of a foreign PKI with the same DN is refused with
// its reason.
func TestCertificatObservateurVerdicts(t *testing.T) {
	a, data := dnsApp(t)
	var crls http.Handler = http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		crls.ServeHTTP(w, r)
	}))
	defer srv.Close()
	p, err := pki.NewTestPKI(pki.TestPKIOptions{ECDSA: true, CRLBaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	crls = p.CRLHandler()
	root := writeRootPEM(t, p)
	a.ancres = ancresFlags{igc: stringList{root}}
	declareCertDN(t, a)

	obs, err := certificatObservateur(a)
	if err != nil {
		t.Fatal(err)
	}
	good := observedChain(t, p, srv.URL+"/intermediate.crl")
	obs(a.ctx, certDB, good)
	r := inventoryEntry(t, a, good[0])
	if !r.Conforme || !hasControl(r, "revocation", true, "non révoqué") ||
		!hasControl(r, "chaine", true, "mène à") {
		t.Fatalf("conforming chain judged %+v", r.Controles)
	}
	if ents, _ := os.ReadDir(filepath.Join(data, "crl-cache")); len(ents) == 0 {
		t.Fatal("the CRL was not cached in the data folder")
	}

	foreign, _ := certPKI(t)
	bad := observedChain(t, foreign, "")
	obs(a.ctx, certDB, bad)
	r = inventoryEntry(t, a, bad[0])
	if r.Conforme || !hasControl(r, "chaine", false, "ne mène pas à l'IGC-Santé") {
		t.Fatalf("foreign chain judged %+v", r.Controles)
	}
}

func writeRootPEM(t *testing.T, p *pki.TestPKI) string {
	t.Helper()
	var b bytes.Buffer
	if err := pki.WritePEM(&b, p.Root); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "igc-racine.pem")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// declareCertDN records the DN of certDB's SERV_SSL, as servSSLFile issues it.
func declareCertDN(t *testing.T, a *app) {
	t.Helper()
	pas, err := a.svc.PointsAcces(a.ctx, registretest.Admin, registre.Filtre{})
	if err != nil {
		t.Fatal(err)
	}
	dn := "CN=" + certDB + ",OU=10B0174462,O=Opérateur 1,ST=Paris (75),C=FR"
	for _, pa := range pas {
		if pa.FQDNDB == certDB {
			_, err := a.svc.ModifierPointAcces(a.ctx, registretest.Admin, pa.ID,
				registre.PointAccesPatch{DNCertificat: &dn})
			if err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no access point %s", certDB)
}

// observedChain issues a SERV_SSL for certDB under p, valid for 200
// days (with a CRL distribution point when crl is set), and returns it
// with its issuer.
func observedChain(t *testing.T, p *pki.TestPKI, crl string) []*x509.Certificate {
	t.Helper()
	return servSSLChain(t, p, time.Now().Add(200*24*time.Hour), crl)
}

func inventoryEntry(t *testing.T, a *app, leaf *x509.Certificate) certificat.Entree {
	t.Helper()
	es, err := certificat.NewStore(a.db).Entrees(a.ctx, certificat.Filtre{Portee: certDB})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Empreinte == certificat.Empreinte(leaf) {
			if e.Source != "sonde" {
				t.Fatalf("source %q, want sonde", e.Source)
			}
			return e
		}
	}
	t.Fatalf("observed certificate not in the inventory (%d entries)", len(es))
	return certificat.Entree{}
}

func hasControl(e certificat.Entree, code string, ok bool, detail string) bool {
	for _, c := range e.Controles {
		if c.Code == code && c.OK == ok && strings.Contains(c.Detail, detail) {
			return true
		}
	}
	return false
}

// TestCertificatTrustDemo checks that in --demo, without --igc-sante, the
// demo PKI of the data folder stands for IGC-Santé (generated if need be),
// and that --igc-sante replaces it.
func TestCertificatTrustDemo(t *testing.T) {
	a, data := dnsApp(t)
	a.demo = true
	t.Setenv(envIGCSante, "")
	anc, crl, err := serveCertificatTrust(a, nil)
	if err != nil || anc.IGCSante == nil || crl == nil {
		t.Fatalf("demo trust: %+v %v %v", anc, crl, err)
	}
	inter, err := pki.LoadCertificates(filepath.Join(demoPKIDir(data), "intermediate.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inter[0].Verify(x509.VerifyOptions{Roots: anc.IGCSante}); err != nil {
		t.Fatalf("the demo PKI is not the anchor: %v", err)
	}

	_, root := certPKI(t)
	a.ancres = ancresFlags{igc: stringList{root}, revocation: "none"}
	anc, crl, err = serveCertificatTrust(a, nil)
	if err != nil || crl != nil {
		t.Fatalf("--igc-sante with --revocation none: %v %v", crl, err)
	}
	if _, err := inter[0].Verify(x509.VerifyOptions{Roots: anc.IGCSante}); err == nil {
		t.Fatal("the demo PKI is still trusted with --igc-sante")
	}
}

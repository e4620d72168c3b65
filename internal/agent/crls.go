package agent

import (
	"context"
	"crypto/x509"
	"fmt"
	"slices"

	"confiance/internal/pki"
	"confiance/internal/xmlsig"
)

// CRLs returns the revocation lists in use: Options.CRLs, the last
// successful reading of Options.CRLFiles and, with Options.CRLFetch, the
// CRLs downloaded from distribution points. Peer admission uses the same.
func (a *Agent) CRLs() []*x509.RevocationList {
	crls := *a.crls.Load()
	if a.keeper == nil {
		return crls
	}
	return append(slices.Clone(crls), a.keeper.crls()...)
}

// reloadCRLs reads CRLFiles again. If one cannot be read, the previous
// CRLs stay in use and an alert is raised.
func (a *Agent) reloadCRLs(ctx context.Context) []*x509.RevocationList {
	if len(a.o.CRLFiles) == 0 {
		return a.CRLs()
	}
	crls := slices.Clone(a.o.CRLs)
	for _, p := range a.o.CRLFiles {
		crl, err := pki.LoadCRL(p)
		if err != nil {
			a.alert(ctx, reject(ReasonState, "CRL illisible, les précédentes sont "+
				"gardées : "+err.Error(), err))
			return a.CRLs()
		}
		crls = append(crls, crl)
	}
	a.crls.Store(&crls)
	return a.CRLs()
}

// verify checks a document with the CRLs at hand and, with CRLFetch, those
// downloaded from the distribution points of its signer's chain.
func (a *Agent) verify(ctx context.Context, raw []byte) (*Snapshot, error) {
	var fetcher xmlsig.CRLFetcher
	if a.keeper != nil {
		fetcher = a.keeper
	}
	return verifyDocument(ctx, raw, &a.o, a.reloadCRLs(ctx), fetcher)
}

// PeerCRL is the admission.Checker's FetchCRL: with CRLFetch, a CRL of
// issuer current now, downloaded (or read from the cache) from the
// distribution points of cert; nil otherwise.
func (a *Agent) PeerCRL(cert, issuer *x509.Certificate) *x509.RevocationList {
	if a.keeper == nil {
		return nil
	}
	return a.keeper.forPeer(context.Background(), cert, issuer, a.o.Now())
}

// RefreshCRLs downloads again the CRLs due for renewal (past the middle of
// their validity, or within CRLWarn of their nextUpdate). A CRL that cannot
// be refreshed within CRLWarn of its nextUpdate raises an alert, once per
// nextUpdate; health shows it. The CRLs given as files, which only their
// owner can renew, raise the same alert. Run calls it with the age watch.
func (a *Agent) RefreshCRLs(ctx context.Context) {
	a.watchFileCRLs(ctx)
	if a.keeper == nil {
		return
	}
	for _, p := range a.keeper.refresh(ctx, a.o.CRLWarn) {
		a.metrics.crlRefreshErrors.Inc()
		when := "expire le " + fmtTime(p.nextUpdate)
		if !a.o.Now().Before(p.nextUpdate) {
			when = "a expiré le " + fmtTime(p.nextUpdate)
		}
		a.alert(ctx, reject(ReasonCRL, fmt.Sprintf("la CRL %s de « %s » %s et ne peut "+
			"être renouvelée : %s", p.url, p.issuer, when, p.err), nil))
	}
	a.metrics.observeCRLs(a.keeper.states())
}

// watchFileCRLs alerts, once per CRL, when a CRL given in Options.CRLs or
// Options.CRLFiles is within CRLWarn of its nextUpdate (or past it).
func (a *Agent) watchFileCRLs(ctx context.Context) {
	now := a.o.Now()
	for _, crl := range *a.crls.Load() {
		if crl.NextUpdate.IsZero() || now.Add(a.o.CRLWarn).Before(crl.NextUpdate) {
			continue
		}
		key := string(crl.RawIssuer) + crl.NextUpdate.String()
		a.mu.Lock()
		seen := a.fileCRLAlerted[key]
		if a.fileCRLAlerted == nil {
			a.fileCRLAlerted = map[string]bool{}
		}
		a.fileCRLAlerted[key] = true
		a.mu.Unlock()
		if seen {
			continue
		}
		when := "expire le "
		if !now.Before(crl.NextUpdate) {
			when = "a expiré le "
		}
		a.metrics.crlRefreshErrors.Inc()
		a.alert(ctx, reject(ReasonCRL, fmt.Sprintf("la CRL de « %s » donnée en fichier %s%s "+
			"et aucune plus récente n'a été lue : renouvelez le fichier", crl.Issuer,
			when, fmtTime(crl.NextUpdate)), nil))
	}
}

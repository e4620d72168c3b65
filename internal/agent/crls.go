package agent

import (
	"context"
	"crypto/x509"
	"slices"

	"confiance/internal/pki"
)

// CRLs returns the revocation lists in use: Options.CRLs and the last
// successful reading of Options.CRLFiles. Peer admission uses the same.
func (a *Agent) CRLs() []*x509.RevocationList { return *a.crls.Load() }

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
	return crls
}

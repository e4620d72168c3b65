package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	mdns "github.com/miekg/dns"

	"confiance/internal/dns"
	"confiance/internal/registre"
	"confiance/internal/zone"
)

// checkFlags are the flags of `confiance dns check`.
type checkFlags struct {
	resolver    string
	dcvFile     string
	dcvContent  string
	contentFile string
	dcvAddr     string
}

func (cf *checkFlags) register(fs *flag.FlagSet, df *dnsFlags) {
	fs.StringVar(&cf.resolver, "resolver", "",
		"serveur DNS à interroger host:port (défaut : le premier de /etc/resolv.conf)")
	fs.StringVar(&cf.dcvFile, "dcv-file", "",
		"nom du fichier de validation DCV attendu sous "+dns.DCVPrefix)
	fs.StringVar(&cf.dcvContent, "dcv-content", "", "contenu attendu du fichier de validation")
	fs.StringVar(&cf.contentFile, "dcv-content-file", "",
		"fichier local contenant le contenu attendu (au lieu de --dcv-content)")
	fs.StringVar(&cf.dcvAddr, "dcv-connect", "",
		"se connecter à host:port pour la requête HTTP au lieu de résoudre le FQDN")
	fs.StringVar(&df.exclues, "dns-exclues", "",
		"garder ou supprimer : ce que la zone fait des points d'accès exclus "+
			"(défaut : le réglage partagé en base)")
}

// expected returns the expected content of the validation file.
func (cf *checkFlags) expected() (string, error) {
	switch {
	case cf.dcvFile == "":
		return "", nil
	case cf.contentFile != "" && cf.dcvContent != "":
		return "", usageErrorf("--dcv-content et --dcv-content-file s'excluent")
	case cf.contentFile != "":
		b, err := os.ReadFile(cf.contentFile)
		if err != nil {
			return "", fmt.Errorf("contenu attendu : %w", err)
		}
		return string(b), nil
	case cf.dcvContent == "":
		return "", usageErrorf("--dcv-file demande --dcv-content ou --dcv-content-file")
	}
	return cf.dcvContent, nil
}

func (cf *checkFlags) resolverAddr() (string, error) {
	if cf.resolver != "" {
		return cf.resolver, nil
	}
	conf, err := mdns.ClientConfigFromFile("/etc/resolv.conf")
	if err != nil || len(conf.Servers) == 0 {
		return "", usageErrorf("aucun résolveur dans /etc/resolv.conf : précisez --resolver")
	}
	return net.JoinHostPort(conf.Servers[0], conf.Port), nil
}

// httpClient returns the client of the DCV request, steered to --dcv-connect.
func (cf *checkFlags) httpClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if cf.dcvAddr != "" {
		d := &net.Dialer{Timeout: 10 * time.Second}
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, cf.dcvAddr)
		}
	}
	// A certification authority follows no redirect to another host either.
	return &http.Client{Timeout: 10 * time.Second, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
}

func runDNSCheck(c *cli, df *dnsFlags, cf *checkFlags) int {
	want, err := cf.expected()
	if err != nil {
		return c.fail(err)
	}
	resolver, err := cf.resolverAddr()
	if err != nil {
		return c.fail(err)
	}
	pa, pol, err := findFQDN(c, df, c.pos[0])
	if err != nil {
		return c.fail(err)
	}
	fqdn := strings.ToLower(strings.TrimSuffix(c.pos[0], "."))
	target := pa.CibleDB
	if strings.EqualFold(pa.FQDNVI, fqdn) {
		target = pa.CibleVI
	}
	fmt.Fprintf(c.stdout, "FQDN %s : point d'accès %d, installation %d, statut %s, "+
		"hôte déclaré %s\n",
		fqdn, pa.ID, pa.InstallationID, pa.Statut.Libelle(), target)
	present := pol.HasRecords(pa.Statut)
	detail := fqdn + " pointe vers " + target + " (résolveur " + resolver + ")"
	if !present {
		detail = fqdn + " n'a pas d'enregistrement, comme attendu (résolveur " + resolver + ")"
	}
	ok := checkLine(c, "résolution", detail, resolveCheck(c.ctx, resolver, fqdn, target, present))
	if cf.dcvFile != "" {
		err := dns.CheckDCV(c.ctx, cf.httpClient(), fqdn, cf.dcvFile, want)
		ok = checkLine(c, "validation DCV", "http://"+fqdn+dns.DCVPrefix+cf.dcvFile+
			" est accessible et son contenu est celui attendu", err) && ok
	}
	if !ok {
		return 1
	}
	return 0
}

// resolveCheck checks the record (a CNAME, or an A or AAAA record for a
// target given as an IP address), or its absence when the access point
// must have none (withdrawn, or excluded and removed by policy).
func resolveCheck(ctx context.Context, resolver, fqdn, target string, present bool) error {
	if !present {
		if err := dns.CheckAbsent(ctx, resolver, fqdn); err != nil {
			return fmt.Errorf("%w (aucun enregistrement n'est attendu pour ce statut)", err)
		}
		return nil
	}
	return dns.CheckResolve(ctx, resolver, fqdn, target)
}

// checkLine prints one check line and tells whether it passed.
func checkLine(c *cli, what, detail string, err error) bool {
	if err != nil {
		fmt.Fprintf(c.stdout, "ÉCHEC  %s : %s\n", what, err)
		return false
	}
	fmt.Fprintf(c.stdout, "OK     %s : %s\n", what, detail)
	return true
}

// findFQDN returns the access point that owns fqdn in the registry, and
// the zone policy shared in the database.
func findFQDN(c *cli, df *dnsFlags, fqdn string) (registre.PointAcces, zone.Policy, error) {
	var pol zone.Policy
	p, err := c.principal()
	if err != nil {
		return registre.PointAcces{}, pol, err
	}
	db, svc, err := c.rf.open(c.ctx)
	if err != nil {
		return registre.PointAcces{}, pol, err
	}
	defer closeDB(db)
	if pol, err = df.sharedPolicy(c.ctx, zone.NewApplied(db)); err != nil {
		return registre.PointAcces{}, pol, err
	}
	pas, err := svc.PointsAcces(c.ctx, p, registre.Filtre{})
	if err != nil {
		return registre.PointAcces{}, pol, err
	}
	name := strings.TrimSuffix(strings.TrimSpace(fqdn), ".")
	for _, pa := range pas {
		if strings.EqualFold(pa.FQDNDB, name) || strings.EqualFold(pa.FQDNVI, name) {
			return pa, pol, nil
		}
	}
	return registre.PointAcces{}, pol, registre.NotFoundf("le FQDN %s n'est attribué à aucun "+
		"point d'accès du registre", name)
}

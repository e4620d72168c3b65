package dns

import (
	"fmt"

	mdns "github.com/miekg/dns"
)

// RcodeError is a DNS server's refusal: an update or a transfer answered
// with an rcode other than NOERROR. TSIGError holds the TSIG error code
// (BADSIG, BADKEY, BADTIME) when the server gave one.
type RcodeError struct {
	Op        string // what was refused, in French ("mise à jour")
	Server    string
	Rcode     int
	TSIGError int
	Unsigned  bool // the request carried no TSIG signature
}

// Error names the server, the operation and the rcode, in French.
func (e *RcodeError) Error() string {
	msg := fmt.Sprintf("%s refusée par le serveur DNS %s : %s", e.Op, e.Server,
		rcodeName(e.Rcode))
	if e.TSIGError != 0 {
		msg += fmt.Sprintf(" (erreur TSIG %s)", rcodeName(e.TSIGError))
	}
	if e.Unsigned && e.Rcode == mdns.RcodeNotAuth {
		return msg + " — la requête n'était pas signée : le serveur demande " +
			"une clé TSIG (nom et secret)"
	}
	return msg + " — " + rcodeHint(e.Rcode, e.TSIGError)
}

func rcodeName(code int) string {
	if s, ok := mdns.RcodeToString[code]; ok {
		return s
	}
	return fmt.Sprintf("RCODE%d", code)
}

// rcodeHint explains the usual cause of a refusal to an operator.
func rcodeHint(rcode, tsigErr int) string {
	switch {
	case tsigErr == mdns.RcodeBadSig:
		return "la signature TSIG ne correspond pas : vérifier le secret de la clé"
	case tsigErr == mdns.RcodeBadKey:
		return "clé TSIG inconnue du serveur : vérifier son nom et son algorithme"
	case tsigErr == mdns.RcodeBadTime:
		return "horloges décalées entre Confiance et le serveur DNS"
	case rcode == mdns.RcodeNotAuth:
		return "requête non authentifiée ou serveur non autoritaire pour la zone"
	case rcode == mdns.RcodeRefused:
		return "le serveur refuse cette opération (ACL, ou enregistrement qu'il n'accepte pas)"
	case rcode == mdns.RcodeNotZone:
		return "un nom est hors de la zone"
	default:
		return "consulter les journaux du serveur DNS"
	}
}

// tsigError returns the error code of the TSIG record of m, if any.
func tsigError(m *mdns.Msg) int {
	if m == nil {
		return 0
	}
	if t := m.IsTsig(); t != nil {
		return int(t.Error)
	}
	return 0
}

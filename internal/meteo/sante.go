package meteo

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Sante is the body of a MicroProfile Health response, as DRIMboxes
// expose it on /q/health: an overall status and one status per check.
type Sante struct {
	Status string       `json:"status"`
	Checks []SanteCheck `json:"checks"`
}

// SanteCheck is one procedure of a health response.
type SanteCheck struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

// maxSanteBody bounds what is read of a health response.
const maxSanteBody = 64 << 10

// ParseSante reads a health response body. It refuses a body that is not
// JSON, has no status, or a status other than UP or DOWN.
func ParseSante(b []byte) (Sante, error) {
	var s Sante
	if len(b) > maxSanteBody {
		return s, errors.New("réponse HealthCheck trop longue")
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return Sante{}, fmt.Errorf("réponse HealthCheck illisible : %w", err)
	}
	if err := checkStatus(s.Status); err != nil {
		return Sante{}, fmt.Errorf("réponse HealthCheck : statut global %w", err)
	}
	for i, c := range s.Checks {
		if err := checkStatus(c.Status); err != nil {
			return Sante{}, fmt.Errorf("réponse HealthCheck : vérification %d (%q) %w",
				i+1, c.Name, err)
		}
	}
	return s, nil
}

func checkStatus(s string) error {
	if s != "UP" && s != "DOWN" {
		return fmt.Errorf("%q inattendu (UP ou DOWN)", s)
	}
	return nil
}

// isPACS reports whether a health check reports on the PACS behind the
// DRIMbox: its name mentions the PACS, in any case.
func isPACS(name string) bool { return strings.Contains(strings.ToLower(name), "pacs") }

// Composants splits a parsed response between the DRIMbox and its PACS.
// The DRIMbox is up when every check that is not about the PACS is UP (or,
// with no checks at all, when the overall status is UP); the PACS is up
// when its checks are UP. pacsKnown is false when no check names the PACS.
func (s Sante) Composants() (drimbox, pacs, pacsKnown bool, down []string) {
	drimbox, pacs = true, true
	others := 0
	for _, c := range s.Checks {
		up := c.Status == "UP"
		if isPACS(c.Name) {
			pacsKnown = true
			pacs = pacs && up
		} else {
			others++
			drimbox = drimbox && up
		}
		if !up {
			down = append(down, c.Name)
		}
	}
	if others == 0 && !pacsKnown {
		drimbox = s.Status == "UP"
	}
	return drimbox, pacs, pacsKnown, down
}

package portail

import (
	"regexp"
	"strings"
	"testing"

	"confiance/internal/notify"
)

// TestLiensDesMails follows the link of every e-mail of situation 1 as its
// recipient would: the operator's lead to its demande in the operator
// space, the DRIM-M team's to the back office, each page showing the
// demande the mail is about.
func TestLiensDesMails(t *testing.T) {
	e := newEnv(t)
	e.integrated()
	lien := regexp.MustCompile(`Suivre la demande : http://127\.0\.0\.1(/\S+)`)
	ms := ok(e.outbox.Messages(e.ctx, ansAdmin, notify.Filtre{Canal: notify.CanalEmail}))
	n := 0
	for _, m := range ms {
		found := lien.FindStringSubmatch(m.Corps)
		if found == nil {
			continue
		}
		n++
		login := "op1"
		if m.OperateurID == 0 {
			login = "ans"
		}
		r := e.get(login, found[1])
		if r.status != 200 || !strings.Contains(r.body, m.Reference) {
			t.Errorf("%q: link %s as %s answers %d", m.Sujet, found[1], login, r.status)
		}
	}
	if n < 4 {
		t.Fatalf("%d links in %d mails", n, len(ms))
	}
}

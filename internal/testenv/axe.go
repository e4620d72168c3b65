package testenv

import (
	"path/filepath"
	"strings"
	"testing"
)

// Axe checks that node, Chromium, playwright-core and axe-core are there
// for an accessibility test (skipped, or failed under CI, when one is
// missing; what says which test is not done) and returns the path of
// axe.min.js, the file the browser scripts inject into the pages.
func Axe(t testing.TB, what string) string {
	t.Helper()
	Browser(t, what)
	return filepath.Join(NodeModules(t, "axe-core"), "axe-core", "axe.min.js")
}

// AxeViolation is one rule of axe-core a page breaks.
type AxeViolation struct {
	ID     string   // rule id, such as color-contrast
	Impact string   // minor, moderate, serious or critical
	Aide   string   // the rule's help text
	Cibles []string // CSS selectors of the offending elements
}

// AxePage is the axe-core result of one page.
type AxePage struct {
	Page       string
	URL        string
	Reussites  int // rules the page passes
	Violations []AxeViolation
}

// AxeBloquant reports whether an impact fails the accessibility tests.
func AxeBloquant(impact string) bool {
	return impact == "serious" || impact == "critical"
}

// CheckAxe fails the test for every serious or critical violation of the
// pages, with the rule, its impact and the offending elements, and logs
// the minor and moderate ones. It fails too when no page was audited or
// when axe-core passed no rule on a page (it did not run).
func CheckAxe(t testing.TB, pages []AxePage) {
	t.Helper()
	if len(pages) == 0 {
		t.Fatal("aucune page auditée par axe-core")
	}
	for _, p := range pages {
		t.Logf("%s : %d règles respectées, %d enfreintes", p.Page, p.Reussites, len(p.Violations))
		if p.Reussites == 0 {
			t.Errorf("%s (%s) : axe-core n'a vérifié aucune règle", p.Page, p.URL)
		}
		for _, v := range p.Violations {
			msg := p.Page + " (" + p.URL + ") : " + v.ID + " [" + v.Impact + "] " + v.Aide +
				"\n\t" + strings.Join(v.Cibles, "\n\t")
			if AxeBloquant(v.Impact) {
				t.Error(msg)
			} else {
				t.Log(msg)
			}
		}
	}
}

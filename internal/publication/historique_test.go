package publication

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// pageRow is one row of the history table as a reader sees it: the text
// of its cells and the targets of its links.
type pageRow struct {
	id    string
	cells []string
	links []string
}

// historyRows parses the history page and returns the rows of its table.
func historyRows(t *testing.T, body []byte) []pageRow {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var rows []pageRow
	var walk func(n *html.Node, row *pageRow)
	walk = func(n *html.Node, row *pageRow) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "tr":
				if id := attr(n, "id"); id != "" {
					rows = append(rows, pageRow{id: id})
					row = &rows[len(rows)-1]
				}
			case "td":
				if row != nil {
					row.cells = append(row.cells, strings.Join(strings.Fields(text(n)), " "))
				}
			case "a":
				if row != nil {
					row.links = append(row.links, attr(n, "href"))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, row)
		}
	}
	walk(doc, nil)
	return rows
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(text(c))
	}
	return b.String()
}

// TestServeHistoryPage reads the French history page: one row per
// published version, newest first, with its number, dates and entry
// count, a download link that serves that version and a link to the
// differences with the version before, which both work.
func TestServeHistoryPage(t *testing.T) {
	_, srv := newSite(t)
	_, body := get(t, srv.URL+"/liste-blanche/versions")
	var vs []Version
	if err := json.Unmarshal(body, &vs); err != nil || len(vs) != 3 {
		t.Fatalf("versions: %d, %v", len(vs), err)
	}

	resp, page := get(t, srv.URL+"/liste-blanche/historique")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{`<html lang="fr">`, "Historique de la Liste Blanche DRIM-M",
		"3 version(s) publiée(s)", `href="/liste-blanche/ancres.pem"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	rows := historyRows(t, page)
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3:\n%s", len(rows), page)
	}
	for i, row := range rows {
		v := vs[len(vs)-1-i]
		n := strconv.FormatInt(v.Numero, 10)
		want := []string{n, frenchTime(v.DateDeGeneration), frenchTime(v.SigneLe),
			strconv.Itoa(v.Entrees)}
		if row.id != "version-"+n || len(row.cells) != 8 ||
			strings.Join(row.cells[:4], "|") != strings.Join(want, "|") {
			t.Errorf("row %d: %s %q, want %q", i, row.id, row.cells, want)
			continue
		}
		checkHistoryLinks(t, srv, v, row)
	}
	if got := rows[2].cells[7]; got != "première publication" {
		t.Errorf("first version's diff cell %q", got)
	}
	if !strings.Contains(rows[0].cells[2], " à ") || !strings.HasSuffix(rows[0].cells[2], " UTC") {
		t.Errorf("signing time %q is not written in French", rows[0].cells[2])
	}
}

// checkHistoryLinks follows the links of one row of the history page.
func checkHistoryLinks(t *testing.T, srv *httptest.Server, v Version, row pageRow) {
	t.Helper()
	n := strconv.FormatInt(v.Numero, 10)
	want := []string{"/liste-blanche/versions/" + n + ".xml"}
	if v.Numero > 1 {
		want = append(want, "/liste-blanche/diff?de="+strconv.FormatInt(v.Numero-1, 10)+"&a="+n)
	}
	if strings.Join(row.links, " ") != strings.Join(want, " ") {
		t.Errorf("version %s links %q, want %q", n, row.links, want)
		return
	}
	resp, data := get(t, srv.URL+want[0])
	if resp.StatusCode != 200 || !strings.Contains(string(data), "<ds:Signature") {
		t.Errorf("download of version %s: status %d", n, resp.StatusCode)
	}
	if len(want) == 2 {
		resp, diff := get(t, srv.URL+want[1])
		if resp.StatusCode != 200 || !strings.Contains(string(diff), "de la version "+
			strconv.FormatInt(v.Numero-1, 10)) {
			t.Errorf("diff to version %s: status %d\n%s", n, resp.StatusCode, diff)
		}
	}
}

// TestServeHistoryPageEmpty says so before the first publication.
func TestServeHistoryPageEmpty(t *testing.T) {
	e := sqliteEnv(t)
	mux := http.NewServeMux()
	e.pub.Site().Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/liste-blanche/historique", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(),
		"Aucune version n'a encore été publiée.") || strings.Contains(rec.Body.String(), "<table") {
		t.Errorf("status %d:\n%s", rec.Code, rec.Body.String())
	}
}

func TestFrenchSize(t *testing.T) {
	for n, want := range map[int64]string{512: "512 octets", 2048: "2,0 ko",
		5 << 20: "5,0 Mo"} {
		if got := frenchSize(n); got != want {
			t.Errorf("frenchSize(%d) = %q, want %q", n, got, want)
		}
	}
}

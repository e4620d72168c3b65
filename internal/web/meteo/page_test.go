package meteo

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"confiance/internal/meteo"
	"confiance/internal/meteo/meteosim"
	"confiance/internal/store/storetest"
	"confiance/internal/web/ui"
)

func get(t *testing.T, url string, status int) (string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != status {
		t.Fatalf("GET %s: %d, want %d: %s", url, resp.StatusCode, status, b)
	}
	return string(b), resp.Header
}

// doc parses a page and returns its root.
func doc(t *testing.T, body string) *html.Node {
	t.Helper()
	n, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// find returns the nodes below n for which match is true.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if match(c) {
			out = append(out, c)
		}
	}
	return out
}

func byTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == tag }
}

func byClass(class string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		return n.Type == html.ElementNode && strings.Contains(" "+attr(n, "class")+" ", " "+class+" ")
	}
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func byID(root *html.Node, id string) *html.Node {
	ns := find(root, func(n *html.Node) bool { return attr(n, "id") == id })
	if len(ns) == 0 {
		return nil
	}
	return ns[0]
}

// daysCovered counts the days the bars draw (5 units a day, a bar of n
// days being 5n-1 wide).
func daysCovered(rects []*html.Node) int {
	n := 0
	for _, r := range rects {
		var w int
		fmt.Sscan(attr(r, "width"), &w)
		n += (w + 1) / 5
	}
	return n
}

func TestStatusPage(t *testing.T) {
	s := newSite(t, meteosim.Demo, demoCibles(), 3)
	s.announce(t)
	if err := s.svc.Rafraichir(context.Background()); err != nil {
		t.Fatal(err)
	}
	body, hdr := get(t, s.srv.URL+"/", 200)
	if !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
		t.Fatalf("content type %s", hdr.Get("Content-Type"))
	}
	root := doc(t, body)
	if h := find(root, byTag("html")); attr(h[0], "lang") != "fr" {
		t.Error(`the page is not lang="fr"`)
	}
	if got := text(find(root, byTag("title"))[0]); got != "Météo des services — Espace de Confiance DRIM-M" {
		t.Errorf("title %q", got)
	}
	if !strings.Contains(text(find(root, byTag("header"))[0]), "Espace de Confiance DRIM-M") {
		t.Error("header without the name of the trust space")
	}
	if links := find(root, byClass("fr-skiplinks")); len(links) != 1 {
		t.Error("no skip links")
	}
	banner := byID(root, "bandeau")
	if banner == nil || !strings.Contains(text(banner), "1 service indisponible") ||
		!strings.Contains(text(banner), "PACS de db1.350.mesimagesmedicales.fr") {
		t.Fatalf("banner %q", text(banner))
	}
	points := find(root, byClass("meteo-point"))
	if len(points) != 4 {
		t.Fatalf("%d DRIMboxes shown, want 4", len(points))
	}
	// The unavailable one comes first; each shows 3 components of 90 bars.
	if !strings.Contains(text(points[0]), "db1.350.mesimagesmedicales.fr") {
		t.Errorf("first DRIMbox %q", text(points[0]))
	}
	for _, p := range points {
		svgs := find(p, byTag("svg"))
		if len(svgs) != 3 {
			t.Fatalf("%d bar charts, want 3", len(svgs))
		}
		rects := find(svgs[0], byTag("rect"))
		if n := daysCovered(rects); n != 90 {
			t.Fatalf("the bars cover %d days, want 90", n)
		}
		today := text(rects[len(rects)-1])
		if !strings.Contains(today, ui.Date(s.clock.Now())+" : ") || !strings.Contains(today, "%") {
			t.Errorf("today's bar says %q", today)
		}
		// By hand: after three rounds only the PACS of db1.350 has been
		// down, from its first check; the flapping DRIMbox's single failure
		// is below the threshold. (text folds the no-break space.)
		want := []string{"100,0000 %", "100,0000 %", "100,0000 %"}
		if strings.Contains(text(p), "db1.350.") {
			want[1] = "0,0000 %"
		}
		var got []string
		for _, n := range find(p, byClass("meteo-dispo")) {
			got = append(got, text(n))
		}
		if !slices.Equal(got, want) {
			t.Errorf("90-day figures %q, want %q, in %q", got, want, text(p))
		}
	}
	all := text(root)
	for _, want := range []string{"expiration proche", "Lenteurs du PACS", "L'opérateur a été prévenu.",
		"Maintenance : Mise à jour du PACS", "Radiologie Sud"} {
		if !strings.Contains(all, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
}

func TestStatusPageSearch(t *testing.T) {
	s := newSite(t, meteosim.Demo, demoCibles(), 1)
	s.svc.Rafraichir(context.Background())
	for q, n := range map[string]int{"349": 1, "radiologie sud": 1, "IMAGERIE medicale": 3, "zzz": 0} {
		body, _ := get(t, s.srv.URL+"/?q="+strings.ReplaceAll(q, " ", "+"), 200)
		root := doc(t, body)
		if got := len(find(root, byClass("meteo-point"))); got != n {
			t.Errorf("search %q: %d DRIMboxes, want %d", q, got, n)
		}
		if input := byID(root, "q"); attr(input, "value") != q {
			t.Errorf("search box holds %q, want %q", attr(input, "value"), q)
		}
	}
}

func TestStatusPageAllUp(t *testing.T) {
	s := newSite(t, []meteosim.Options{{}}, demoCibles()[:2], 2)
	s.svc.Rafraichir(context.Background())
	body, _ := get(t, s.srv.URL+"/", 200)
	if b := byID(doc(t, body), "bandeau"); !strings.Contains(text(b), "Tous les services sont disponibles") {
		t.Fatalf("banner %q", text(b))
	}
}

// TestStatusPageUnobserved checks the banner when the prober lost its
// network after a first round: nothing is down, but the page does not say
// that everything is available either.
func TestStatusPageUnobserved(t *testing.T) {
	autoriteOnce.Do(func() { autorite, autoriteErr = meteosim.NewAutorite() })
	if autoriteErr != nil {
		t.Fatal(autoriteErr)
	}
	f, err := autorite.Flotte([]meteosim.Options{{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	cibles := demoCibles()[:1]
	f.Router(cibles)
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead.Close() // the witness: nothing listens there any more
	s := &site{clock: &fakeClock{t: time.Now().Truncate(time.Second)}}
	st := meteo.NewStore(storetest.SQLite(t))
	p := meteo.NewProber(meteo.Config{Timeout: 5 * time.Second, Temoin: dead.Addr().String(),
		Seuils: meteo.Seuils{Echecs: 2, Succes: 2}},
		meteo.WithReseau(f.Reseau()), meteo.WithClock(s.clock.Now), meteo.WithJournal(st))
	p.SetCibles(cibles)
	for i := range 3 {
		if i == 1 {
			f.Close() // the DRIMbox can no longer be reached, nor the witness
		}
		s.clock.Add(time.Minute)
		p.RunDue(context.Background())
	}
	s.serve(t, p, st)
	s.svc.Rafraichir(context.Background())
	body, _ := get(t, s.srv.URL+"/", 200)
	b := text(byID(doc(t, body), "bandeau"))
	for _, want := range []string{"Aucun service indisponible constaté",
		"5 composants n'ont pas pu être vérifiés"} {
		if !strings.Contains(b, want) {
			t.Errorf("banner %q lacks %q", b, want)
		}
	}
	if strings.Contains(b, "Tous les services sont disponibles") {
		t.Errorf("banner %q says all is available", b)
	}
	raw, _ := get(t, s.srv.URL+"/api/v1/meteo/etat", 200)
	var e struct {
		TousDisponibles bool `json:"tousDisponibles"`
		NonObserves     int  `json:"nonObserves"`
	}
	if err := json.Unmarshal([]byte(raw), &e); err != nil || e.TousDisponibles ||
		e.NonObserves != 5 {
		t.Errorf("API state %s (%v), want 5 components unobserved, not all available", raw, err)
	}
}

func TestDetailPage(t *testing.T) {
	s := newSite(t, meteosim.Demo, demoCibles(), 3)
	s.svc.Rafraichir(context.Background())
	body, _ := get(t, s.srv.URL+"/meteo/drimbox/"+fqdn("1.350"), 200)
	root := doc(t, body)
	if h1 := find(root, byTag("h1")); text(h1[0]) != fqdn("1.350") {
		t.Errorf("h1 %q", text(h1[0]))
	}
	if rows := find(root, byTag("tr")); len(rows) < 7 {
		t.Errorf("%d table rows, want the 6 components and the latest checks", len(rows))
	}
	get(t, s.srv.URL+"/meteo/drimbox/db9.999.mesimagesmedicales.fr", 404)
}

func TestAPI(t *testing.T) {
	s := newSite(t, meteosim.Demo, demoCibles(), 3)
	s.announce(t)
	s.svc.Rafraichir(context.Background())
	body, hdr := get(t, s.srv.URL+"/api/v1/meteo/etat", 200)
	var e etat
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatal(err)
	}
	if e.TousDisponibles || e.DRIMbox != 4 || len(e.Indisponibles) != 1 || e.IncidentsEnCours != 1 ||
		hdr.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("etat %+v", e)
	}
	body, _ = get(t, s.srv.URL+"/api/v1/meteo/drimbox?q=350&parPage=2&page=2", 200)
	var ps struct {
		Total   int `json:"total"`
		DRIMbox []struct {
			FQDNDB     string `json:"fqdnDb"`
			Composants []struct {
				Type  string `json:"type"`
				Jours []any  `json:"jours"`
			} `json:"composants"`
		} `json:"drimbox"`
	}
	if err := json.Unmarshal([]byte(body), &ps); err != nil {
		t.Fatal(err)
	}
	if ps.Total != 3 || len(ps.DRIMbox) != 1 || len(ps.DRIMbox[0].Composants) != 6 ||
		len(ps.DRIMbox[0].Composants[0].Jours) != 90 {
		t.Fatalf("page 2 of the search: %s", body)
	}
	get(t, s.srv.URL+"/api/v1/meteo/drimbox?parPage=1000", 400)
	get(t, s.srv.URL+"/api/v1/meteo/drimbox/"+fqdn("2.350"), 200)
	get(t, s.srv.URL+"/api/v1/meteo/drimbox/db9.999.mesimagesmedicales.fr", 404)
	get(t, s.srv.URL+"/api/v1/meteo/drimbox/"+fqdn("2.350")+"/pacs/agregats?granularite=heure", 200)
	body, _ = get(t, s.srv.URL+"/api/v1/meteo/incidents", 200)
	if !strings.Contains(body, "Lenteurs du PACS") {
		t.Errorf("incidents %s", body)
	}
}

func TestBadge(t *testing.T) {
	s := newSite(t, meteosim.Demo, demoCibles(), 3)
	s.svc.Rafraichir(context.Background())
	body, hdr := get(t, s.srv.URL+"/meteo/badges/"+fqdn("1.350")+"/pacs.svg", 200)
	if hdr.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("content type %s", hdr.Get("Content-Type"))
	}
	var svg struct {
		XMLName xml.Name
		Title   string `xml:"title"`
	}
	if err := xml.Unmarshal([]byte(body), &svg); err != nil || svg.XMLName.Local != "svg" {
		t.Fatalf("not SVG (%v): %s", err, body)
	}
	// By hand: the PACS has been down since its first check, 30 days at 0 %.
	if svg.Title != "PACS : indisponible · 0,0000\u00a0%" {
		t.Errorf("badge title %q", svg.Title)
	}
	body, _ = get(t, s.srv.URL+"/meteo/badges/"+fqdn("2.350")+"/drimbox.svg", 200)
	if err := xml.Unmarshal([]byte(body), &svg); err != nil ||
		svg.Title != "DRIMbox : disponible · 100,0000\u00a0%" {
		t.Errorf("badge of a healthy DRIMbox %q (%v)", svg.Title, err)
	}
	get(t, s.srv.URL+"/meteo/badges/"+fqdn("1.350")+"/nope.svg", 404)
	get(t, s.srv.URL+"/meteo/badges/"+fqdn("1.350")+"/pacs.png", 404)
}

func TestAtom(t *testing.T) {
	s := newSite(t, meteosim.Demo, demoCibles(), 1)
	s.announce(t)
	s.svc.Rafraichir(context.Background())
	body, hdr := get(t, s.srv.URL+"/meteo/flux.atom", 200)
	if !strings.HasPrefix(hdr.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("content type %s", hdr.Get("Content-Type"))
	}
	var f atomFeed
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	if f.XMLName.Space != "http://www.w3.org/2005/Atom" || len(f.Entries) != 2 ||
		!strings.HasPrefix(f.Entries[0].Link.Href, "http://") {
		t.Fatalf("feed %+v", f)
	}
}

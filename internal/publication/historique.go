package publication

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"
)

// historyRow is one published version as the history page shows it.
type historyRow struct {
	Version
	// Previous is the version published just before, 0 for the first one.
	Previous int64
}

// historyPage is the data of the history page.
type historyPage struct {
	Rows []historyRow
}

// history serves /liste-blanche/historique: a page in French listing every
// published version, newest first, with a link to download it and one to
// the differences with the version before.
func (s *Site) history(w http.ResponseWriter, r *http.Request) {
	vs, err := s.versions.list(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	var page historyPage
	var previous int64
	for _, v := range vs {
		page.Rows = append(page.Rows, historyRow{Version: v, Previous: previous})
		previous = v.Numero
	}
	slices.Reverse(page.Rows)

	// Rendered into a buffer first, so that a template error is a clean
	// 500 and never half a page.
	var b bytes.Buffer
	if err := historyTemplate.Execute(&b, page); err != nil {
		s.fail(w, fmt.Errorf("history page: %w", err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.Write(b.Bytes())
}

// frenchTime writes an instant as a French reader expects it, in UTC.
func frenchTime(t time.Time) string {
	return t.UTC().Format("02/01/2006 à 15:04:05") + " UTC"
}

// frenchSize writes a file size in octets, kilo-octets or mega-octets, with
// a decimal comma.
func frenchSize(n int64) string {
	comma := func(f float64) string { return strings.Replace(fmt.Sprintf("%.1f", f), ".", ",", 1) }
	switch {
	case n >= 1<<20:
		return comma(float64(n)/(1<<20)) + " Mo"
	case n >= 1<<10:
		return comma(float64(n)/(1<<10)) + " ko"
	}
	return fmt.Sprintf("%d octets", n)
}

var historyTemplate = template.Must(template.New("historique").Funcs(template.FuncMap{
	"date": frenchTime, "taille": frenchSize,
}).Parse(`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Historique de la Liste Blanche DRIM-M</title>
<style>
body { font-family: Marianne, Arial, sans-serif; margin: 2rem; color: #161616; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ddd; padding: .4rem .7rem; text-align: left; }
th { background: #f6f6f6; }
td.nombre { text-align: right; }
caption { text-align: left; padding: .4rem 0; }
code { font-size: .85em; }
</style>
</head>
<body>
<main>
<h1>Historique de la Liste Blanche DRIM-M</h1>
<p>Chaque version publiée est conservée, signée, telle qu'elle a été servie.
La version en vigueur est toujours à l'adresse
<a href="/liste-blanche.xml">/liste-blanche.xml</a> ; les ancres de confiance à
configurer pour la vérifier sont à l'adresse
<a href="/liste-blanche/ancres.pem">/liste-blanche/ancres.pem</a>.
Les mêmes informations existent <a href="/liste-blanche/versions">au format JSON</a>.</p>
{{if .Rows}}
<table>
<caption>{{len .Rows}} version(s) publiée(s), de la plus récente à la plus ancienne</caption>
<thead>
<tr><th scope="col">Version</th><th scope="col">DateDeGeneration</th>
<th scope="col">Signée le</th><th scope="col">Entrées</th><th scope="col">Taille</th>
<th scope="col">Empreinte SHA-256</th><th scope="col">Télécharger</th>
<th scope="col">Différences</th></tr>
</thead>
<tbody>
{{range .Rows}}<tr id="version-{{.Numero}}">
<td class="nombre">{{.Numero}}</td>
<td>{{date .DateDeGeneration}}</td>
<td>{{date .SigneLe}}</td>
<td class="nombre">{{.Entrees}}</td>
<td class="nombre">{{taille .Taille}}</td>
<td><code title="{{.SHA256}}">{{slice .SHA256 0 16}}…</code></td>
<td><a href="/liste-blanche/versions/{{.Numero}}.xml"
 download="liste-blanche-v{{.Numero}}.xml">version {{.Numero}} (XML signé)</a></td>
<td>{{if .Previous}}<a href="/liste-blanche/diff?de={{.Previous}}&amp;a={{.Numero}}">depuis
 la version {{.Previous}}</a>{{else}}première publication{{end}}</td>
</tr>
{{end}}</tbody>
</table>
{{else}}
<p>Aucune version n'a encore été publiée.</p>
{{end}}
</main>
</body>
</html>
`))

package api

import (
	"net/http"
	"slices"
	"strconv"

	"confiance/internal/registre"
	"confiance/internal/web/httpx"
)

// pathID reads the integer path parameter {id}.
func pathID(r *http.Request) (int64, error) {
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, httpx.BadRequest("identifiant invalide « "+s+" » : un entier positif est attendu",
			registre.FieldError{Field: "id", Message: "entier positif attendu"})
	}
	return id, nil
}

// filtre reads the listing filters of the query; checkQuery has already
// refused the parameters the route does not declare.
func filtre(r *http.Request) (registre.Filtre, error) {
	q := r.URL.Query()
	var f registre.Filtre
	var champs []registre.FieldError
	num := func(name string) int64 {
		s := q.Get(name)
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n > 1<<31 {
			champs = append(champs, registre.FieldError{Field: name,
				Message: "entier positif ou nul attendu"})
		}
		return n
	}
	f.OperateurID = num(pOperateur.name)
	f.InstallationID = num(pInstallation.name)
	f.Limit = int(num(pLimit.name))
	f.Offset = int(num(pOffset.name))
	if s := q.Get(pStatut.name); s != "" {
		if !slices.Contains(pStatut.enum, s) {
			champs = append(champs, registre.FieldError{Field: pStatut.name,
				Message: "statut inconnu (attendus : " + joinComma(pStatut.enum) + ")"})
		}
		f.Statut = registre.Statut(s)
	}
	if len(champs) > 0 {
		return f, httpx.BadRequest("paramètres de requête invalides", champs...)
	}
	return f, nil
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"confiance/internal/registre"
)

func operateurCommands() []subcommand {
	return []subcommand{
		{name: "operateur create", summary: "enregistre un opérateur",
			setup: setupOperateurInput, run: runOperateurCreate},
		{name: "operateur update", args: "ID", summary: "modifie un opérateur (champs donnés)",
			setup: setupOperateurInput, run: runOperateurUpdate},
		{name: "operateur list", summary: "liste les opérateurs",
			setup: func(c *cli) { c.withJSON() }, run: runOperateurList},
		{name: "operateur show", args: "ID", summary: "affiche un opérateur et ses sites",
			setup: func(c *cli) { c.withJSON() }, run: runOperateurShow},
	}
}

// operateurFlags are the flags of the fields of registre.OperateurInput.
var operateurFlags = []struct{ name, usage string }{
	{"denomination", "dénomination de l'opérateur"},
	{"description", "description"},
	{"siret", "SIRET (14 chiffres)"},
	{"adresse", "adresse postale"},
	{"contact-projet-nom", "nom du contact projet"},
	{"contact-projet-email", "e-mail du contact projet"},
	{"contact-projet-telephone", "téléphone du contact projet"},
	{"contact-technique-nom", "nom du contact technique"},
	{"contact-technique-email", "e-mail du contact technique"},
	{"contact-technique-telephone", "téléphone du contact technique"},
}

// operateurField returns the field of in that flag name sets.
func operateurField(in *registre.OperateurInput, name string) *string {
	return map[string]*string{
		"denomination": &in.Denomination, "description": &in.Description,
		"siret": &in.SIRET, "adresse": &in.Adresse,
		"contact-projet-nom":          &in.ContactProjet.Nom,
		"contact-projet-email":        &in.ContactProjet.Email,
		"contact-projet-telephone":    &in.ContactProjet.Telephone,
		"contact-technique-nom":       &in.ContactTechnique.Nom,
		"contact-technique-email":     &in.ContactTechnique.Email,
		"contact-technique-telephone": &in.ContactTechnique.Telephone,
	}[name]
}

func setupOperateurInput(c *cli) {
	c.withApply()
	for _, f := range operateurFlags {
		c.fs.String(f.name, "", f.usage)
	}
	c.fs.String("json", "", "fichier JSON des champs (forme de registre.OperateurInput), "+
		"à la place des options de champ")
}

// operateurInput builds the input from --json FILE or from the field flags
// given, over base (the current values for an update).
func (c *cli) operateurInput(base registre.OperateurInput) (registre.OperateurInput, error) {
	set := c.setFlags()
	if set["json"] {
		for _, f := range operateurFlags {
			if set[f.name] {
				return base, usageErrorf("--json et --%s ne se combinent pas", f.name)
			}
		}
		return readOperateurJSON(c.fs.Lookup("json").Value.String())
	}
	for _, f := range operateurFlags {
		if set[f.name] {
			*operateurField(&base, f.name) = c.fs.Lookup(f.name).Value.String()
		}
	}
	return base, nil
}

// maxInputFile bounds the JSON files the CLI reads.
const maxInputFile = 1 << 20

func readOperateurJSON(path string) (registre.OperateurInput, error) {
	f, err := os.Open(path)
	if err != nil {
		return registre.OperateurInput{}, fmt.Errorf("lecture de %s : %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxInputFile+1))
	if err != nil {
		return registre.OperateurInput{}, fmt.Errorf("lecture de %s : %w", path, err)
	}
	in, err := decodeOperateurJSON(data)
	if err != nil {
		return in, fmt.Errorf("%s : %w", path, err)
	}
	return in, nil
}

// decodeOperateurJSON reads one JSON object of the shape of
// registre.OperateurInput; unknown fields are refused, so that a misspelt
// field is not silently dropped. Its errors match registre.ErrInvalid.
func decodeOperateurJSON(data []byte) (registre.OperateurInput, error) {
	var in registre.OperateurInput
	if len(data) > maxInputFile {
		return in, invalidInput("fichier JSON trop grand (1 Mio au plus)")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return registre.OperateurInput{}, invalidInput("JSON invalide : " + jsonReason(err))
	}
	if dec.More() {
		return registre.OperateurInput{}, invalidInput("JSON invalide : un seul objet est attendu")
	}
	return in, nil
}

func invalidInput(msg string) error {
	return &registre.ValidationError{Fields: []registre.FieldError{{Field: "json", Message: msg}}}
}

// jsonReason says in French what is wrong in a JSON document.
func jsonReason(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("erreur de syntaxe à l'octet %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("le champ « %s » doit être de type %s", te.Field, te.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "document vide ou incomplet"
	}
	return "champ inconnu ou valeur illisible (" + err.Error() + ")"
}

func runOperateurCreate(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		in, err := c.operateurInput(registre.OperateurInput{})
		if err != nil {
			return err
		}
		o, err := c.target(svc).CreerOperateur(c.ctx, p, in)
		if err != nil {
			return err
		}
		c.say("l'opérateur serait créé :", "Opérateur créé :")
		printOperateur(c.stdout, o)
		c.footer()
		return nil
	})
}

func runOperateurUpdate(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		id, err := c.id(0, "identifiant d'opérateur")
		if err != nil {
			return err
		}
		old, err := svc.Operateur(c.ctx, p, id)
		if err != nil {
			return err
		}
		in, err := c.operateurInput(registre.OperateurInput{Denomination: old.Denomination,
			Description: old.Description, SIRET: old.SIRET, Adresse: old.Adresse,
			ContactProjet: old.ContactProjet, ContactTechnique: old.ContactTechnique})
		if err != nil {
			return err
		}
		o, err := c.target(svc).ModifierOperateur(c.ctx, p, id, in)
		if err != nil {
			return err
		}
		same := o
		same.ModifieLe = old.ModifieLe
		if same == old {
			fmt.Fprintln(c.stdout, "Aucun changement : l'opérateur a déjà ces valeurs.")
			return nil
		}
		c.say("l'opérateur serait modifié ainsi :", "Opérateur modifié :")
		printOperateur(c.stdout, o)
		c.footer()
		return nil
	})
}

func runOperateurList(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		list, err := svc.Operateurs(c.ctx, p)
		if err != nil || c.json {
			return jsonOr(c, list, err)
		}
		t := newTable(c.stdout, "ID", "DÉNOMINATION", "SIRET", "CONTACT PROJET",
			"CONTACT TECHNIQUE")
		for _, o := range list {
			t.row(fmt.Sprint(o.ID), o.Denomination, o.SIRET, o.ContactProjet.Email,
				o.ContactTechnique.Email)
		}
		t.flush()
		return nil
	})
}

func runOperateurShow(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		id, err := c.id(0, "identifiant d'opérateur")
		if err != nil {
			return err
		}
		o, err := svc.Operateur(c.ctx, p, id)
		if err != nil {
			return err
		}
		sites, err := svc.Sites(c.ctx, p, registre.Filtre{OperateurID: id})
		if err != nil {
			return err
		}
		if c.json {
			return writeJSON(c.stdout, struct {
				registre.Operateur
				Sites []registre.Site `json:"sites"`
			}{o, sites})
		}
		printOperateur(c.stdout, o)
		fmt.Fprintln(c.stdout, "\nSites clients :")
		printSites(c.stdout, sites)
		return nil
	})
}

func printOperateur(w io.Writer, o registre.Operateur) {
	fields(w, "Identifiant", fmt.Sprint(o.ID), "Dénomination", o.Denomination,
		"Description", orDash(o.Description), "SIRET", o.SIRET, "Adresse", o.Adresse,
		"Contact projet", contact(o.ContactProjet),
		"Contact technique", contact(o.ContactTechnique),
		"Créé le", date(o.CreeLe), "Modifié le", date(o.ModifieLe))
}

// contact renders "Nom <email>, téléphone".
func contact(ct registre.Contact) string {
	s := ct.Email
	if ct.Nom != "" {
		s = ct.Nom + " <" + ct.Email + ">"
	}
	if ct.Telephone != "" {
		s += ", " + ct.Telephone
	}
	return orDash(s)
}

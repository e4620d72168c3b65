package main

import (
	"fmt"
	"io"

	"confiance/internal/registre"
)

// cmdToken runs `confiance token create|list|revoke`: the bearer tokens of
// the API, of which only a hash is stored.
func cmdToken(args []string, stdout, stderr io.Writer) int {
	return dispatch("token", tokenCommands(), args, stdout, stderr)
}

func tokenCommands() []subcommand {
	return []subcommand{
		{name: "create", summary: "crée un jeton et affiche son secret, une seule fois",
			setup: setupTokenCreate, run: runTokenCreate},
		{name: "list", summary: "liste les jetons (sans leur secret)",
			setup: func(c *cli) { c.withJSON() }, run: runTokenList},
		{name: "revoke", args: "ID", summary: "révoque un jeton pour de bon",
			setup: func(c *cli) { c.withApply() }, run: runTokenRevoke},
	}
}

func setupTokenCreate(c *cli) {
	c.withJSON()
	c.fs.String("role", "", "ans-admin ou operateur (obligatoire)")
	c.fs.Int64("operateur", 0, "opérateur du jeton (obligatoire pour le rôle operateur)")
	c.fs.String("nom", "", "nom du jeton, pour le reconnaître (défaut : rôle et opérateur)")
}

// runTokenCreate creates the token at once: a secret exists only when it is
// created, so there is nothing to preview; revoke undoes it.
func runTokenCreate(c *cli) int {
	role := registre.Role(c.stringFlag("role"))
	if role != registre.RoleAdmin && role != registre.RoleOperateur {
		return c.fail(usageErrorf("--role ans-admin ou --role operateur est obligatoire"))
	}
	op := c.int64Flag("operateur")
	nom := c.stringFlag("nom")
	if nom == "" {
		nom = string(role)
		if op != 0 {
			nom = fmt.Sprintf("%s-%d", role, op)
		}
	}
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		tok, secret, err := svc.CreerToken(c.ctx, p, nom, role, op)
		if err != nil {
			return err
		}
		if c.json {
			return writeJSON(c.stdout, struct {
				registre.Token
				Secret string `json:"secret"`
			}{tok, secret})
		}
		fmt.Fprintf(c.stdout, "Jeton %d créé : « %s », rôle %s%s.\n", tok.ID, tok.Nom, tok.Role,
			operateurSuffix(tok.OperateurID))
		fmt.Fprintln(c.stdout, "Secret, à conserver maintenant : il ne sera plus jamais affiché "+
			"(seule son empreinte est enregistrée) :")
		fmt.Fprintln(c.stdout, secret)
		return nil
	})
}

func operateurSuffix(id int64) string {
	if id == 0 {
		return ""
	}
	return fmt.Sprintf(", opérateur %d", id)
}

func runTokenList(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		list, err := svc.Tokens(c.ctx, p)
		if err != nil || c.json {
			return jsonOr(c, list, err)
		}
		t := newTable(c.stdout, "ID", "NOM", "RÔLE", "OPÉRATEUR", "CRÉÉ LE", "RÉVOQUÉ LE")
		for _, tk := range list {
			revoked := "-"
			if tk.RevoqueLe != nil {
				revoked = date(*tk.RevoqueLe)
			}
			t.row(fmt.Sprint(tk.ID), tk.Nom, string(tk.Role), orDash(operateurID(tk.OperateurID)),
				date(tk.CreeLe), revoked)
		}
		t.flush()
		return nil
	})
}

func operateurID(id int64) string {
	if id == 0 {
		return ""
	}
	return fmt.Sprint(id)
}

func runTokenRevoke(c *cli) int {
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		id, err := c.id(0, "identifiant de jeton")
		if err != nil {
			return err
		}
		tok, err := findToken(c, svc, p, id)
		if err != nil {
			return err
		}
		if err := c.target(svc).RevoquerToken(c.ctx, p, id); err != nil {
			return err
		}
		what := fmt.Sprintf("jeton %d (« %s », rôle %s%s)", tok.ID, tok.Nom, tok.Role,
			operateurSuffix(tok.OperateurID))
		c.say("le "+what+" serait révoqué : il ne permettrait plus d'accéder à l'API.",
			"Révoqué : "+what+". Il ne permet plus d'accéder à l'API.")
		c.footer()
		return nil
	})
}

func findToken(c *cli, svc *registre.Service, p registre.Principal,
	id int64) (registre.Token, error) {
	list, err := svc.Tokens(c.ctx, p)
	if err != nil {
		return registre.Token{}, err
	}
	for _, tk := range list {
		if tk.ID == id {
			return tk, nil
		}
	}
	return registre.Token{}, registre.NotFoundf("jeton %d introuvable", id)
}

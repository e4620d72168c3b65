package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"confiance/internal/comptes"
	"confiance/internal/registre"
)

// cmdCompte runs `confiance compte create|list|disable`: the accounts of
// the portal, among them the first ANS administrator.
func cmdCompte(args []string, stdout, stderr io.Writer) int {
	return dispatch("compte", compteCommands(), args, stdout, stderr)
}

func compteCommands() []subcommand {
	return []subcommand{
		{name: "create", summary: "crée un compte du portail (pas d'inscription en ligne)",
			setup: setupCompteCreate, run: runCompteCreate},
		{name: "list", summary: "liste les comptes du portail",
			setup: func(c *cli) { c.withJSON() }, run: runCompteList},
		{name: "disable", args: "ID", summary: "désactive un compte pour de bon et ferme ses sessions",
			setup: func(c *cli) { c.withApply() }, run: runCompteDisable},
	}
}

func setupCompteCreate(c *cli) {
	c.withJSON()
	c.fs.String("email", "", "adresse électronique, identifiant de connexion (obligatoire)")
	c.fs.String("nom", "", "nom de la personne (obligatoire)")
	c.fs.String("role", "", "ans-admin, ans-lecteur, representant-legal, mandataire ou "+
		"admin-technique (obligatoire)")
	c.fs.Int64("operateur", 0, "opérateur du compte (obligatoire pour les rôles d'opérateur)")
	c.fs.String("mot-de-passe-fichier", "", "fichier dont la première ligne est le mot de "+
		"passe, « - » pour l'entrée standard ; sans cette option, le compte se connecte "+
		"seulement par le fournisseur d'identité")
}

// serviceComptes returns the account service on the registry's database,
// checking operators against the registry.
func serviceComptes(c *cli, body func(*comptes.Service, registre.Principal) error) int {
	db, svc, p, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer closeDB(db)
	cs, err := comptes.NewService(comptes.NewStore(db), comptes.Options{Historique: svc,
		OperateurExiste: func(ctx context.Context, id int64) error {
			_, err := svc.Operateur(ctx, p, id)
			return err
		}})
	if err == nil {
		err = body(cs, p)
	}
	if err != nil {
		return c.fail(err)
	}
	return 0
}

func runCompteCreate(c *cli) int {
	in := comptes.NouveauCompte{Email: c.stringFlag("email"), Nom: c.stringFlag("nom"),
		Role: comptes.Role(c.stringFlag("role")), OperateurID: c.int64Flag("operateur")}
	if path := c.stringFlag("mot-de-passe-fichier"); path != "" {
		pw, err := readSecretLine(path)
		if err != nil {
			return c.fail(err)
		}
		in.MotDePasse = pw
	}
	return serviceComptes(c, func(cs *comptes.Service, p registre.Principal) error {
		cpt, err := cs.Creer(c.ctx, p, in)
		if err != nil || c.json {
			return jsonOr(c, cpt, err)
		}
		fmt.Fprintf(c.stdout, "Compte %d créé : %s (%s), rôle %s%s.\n", cpt.ID, cpt.Email,
			cpt.Nom, cpt.Role.Libelle(), operateurSuffix(cpt.OperateurID))
		if cpt.HashMotDePasse == "" {
			fmt.Fprintln(c.stdout, "Sans mot de passe : connexion par le fournisseur "+
				"d'identité seulement.")
		}
		return nil
	})
}

// readSecretLine reads the first line of a file, or of stdin for "-".
func readSecretLine(path string) (string, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return "", fmt.Errorf("fichier du mot de passe illisible : %w", err)
		}
		defer f.Close()
		r = f
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("mot de passe illisible : %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usageErrorf("le mot de passe lu est vide")
	}
	return line, nil
}

func runCompteList(c *cli) int {
	return serviceComptes(c, func(cs *comptes.Service, p registre.Principal) error {
		list, err := cs.Lister(c.ctx, p)
		if err != nil || c.json {
			return jsonOr(c, list, err)
		}
		t := newTable(c.stdout, "ID", "ADRESSE", "NOM", "RÔLE", "OPÉRATEUR", "CONNEXION",
			"CRÉÉ LE", "DÉSACTIVÉ LE")
		for _, cpt := range list {
			t.row(fmt.Sprint(cpt.ID), cpt.Email, cpt.Nom, string(cpt.Role),
				orDash(operateurID(cpt.OperateurID)), methodes(cpt), date(cpt.CreeLe),
				disabledOn(cpt))
		}
		t.flush()
		return nil
	})
}

func methodes(c comptes.Compte) string {
	var m []string
	if c.HashMotDePasse != "" {
		m = append(m, "mot de passe")
	}
	if c.OIDCSujet != "" {
		m = append(m, "OIDC")
	}
	return orDash(strings.Join(m, ", "))
}

func disabledOn(c comptes.Compte) string {
	if c.DesactiveLe == nil {
		return "-"
	}
	return date(*c.DesactiveLe)
}

func runCompteDisable(c *cli) int {
	return serviceComptes(c, func(cs *comptes.Service, p registre.Principal) error {
		id, err := c.id(0, "identifiant de compte")
		if err != nil {
			return err
		}
		cpt, err := cs.Store().ParID(c.ctx, id)
		if err != nil {
			return err
		}
		if !cpt.Actif() {
			return registre.NotFoundf("le compte %d est déjà désactivé", id)
		}
		what := fmt.Sprintf("compte %d (%s, rôle %s)", cpt.ID, cpt.Email, cpt.Role.Libelle())
		if c.apply {
			if err := cs.Desactiver(c.ctx, p, id); err != nil {
				return err
			}
		}
		c.say("le "+what+" serait désactivé et ses sessions fermées.",
			"Désactivé : "+what+". Ses sessions sont fermées.")
		c.footer()
		return nil
	})
}

package main

import (
	"context"
	"flag"
	"path/filepath"
	"time"

	"confiance/internal/publication"
)

// serveListeFlags are the flags of the list component of `confiance serve`.
type serveListeFlags struct {
	key, cert  string
	chain      stringList
	resign     time.Duration
	poll       time.Duration
	gitRemote  string
	gitBranch  string
	revocation publishRevocationFlags
}

func (s *serveListeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.key, "liste-key", "", "signature de la liste : "+keyUsage)
	fs.StringVar(&s.cert, "liste-cert", "",
		"certificat du signataire de la liste (fichier PEM ; facultatif en PKCS#12)")
	fs.Var(&s.chain, "liste-chain", "certificats de la chaîne du signataire, jusqu'à la racine "+
		"(fichiers PEM, répétable)")
	fs.DurationVar(&s.resign, "liste-resign", publication.DefaultResign,
		"re-signe la liste inchangée à cet intervalle")
	fs.DurationVar(&s.poll, "liste-poll", publication.DefaultPoll,
		"lecture du registre à cet intervalle, pour suivre les autres processus")
	fs.StringVar(&s.gitRemote, "liste-git-remote", "",
		"dépôt git où pousser chaque version (URL ou chemin ; vide : pas de miroir)")
	fs.StringVar(&s.gitBranch, "liste-git-branch", "main", "branche du miroir git")
	s.revocation.register(fs, "liste-")
}

// listeComponent publishes the Liste Blanche (signed with --liste-key, or
// with the demo PKI in --demo) and serves it with its history. Without a
// key it only serves what was published in the data folder.
func listeComponent() component {
	var s serveListeFlags
	return component{name: "liste", flags: s.register, start: s.start}
}

func (s *serveListeFlags) start(a *app) error {
	sig, ok, err := publicationSigning(a.flags.data, a.demo, s.key, s.cert, s.chain)
	if err != nil {
		return err
	}
	if err := s.revocation.apply(&sig, s.key == "", a.flags.data); err != nil {
		return err
	}
	cfg := publication.Config{Dir: listeDir(a.flags.data), DB: a.db, Registry: a.svc,
		Signing: sig, Resign: s.resign, Poll: s.poll, Log: a.log, Audit: a.audit}
	if s.gitRemote != "" {
		cfg.Mirror = &publication.GitMirror{Dir: filepath.Join(a.flags.data, "liste-blanche-git"),
			Remote: s.gitRemote, Branch: s.gitBranch, Log: a.log}
	}
	pub, err := publication.New(cfg)
	if err != nil {
		return err
	}
	pub.Site().Register(a.mux)
	a.tell("Liste Blanche signée  : {base}/liste-blanche.xml (historique : " +
		"{base}/liste-blanche/historique, ancres : {base}/liste-blanche/ancres.pem)")
	if !ok {
		a.log.Warn("liste blanche : aucune clé de signature (--liste-key, --liste-cert ou --demo), " +
			"publication désactivée ; les versions déjà publiées restent servies")
		return nil
	}
	// The first publication is made before the server listens, so that a
	// list is served from the first request, by the instance that takes
	// the publication lease; the others serve what it publishes.
	if lead, err := pub.Lead(a.ctx); err != nil || !lead {
		a.log.Info("liste blanche : une autre instance publie, celle-ci prendra "+
			"le relais si elle s'arrête", "bail", publication.LeaseName, "err", err)
	} else if out, err := pub.Publish(a.ctx, false); err != nil {
		a.log.Error("liste blanche : publication initiale en échec", "err", err)
	} else if out.Published {
		a.log.Info("liste blanche publiée", "version", out.Version.Numero,
			"entrees", out.Version.Entrees, "motif", out.Reason)
	}
	a.background(func(ctx context.Context) {
		pub.Run(ctx)
		sig.Close()
	})
	return nil
}

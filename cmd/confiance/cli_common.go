package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"

	"confiance/internal/registre"
	"confiance/internal/store"
	"confiance/internal/xmlsig"
)

// cli is the state of one admin sub-command (`registre …`, `token …`): its
// flags, its positional arguments and where it writes. Each sub-command
// builds one, registers the flags it needs and runs its body through do.
type cli struct {
	name   string // "registre transition", for messages and help
	args   string // the positional arguments, for help: "ID ACTION"
	ctx    context.Context
	stdout io.Writer
	stderr io.Writer
	fs     *flag.FlagSet
	rf     registryFlags
	acteur string
	apply  bool
	json   bool
	pos    []string
}

func newCLI(name, args string, stdout, stderr io.Writer) *cli {
	c := &cli{name: name, args: args, ctx: context.Background(), stdout: stdout, stderr: stderr}
	c.fs = flag.NewFlagSet(name, flag.ContinueOnError)
	// The flag package speaks English: its messages are silenced and
	// translated by parse.
	c.fs.SetOutput(io.Discard)
	c.fs.Usage = func() {}
	c.rf.register(c.fs)
	c.fs.StringVar(&c.acteur, "acteur", os.Getenv("USER"),
		"qui agit, inscrit dans l'historique (défaut : $USER)")
	return c
}

// withApply registers --apply: without it, a change is only simulated.
func (c *cli) withApply() *cli {
	c.fs.BoolVar(&c.apply, "apply", false,
		"applique le changement (sans cette option, il est seulement simulé)")
	return c
}

// withJSON registers --json: output for scripts rather than tables.
func (c *cli) withJSON() *cli {
	c.fs.BoolVar(&c.json, "json", false, "sortie JSON (pour les scripts)")
	return c
}

func (c *cli) printUsage() {
	line := strings.Join(strings.Fields("confiance "+c.name+" "+c.args), " ")
	frenchUsage(c.stderr, line, c.fs)
}

// frenchUsage prints the help of a command and its flags in French (the
// flag package's own help is in English).
func frenchUsage(w io.Writer, line string, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage : %s [options]\n\nOptions :\n", line)
	fs.VisitAll(func(f *flag.Flag) {
		def := ""
		// The DSN may hold a password: its default is never shown.
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.Name != "db" {
			def = fmt.Sprintf(" (défaut : %s)", f.DefValue)
		}
		value := " VALEUR"
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			value = ""
		}
		fmt.Fprintf(w, "  --%s%s\n        %s%s\n", f.Name, value, f.Usage, def)
	})
}

// parse reads flags and positional arguments in any order, and checks that
// there are between min and max positional ones (max < 0: no bound). When
// it returns false, code is the exit code.
func (c *cli) parse(args []string, min, max int) (code int, ok bool) {
	for {
		if err := c.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.printUsage()
				return 0, false
			}
			return c.fail(&usageError{frenchFlagError(err)}), false
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			break
		}
		// After "--" (consumed by the flag package) everything is positional.
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			c.pos = append(c.pos, rest...)
			break
		}
		c.pos = append(c.pos, rest[0])
		args = rest[1:]
	}
	if len(c.pos) < min || (max >= 0 && len(c.pos) > max) {
		want := c.args
		if want == "" {
			want = "aucun"
		}
		return c.fail(usageErrorf("nombre d'arguments incorrect (attendu : %s)", want)), false
	}
	return 0, true
}

// frenchFlagError translates the messages of the flag package.
func frenchFlagError(err error) string {
	r := strings.NewReplacer(
		"flag provided but not defined: ", "option inconnue : ",
		"flag needs an argument: ", "l'option attend une valeur : ",
		"bad flag syntax: ", "syntaxe d'option incorrecte : ",
		"invalid boolean value ", "valeur booléenne invalide ",
		"invalid value ", "valeur invalide ",
		" for flag ", " pour l'option ",
		"parse error", "valeur illisible",
		"value out of range", "valeur hors limites")
	return r.Replace(err.Error())
}

// usageError is a mistake in the command line: exit code 2 and the help.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// fail prints err for a person and returns the exit code it deserves: 1 when
// the registry refused the request or found a failure, 2 for a usage or an
// I/O error.
func (c *cli) fail(err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(c.stderr, "confiance %s : %s\n\n", c.name, ue.msg)
		c.printUsage()
		return 2
	}
	fmt.Fprintf(c.stderr, "confiance %s : %s\n", c.name, frenchError(err))
	if refused(err) {
		return 1
	}
	return 2
}

// refused reports whether err is the registry saying no (or finding a
// broken history), or a signed list failing its check, rather than the
// command failing to run.
func refused(err error) bool {
	var ce *registre.ChainError
	var xe *xmlsig.Error
	return errors.Is(err, registre.ErrInvalid) || errors.Is(err, registre.ErrConflict) ||
		errors.Is(err, registre.ErrNotFound) || errors.Is(err, registre.ErrForbidden) ||
		errors.As(err, &ce) || errors.As(err, &xe)
}

// frenchError renders err; a validation error lists one field a line.
func frenchError(err error) string {
	var ve *registre.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString("données refusées :")
	for _, f := range ve.Fields {
		fmt.Fprintf(&b, "\n  - %s : %s", f.Field, f.Message)
	}
	return b.String()
}

// principal is who acts: the admin CLI acts as ANS, named after the person.
func (c *cli) principal() (registre.Principal, error) {
	name := strings.TrimSpace(c.acteur)
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
	}
	if name == "" || len(name) > 100 || strings.ContainsAny(name, " \t\r\n") {
		return registre.Principal{}, usageErrorf(
			"précisez qui agit avec --acteur NOM (sans espace)")
	}
	return registre.System("cli:" + name), nil
}

// open opens the registry the flags name, for the principal the CLI acts
// as, its changes audited in DATA/audit.log. The caller closes db.
func (c *cli) open() (*store.DB, *registre.Service, registre.Principal, error) {
	p, err := c.principal()
	if err != nil {
		return nil, nil, p, err
	}
	db, svc, err := c.rf.open(c.ctx, registre.WithAudit(c.auditLogger()))
	return db, svc, p, err
}

// do opens the registry and runs body with it, then maps the outcome to an
// exit code.
func (c *cli) do(body func(svc *registre.Service, p registre.Principal) error) int {
	db, svc, p, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer closeDB(db)
	if err := body(svc, p); err != nil {
		return c.fail(err)
	}
	return 0
}

func closeDB(db *store.DB) { _ = db.Close() }

// target is the service a change goes through: the real one with --apply,
// otherwise a dry run that performs the change and rolls it back, so that
// the preview shows the real result or the real refusal.
func (c *cli) target(svc *registre.Service) *registre.Service {
	if c.apply {
		return svc
	}
	return svc.DryRun()
}

// say prints what was done, or what would be done without --apply.
func (c *cli) say(would, did string) {
	if c.apply {
		fmt.Fprintln(c.stdout, did)
		return
	}
	fmt.Fprintln(c.stdout, "Simulation : "+would)
}

// footer closes the output of a simulated change.
func (c *cli) footer() {
	if !c.apply {
		fmt.Fprintln(c.stdout, "\nRien n'a été enregistré. Relancez avec --apply pour appliquer.")
	}
}

// id reads positional argument i as a positive identifier.
func (c *cli) id(i int, what string) (int64, error) {
	return parseID(c.pos[i], what)
}

func parseID(s, what string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageErrorf("%s « %s » invalide : un entier positif est attendu", what, s)
	}
	return id, nil
}

// idList is a repeatable flag of identifiers (--site 1 --site 2).
type idList []int64

func (l *idList) String() string {
	parts := make([]string, len(*l))
	for i, id := range *l {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

func (l *idList) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("identifiant « %s » invalide", part)
		}
		*l = append(*l, id)
	}
	return nil
}

// stringList is a repeatable flag of strings (--cible-db a --cible-db b).
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// setFlags returns the names of the flags given on the command line.
func (c *cli) setFlags() map[string]bool {
	set := map[string]bool{}
	c.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// stringFlag returns the value of a string flag registered by setup.
func (c *cli) stringFlag(name string) string { return c.fs.Lookup(name).Value.String() }

// int64Flag returns the value of an int64 flag registered by setup.
func (c *cli) int64Flag(name string) int64 {
	return c.fs.Lookup(name).Value.(flag.Getter).Get().(int64)
}

package main

import (
	"fmt"
	"io"
	"strings"
)

// subcommand is one admin command: `registre operateur create`, …
type subcommand struct {
	name    string // one or two words after the command
	args    string // positional arguments, for help
	summary string
	run     func(c *cli) int
	// setup registers the command's flags on c before parsing.
	setup func(c *cli)
}

// registreCommands are the admin commands of the registry: the same
// operations as the API, acting as ANS (registre.System("cli:"+acteur)).
func registreCommands() []subcommand {
	var cmds []subcommand
	cmds = append(cmds, operateurCommands()...)
	cmds = append(cmds, siteCommands()...)
	cmds = append(cmds, installationCommands()...)
	cmds = append(cmds, pointCommands()...)
	cmds = append(cmds, cycleCommands()...)
	cmds = append(cmds, historiqueCommands()...)
	return append(cmds, exportCommand())
}

// cmdRegistre runs `confiance registre SUJET [VERBE] …`.
func cmdRegistre(args []string, stdout, stderr io.Writer) int {
	return dispatch("registre", registreCommands(), args, stdout, stderr)
}

// dispatch finds the sub-command named by the first one or two words of
// args and runs it.
func dispatch(group string, cmds []subcommand, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		subUsage(stderr, group, cmds)
		return 2
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		subUsage(stdout, group, cmds)
		return 0
	}
	for _, words := range []int{2, 1} {
		if len(args) < words {
			continue
		}
		name := strings.Join(args[:words], " ")
		for _, sc := range cmds {
			if sc.name == name {
				return runSubcommand(group, sc, args[words:], stdout, stderr)
			}
		}
	}
	fmt.Fprintf(stderr, "confiance %s : commande inconnue « %s »\n\n", group,
		unknownName(cmds, args))
	subUsage(stderr, group, cmds)
	return 2
}

// unknownName is the name of the command asked for: one word, or two when
// the first is a subject (`operateur voler`).
func unknownName(cmds []subcommand, args []string) string {
	for _, sc := range cmds {
		if len(args) > 1 && strings.HasPrefix(sc.name, args[0]+" ") {
			return args[0] + " " + args[1]
		}
	}
	return args[0]
}

func runSubcommand(group string, sc subcommand, args []string, stdout, stderr io.Writer) int {
	c := newCLI(group+" "+sc.name, sc.args, stdout, stderr)
	if sc.setup != nil {
		sc.setup(c)
	}
	min, max := argCount(sc.args)
	if code, ok := c.parse(args, min, max); !ok {
		return code
	}
	return sc.run(c)
}

// argCount derives how many positional arguments a command takes from its
// help: "ID ACTION" is two, "[ID]" zero or one.
func argCount(spec string) (min, max int) {
	for _, w := range strings.Fields(spec) {
		if strings.HasPrefix(w, "[") {
			max++
			continue
		}
		min++
		max++
	}
	return min, max
}

func subUsage(w io.Writer, group string, cmds []subcommand) {
	fmt.Fprintf(w, "Usage : confiance %s COMMANDE [arguments] [options]\n\nCommandes :\n", group)
	t := newTable(w)
	for _, sc := range cmds {
		t.row("", strings.TrimSpace(sc.name+" "+sc.args), sc.summary)
	}
	t.flush()
	fmt.Fprintf(w, "\nOptions communes : --data DIR, --db DSN, --env production|test, --zone, "+
		"--pattern, --acteur NOM.\nLes commandes qui modifient le registre simulent le changement "+
		"et n'agissent qu'avec --apply.\nAide d'une commande : confiance %s COMMANDE --help\n",
		group)
}

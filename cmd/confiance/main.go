// Command confiance runs the DRIM-M trust space: the registry, its API and
// the tools around it. This file only dispatches sub-commands; each one lives
// in its own file and wires parts from internal/.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// command is one sub-command. It returns the process exit code: 0 on
// success, 1 when the command ran and found a failure, 2 on usage or I/O
// errors.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() map[string]command {
	return map[string]command{
		"serve":      {"lance le serveur (API, pages publiques)", cmdServe},
		"registre":   {"administre le Registre National", cmdRegistre},
		"token":      {"crée et révoque les jetons d'accès à l'API", cmdToken},
		"liste":      {"vérifie, signe et génère la Liste Blanche", cmdListe},
		"dns":        {"planifie, applique et vérifie la zone DNS", cmdDNS},
		"agent":      {"agent DRIMbox : synchronise la liste, filtre les pairs", cmdAgent},
		"compte":     {"gère les comptes du portail", cmdCompte},
		"certificat": {"besoins, inventaire et CSR des certificats", cmdCertificat},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	return runNamed("confiance", commands(), args, stdout, stderr)
}

// runNamed runs the command of cmds that args[0] names; line is the command
// line so far ("confiance", "confiance liste"), for messages and help.
func runNamed(line string, cmds map[string]command, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr, line, cmds)
		return 2
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "%s : commande inconnue « %s »\n\n", line, args[0])
		usage(stderr, line, cmds)
		return 2
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer, line string, cmds map[string]command) {
	fmt.Fprintf(w, "Usage : %s COMMANDE [options]\n", line)
	fmt.Fprintln(w, "\nCommandes :")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
}

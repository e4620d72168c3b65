package main

import (
	"fmt"
	"io"
)

// cmdListe is not written yet.
func cmdListe(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "confiance liste : pas encore disponible")
	return 2
}

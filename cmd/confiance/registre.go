package main

import (
	"fmt"
	"io"
)

// cmdRegistre is not written yet.
func cmdRegistre(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "confiance registre : pas encore disponible")
	return 2
}

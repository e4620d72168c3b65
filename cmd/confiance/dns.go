package main

import (
	"fmt"
	"io"
)

// cmdDNS is not written yet.
func cmdDNS(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "confiance dns : pas encore disponible")
	return 2
}

package main

import (
	"fmt"
	"io"
)

// cmdServe is not written yet.
func cmdServe(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "confiance serve : pas encore disponible")
	return 2
}

package main

import (
	"fmt"
	"io"
)

// cmdToken is not written yet.
func cmdToken(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "confiance token : pas encore disponible")
	return 2
}

package main

import (
	"fmt"
	"io"
)

// cmdAgent is not written yet.
func cmdAgent(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "confiance agent : pas encore disponible")
	return 2
}

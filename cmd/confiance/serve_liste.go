package main

import "flag"

// listeComponent is not written yet.
func listeComponent() component {
	return component{name: "liste", flags: func(*flag.FlagSet) {}, start: func(*app) error { return nil }}
}

package main

import "flag"

// apiComponent is not written yet.
func apiComponent() component {
	return component{name: "api", flags: func(*flag.FlagSet) {}, start: func(*app) error { return nil }}
}

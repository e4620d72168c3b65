package main

import "flag"

// meteoComponent is not written yet.
func meteoComponent() component {
	return component{name: "meteo", flags: func(*flag.FlagSet) {}, start: func(*app) error { return nil }}
}

package main

import "flag"

// dnsComponent is not written yet.
func dnsComponent() component {
	return component{name: "dns", flags: func(*flag.FlagSet) {}, start: func(*app) error { return nil }}
}

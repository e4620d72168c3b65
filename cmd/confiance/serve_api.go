package main

import (
	"flag"

	"confiance/internal/web/api"
)

// apiComponent serves the JSON API of the registry under /api/v1.
func apiComponent() component {
	return component{name: "api", flags: func(*flag.FlagSet) {}, start: func(a *app) error {
		h, err := api.New(a.svc)
		if err != nil {
			return err
		}
		h.Mount(a.mux)
		return nil
	}}
}

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"confiance/internal/registre"
	"confiance/internal/registre/export"
)

func exportCommand() subcommand {
	return subcommand{name: "export", summary: "exporte le registre en CSV (un point d'accès " +
		"par ligne) ou en JSON (imbriqué)", setup: setupExport, run: runExport}
}

func setupExport(c *cli) {
	c.fs.String("format", "", "csv ou json (obligatoire)")
	c.fs.String("output", "", "fichier à écrire (défaut : la sortie standard)")
}

func runExport(c *cli) int {
	format := c.stringFlag("format")
	if format != "csv" && format != "json" {
		return c.fail(usageErrorf("--format csv ou --format json est obligatoire"))
	}
	return c.do(func(svc *registre.Service, p registre.Principal) error {
		r, err := export.Build(c.ctx, svc, p, time.Now())
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if format == "csv" {
			err = export.WriteCSV(&buf, r)
		} else {
			err = export.WriteJSON(&buf, r)
		}
		if err != nil {
			return fmt.Errorf("export : %w", err)
		}
		out := c.stringFlag("output")
		if out == "" {
			_, err = c.stdout.Write(buf.Bytes())
			return err
		}
		if err := writeFileAtomic(out, buf.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(c.stderr, "Registre exporté dans %s (%s, état à l'événement n° %d).\n",
			out, format, r.Sequence)
		return nil
	})
}

// writeFileAtomic writes data to path through a temporary file renamed into
// place, readable by its owner only: the export holds personal contacts.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".export-*")
	if err != nil {
		return fmt.Errorf("écriture de %s : %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("écriture de %s : %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("écriture de %s : %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("écriture de %s : %w", path, err)
	}
	return nil
}

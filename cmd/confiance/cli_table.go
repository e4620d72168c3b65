package main

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/tabwriter"
	"time"
)

// table writes aligned columns for a person.
type table struct {
	tw *tabwriter.Writer
}

func newTable(w io.Writer, headers ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)}
	if len(headers) > 0 {
		t.row(headers...)
	}
	return t
}

// row writes one line; tabs and line breaks inside a cell become spaces so
// that they cannot break the columns.
func (t *table) row(cells ...string) {
	clean := make([]string, len(cells))
	for i, c := range cells {
		clean[i] = oneLine(c)
	}
	fmt.Fprintln(t.tw, strings.Join(clean, "\t"))
}

func (t *table) flush() { _ = t.tw.Flush() }

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// fields writes "Label : value" lines with the values aligned.
func fields(w io.Writer, pairs ...string) {
	t := newTable(w)
	for i := 0; i+1 < len(pairs); i += 2 {
		t.row(pairs[i]+" :", pairs[i+1])
	}
	t.flush()
}

// jsonOr writes v as JSON unless err is set.
func jsonOr(c *cli, v any, err error) error {
	if err != nil {
		return err
	}
	return writeJSON(c.stdout, v)
}

// writeJSON writes v indented, for scripts; an empty list is [], not null.
func writeJSON(w io.Writer, v any) error {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice && rv.IsNil() {
		v = []struct{}{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// paris is where the people reading the CLI are.
var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// date renders an instant in Paris time.
func date(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(paris).Format("02/01/2006 15:04")
}

// orDash renders an empty value as a dash.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

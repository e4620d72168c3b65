package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
)

// auditFile appends each audit record of a command to DATA/audit.log, the
// file `confiance serve` writes its own to, so that an act done from the
// command line is logged beside those done through the server. The file
// is opened for each record only: a command that changes nothing does not
// create it.
type auditFile struct {
	data   string // the data folder (--data)
	stderr io.Writer
}

func (a auditFile) Write(p []byte) (int, error) {
	f, err := serveOpenAudit(a.data)
	if err == nil {
		_, err = f.Write(p)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "attention : %v (l'acte est bien inscrit dans l'historique)\n", err)
		return 0, err
	}
	return len(p), nil
}

// auditLogger is the audit log of the commands: JSON lines, as serve's.
func (c *cli) auditLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(auditFile{data: c.rf.data, stderr: c.stderr}, nil))
}

package parcours

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image/jpeg"
	"image/png"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFichier is the largest attachment accepted: 2 MB, as the guide's
// upload fields say (« Limité à 2 Mo »).
const MaxFichier = 2 << 20

// Fichier is an uploaded file as the portal receives it. Only its content
// decides its type: the name is kept for display.
type Fichier struct {
	Nom     string
	Contenu []byte
}

// The content types accepted for signed documents (CGI, VA document):
// « Types autorisés : pdf, jpg, png ».
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
)

// VerifierFichier checks an uploaded document by its content: it must be a
// PDF, JPEG or PNG file of at most MaxFichier bytes whose structure holds
// (a PDF ends with its %%EOF marker after a cross-reference, an image
// decodes its header). It returns the detected content type.
func VerifierFichier(f Fichier) (string, error) {
	n := len(f.Contenu)
	if n == 0 {
		return "", errors.New("le fichier est vide")
	}
	if n > MaxFichier {
		return "", fmt.Errorf("le fichier fait %s : 2 Mo au plus", taille(int64(n)))
	}
	ct := http.DetectContentType(f.Contenu)
	switch ct {
	case TypePDF:
		if err := checkPDF(f.Contenu); err != nil {
			return "", err
		}
		return ct, nil
	case TypePNG:
		if _, err := png.DecodeConfig(bytes.NewReader(f.Contenu)); err != nil {
			return "", errors.New("l'image PNG est endommagée")
		}
		return ct, nil
	case TypeJPEG:
		if _, err := jpeg.DecodeConfig(bytes.NewReader(f.Contenu)); err != nil {
			return "", errors.New("l'image JPEG est endommagée")
		}
		return ct, nil
	}
	return "", errors.New("type de fichier refusé : seuls les fichiers PDF, JPG et PNG " +
		"sont acceptés (le contenu est vérifié, pas le nom)")
}

// checkPDF looks for the end of a PDF file: "startxref", an offset, and
// "%%EOF" in its last kilobyte, as every complete PDF ends.
func checkPDF(b []byte) error {
	tail := b
	if len(tail) > 1024 {
		tail = tail[len(tail)-1024:]
	}
	i := bytes.LastIndex(tail, []byte("%%EOF"))
	j := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 || j < 0 || j > i {
		return errors.New("le fichier PDF est incomplet ou endommagé (fin de fichier absente)")
	}
	if len(bytes.TrimSpace(b[len(b)-len(tail)+i+5:])) > 0 {
		return errors.New("le fichier PDF contient des données après sa fin")
	}
	return nil
}

// sha256Hex returns the SHA-256 of b in hexadecimal.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// nomFichier keeps the base name of an upload, without control characters,
// at most 200 characters; an empty name becomes "document".
func nomFichier(s string) string {
	s = strings.ReplaceAll(s, "\\", "/")
	s = path.Base(s)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "_")
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200])
	}
	if s == "" || s == "." || s == ".." || s == "/" {
		return "document"
	}
	return s
}

// taille renders a size for a person: "1,5 Mo", "830 ko".
func taille(n int64) string {
	if n >= 1<<20 {
		return strings.Replace(fmt.Sprintf("%.1f Mo", float64(n)/(1<<20)), ".", ",", 1)
	}
	return fmt.Sprintf("%d ko", (n+1023)/1024)
}

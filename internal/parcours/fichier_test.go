package parcours

import (
	"bytes"
	"strings"
	"testing"
)

func TestVerifierFichier(t *testing.T) {
	big := append(append([]byte{}, pdfMinimal[:9]...), bytes.Repeat([]byte("x"), MaxFichier)...)
	cases := []struct {
		name, file string
		content    []byte
		wantType   string
		wantErr    string
	}{
		{"pdf", "cgi.pdf", pdfMinimal, TypePDF, ""},
		{"png", "scan.png", imagePNG(t), TypePNG, ""},
		{"jpeg", "scan.jpg", imageJPEG(t), TypeJPEG, ""},
		{"pdf named png", "cgi.png", pdfMinimal, TypePDF, ""},
		{"empty", "cgi.pdf", nil, "", "vide"},
		{"too big", "cgi.pdf", big, "", "2 Mo au plus"},
		{"text named pdf", "cgi.pdf", []byte("bonjour, ceci n'est pas un PDF"), "",
			"type de fichier refusé"},
		{"zip", "cgi.pdf", []byte("PK\x03\x04rest of a zip file"), "", "type de fichier refusé"},
		{"truncated pdf", "cgi.pdf", pdfMinimal[:40], "", "incomplet"},
		{"pdf with trailing data", "cgi.pdf", append(append([]byte{}, pdfMinimal...),
			[]byte("<script>")...), "", "après sa fin"},
		{"truncated png", "scan.png", imagePNG(t)[:20], "", "PNG est endommagée"},
		{"jpeg header only", "scan.jpg", []byte("\xff\xd8\xff\xe0garbage"), "", "JPEG est endommagée"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := VerifierFichier(Fichier{Nom: c.file, Contenu: c.content})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.wantType {
				t.Fatalf("got %q, %v; want %q", got, err, c.wantType)
			}
		})
	}
}

func TestNomFichier(t *testing.T) {
	cases := map[string]string{
		"C:\\Users\\x\\CGI signées.pdf": "CGI signées.pdf",
		"../../etc/passwd":              "passwd",
		"a\x00b\nc.pdf":                 "abc.pdf",
		"":                              "document",
		"..":                            "document",
	}
	for in, want := range cases {
		if got := nomFichier(in); got != want {
			t.Errorf("nomFichier(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzVerifierFichier(f *testing.F) {
	f.Add(pdfMinimal)
	f.Add(imagePNG(f))
	f.Add(imageJPEG(f))
	f.Add([]byte("%PDF-"))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ct, err := VerifierFichier(Fichier{Nom: "x", Contenu: b})
		if err == nil && ct != TypePDF && ct != TypePNG && ct != TypeJPEG {
			t.Fatalf("accepted type %q", ct)
		}
		if err != nil && ct != "" {
			t.Fatalf("type %q returned with error %v", ct, err)
		}
	})
}

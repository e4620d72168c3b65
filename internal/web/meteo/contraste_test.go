package meteo

import (
	"math"
	"strconv"
	"testing"

	"confiance/internal/meteo"
)

// luminance is the relative luminance of a #rrggbb colour (WCAG 2).
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	v, err := strconv.ParseUint(hex[1:], 16, 32)
	if err != nil || len(hex) != 7 {
		t.Fatalf("colour %q: %v", hex, err)
	}
	var l float64
	for i, k := range []float64{0.2126, 0.7152, 0.0722} {
		c := float64(v>>(16-8*i)&0xff) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += k * c
	}
	return l
}

// contraste is the WCAG contrast ratio of two colours.
func contraste(t *testing.T, a, b string) float64 {
	t.Helper()
	la, lb := luminance(t, a), luminance(t, b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

// TestContrasteCouleurs checks the custom colours of the status page,
// which axe-core does not see (SVG drawings): the daily bars against the
// white page (3:1, WCAG 1.4.11) and the white text of the SVG badges on
// their backgrounds (4.5:1, WCAG 1.4.3).
func TestContrasteCouleurs(t *testing.T) {
	if got := contraste(t, "#000000", "#ffffff"); math.Abs(got-21) > 1e-9 {
		t.Fatalf("black on white: %v, want 21", got)
	}
	for name, c := range map[string]string{"vert": vert, "jaune": jaune, "orange": orange,
		"rouge": rouge, "bleu": bleu, "gris": gris} {
		if got := contraste(t, c, "#ffffff"); got < 3 {
			t.Errorf("daily bar %s %s: contrast %.2f:1 with the page, want 3:1", name, c, got)
		}
	}
	badges := []string{"#3a3a3a"}
	for _, e := range []meteo.Etat{meteo.Disponible, meteo.Indisponible, meteo.EnMaintenance,
		meteo.Inconnu} {
		badges = append(badges, badgeColour(e))
	}
	for _, c := range badges {
		if got := contraste(t, "#ffffff", c); got < 4.5 {
			t.Errorf("badge text on %s: contrast %.2f:1, want 4.5:1", c, got)
		}
	}
}

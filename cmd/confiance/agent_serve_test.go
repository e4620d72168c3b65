package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"confiance/internal/agent"
	"confiance/internal/testenv"
)

// TestAgentAgainstConfianceServe runs the agent against a `confiance serve
// --demo` publishing its signed list (re-signed every second, so that
// versions follow one another), trusting the demo PKI: the good list is
// accepted; a rolled-back version, a tampered list, ANS's unsigned
// homologation list and a stopped server are each refused with an alert
// while the list held stays; the agent's health then shows the list held
// and the last alert, and its local endpoint still serves that list.
func TestAgentAgainstConfianceServe(t *testing.T) {
	data := t.TempDir()
	args := append([]string{"--addr", "127.0.0.1:0", "--data", data, "--demo",
		"--liste-resign", "1s", "--liste-poll", "100ms"}, componentAddrFlags()...)
	s := startServe(t, args...)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			s.stop()
		}
	})
	waitVersions(t, s, 2)

	hooks := newAlertSink(t)
	pkiDir := demoPKIDir(data)
	state := t.TempDir()
	agentArgs := func(url string) []string {
		return []string{"--url", url, "--trust", filepath.Join(pkiDir, "root.pem"),
			"--crl", filepath.Join(pkiDir, "root.crl.pem"),
			"--crl", filepath.Join(pkiDir, "intermediate.crl.pem"),
			"--state", state, "--webhook", hooks.URL}
	}
	current := s.base + "/liste-blanche.xml"
	for i := range 2 {
		out, errb, code := runAgentOnce(agentArgs(current))
		if code != 0 || !strings.Contains(out, "Liste Blanche vérifiée") {
			t.Fatalf("run %d: %d\n%s\n%s", i+1, code, out, errb)
		}
	}
	held, err := os.ReadFile(filepath.Join(state, "liste-blanche.xml"))
	if err != nil {
		t.Fatal(err)
	}

	refused := func(name, url, reason, says string) {
		t.Helper()
		_, errb, code := runAgentOnce(agentArgs(url))
		if code != 1 || !strings.Contains(errb, "la précédente est gardée") ||
			!strings.Contains(errb, says) {
			t.Fatalf("%s: exit %d\n%s", name, code, errb)
		}
		if got, _ := os.ReadFile(filepath.Join(state, "liste-blanche.xml")); !bytes.Equal(got,
			held) {
			t.Fatalf("%s: the list held was replaced", name)
		}
		hooks.expect(t, name, reason)
	}
	refused("rolled-back version", s.base+"/liste-blanche/versions/1.xml",
		agent.ReasonRollback, "DateDeGeneration")
	refused("tampered list", tamperingMirror(t, current).URL, agent.ReasonSignature,
		"signature")
	refused("ANS homologation list", homologationServer(t).URL, agent.ReasonUnsigned,
		"n'est pas signée (liste d'homologation ?)")

	stopped = true
	if code := s.stop(); code != 0 {
		t.Fatalf("serve stopped with %d", code)
	}
	refused("stopped server", current, agent.ReasonUnreachable, "injoignable")
	checkAgentHealth(t, agentArgs(current), agent.ReasonUnreachable, held)
}

// homologationServer serves ANS's unsigned list, the one ANS points a
// DRIMbox at in homologation to check that it is detected.
func homologationServer(t *testing.T) *httptest.Server {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testenv.ListeBlancheDir(t),
		"ans-non-signee-2025-07-23.xml"))
	if err != nil {
		t.Fatal(err)
	}
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write(raw)
	}))
	t.Cleanup(h.Close)
	return h
}

// waitVersions waits until the server has published n versions.
func waitVersions(t *testing.T, s *runningServer, n int) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		code, _ := s.get(t, "/liste-blanche/versions/"+strconv.Itoa(n)+".xml", "")
		if code == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server published fewer than %d versions", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func runAgentOnce(args []string) (string, string, int) {
	var out, errb bytes.Buffer
	code := runAgent(context.Background(), append(args, "--once"), &out, &errb)
	return out.String(), errb.String(), code
}

// tamperingMirror serves the server's current list with one entry's
// Denomination changed after signature.
func tamperingMirror(t *testing.T, url string) *httptest.Server {
	t.Helper()
	m := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		resp, err := http.Get(url)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		tampered := bytes.Replace(body, []byte("<Denomination>"),
			[]byte("<Denomination>Falsifié "), 1)
		if bytes.Equal(body, tampered) {
			http.Error(w, "no Denomination to tamper with", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write(tampered)
	}))
	t.Cleanup(m.Close)
	return m
}

// alertSink receives the agent's webhook alerts.
type alertSink struct {
	*httptest.Server
	mu      sync.Mutex
	reasons []string
}

func newAlertSink(t *testing.T) *alertSink {
	a := &alertSink{}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		var al agent.Alert
		if err := json.NewDecoder(r.Body).Decode(&al); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a.mu.Lock()
		a.reasons = append(a.reasons, al.Reason)
		a.mu.Unlock()
	}))
	t.Cleanup(a.Close)
	return a
}

// expect checks that the last alert received has reason.
func (a *alertSink) expect(t *testing.T, name, reason string) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.reasons) == 0 || a.reasons[len(a.reasons)-1] != reason {
		t.Fatalf("%s: alerts %v, want the last one %s", name, a.reasons, reason)
	}
}

var agentListenLine = regexp.MustCompile(`agent à l'écoute sur (\S+)`)

// checkAgentHealth runs the agent as a service against the stopped server
// and reads its health: still UP on the list held, with the alert shown;
// its local endpoint serves the list held, byte for byte.
func checkAgentHealth(t *testing.T, args []string, reason string, held []byte) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- runAgent(ctx, append(args, "--listen", "127.0.0.1:0"), out, errb)
	}()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(15 * time.Second); ; {
		if m := agentListenLine.FindStringSubmatch(out.String()); m != nil {
			h := readAgentHealth(t, "http://"+m[1]+"/q/health")
			if h.Status == "UP" && len(h.Checks) > 0 &&
				h.Checks[0].Data["derniereAlerteRaison"] == reason {
				if h.Checks[0].Data["entrees"] == nil {
					t.Fatalf("health does not show the list held: %+v", h)
				}
				checkServedList(t, "http://"+m[1]+"/liste-blanche.xml", held)
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("agent health never showed the %s alert\n%s\n%s", reason, out, errb)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func checkServedList(t *testing.T, url string, want []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || !bytes.Equal(got, want) {
		t.Fatalf("GET %s: %d, %d bytes (%v), want the list held (%d bytes)", url,
			resp.StatusCode, len(got), err, len(want))
	}
}

func readAgentHealth(t *testing.T, url string) agent.Health {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h agent.Health
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

package main

import (
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestServeStopsOnSignal builds the real binary, starts `confiance serve
// --demo`, and sends it SIGTERM then (on a second run) SIGINT: each time it
// must stop by itself, with exit code 0; the second run starts on the data
// the first one left.
func TestServeStopsOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("construction du binaire ignorée en mode -short")
	}
	bin := filepath.Join(t.TempDir(), "confiance")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := t.TempDir()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) { stopBySignal(t, bin, data, sig) })
	}
}

func stopBySignal(t *testing.T, bin, data string, sig syscall.Signal) {
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--demo"},
		componentAddrFlags()...)
	cmd := exec.Command(bin, args...)
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer cmd.Process.Kill()

	deadline := time.Now().Add(30 * time.Second)
	for listenLine.FindString(stdout.String()) == "" {
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no address:\n%s\n%s", stdout, stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("after %v: %v\n%s", sig, err, stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("serve still running 20 s after %v:\n%s", sig, stderr)
	}
}

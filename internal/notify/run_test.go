package notify

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"confiance/internal/registre"
	"confiance/internal/store/storetest"
)

// TestRunWakesOnEnqueue: a running worker sends a message enqueued in its
// process without waiting for its interval.
func TestRunWakesOnEnqueue(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	o := NewOutbox(storetest.SQLite(t), nil)
	tr := &fake{}
	w := worker(o, tr)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); w.Run(ctx, time.Hour) }()
	defer func() { cancel(); wg.Wait() }()
	if err := o.Enqueue(ctx, email(1, "D-1")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, _ := o.Message(ctx, registre.System("t"), 1)
		if m.Statut == Envoye {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not sent: %+v", m)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkOutbox enqueues then sends messages through a transport that
// accepts everything: the cost of the outbox itself.
func BenchmarkOutbox(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchOutbox(b, NewOutbox(storetest.SQLite(b), nil)) })
	b.Run("postgres", func(b *testing.B) { benchOutbox(b, NewOutbox(storetest.Postgres(b), nil)) })
}

func benchOutbox(b *testing.B, o *Outbox) {
	ctx := context.Background()
	w := worker(o, &fake{})
	i := 0
	for b.Loop() {
		i++
		if err := o.Enqueue(ctx, email(1, fmt.Sprint(i))); err != nil {
			b.Fatal(err)
		}
		if n, err := w.RunOnce(ctx); err != nil || n != 1 {
			b.Fatal(n, err)
		}
	}
}

package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// runBlackbox asks the exporter for 3n probes a minute, evenly spread
// (the three modules of bench/meteo.sh over the simulated DRIMboxes), and
// measures the exporter's CPU.
func runBlackbox(sim simulation, bb string, pid, n int, d time.Duration) result {
	targets := probes(sim, bb)
	every := time.Minute / time.Duration(3*n)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	client := &http.Client{Timeout: 15 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 512}}
	sem := make(chan struct{}, 256)
	var wg sync.WaitGroup
	var checks, failed, late atomic.Int64
	before := cpu(pid)
	start := time.Now()
	for i := 0; ctx.Err() == nil; i++ {
		at := start.Add(time.Duration(i) * every)
		if wait := time.Until(at); wait > 0 {
			time.Sleep(wait)
		} else if wait < -time.Minute {
			late.Add(1)
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			continue
		}
		wg.Add(1)
		go func(u string) {
			defer func() { <-sem; wg.Done() }()
			if !probe(client, u) {
				failed.Add(1)
			}
			checks.Add(1)
		}(targets[i%len(targets)])
	}
	wg.Wait()
	used := cpu(pid) - before
	r := result{Mode: "blackbox", Checks: checks.Load(), Echecs: failed.Load(), Retards: late.Load(),
		CPUSeconds: used, Duree: d.String(), Attendues: expected(n, d)}
	r.CPUPerCheck = used / float64(max(r.Checks, 1)) * 1e6
	return r
}

// probes lists the probe URLs: for each simulated server, its HealthCheck,
// its viewer page and a DNS query.
func probes(sim simulation, bb string) []string {
	var out []string
	for _, s := range sim.Serveurs {
		for _, m := range [][2]string{{"sante", "https://" + s + "/q/health"},
			{"visionneuse", "https://" + s + "/"}, {"dns", sim.DNS}} {
			out = append(out, bb+"/probe?"+url.Values{"module": {m[0]}, "target": {m[1]}}.Encode())
		}
	}
	return out
}

func probe(c *http.Client, u string) bool {
	resp, err := c.Get(u)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return err == nil && strings.Contains(string(b), "\nprobe_success 1")
}

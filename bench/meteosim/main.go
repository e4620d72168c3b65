// Command meteosim runs simulated DRIMboxes for bench/meteo.sh, in their
// own process so that the prober's CPU is measured alone: -servers HTTPS
// servers (healthy, one certificate for *.bench.test from a generated test
// PKI, so that the simulation costs the same to both probers) and a DNS
// server answering for every name under bench.test with a CNAME to
// h-NAME.op.bench.test and the address 127.0.0.1. It writes the root of
// the PKI to -ca, prints one JSON line with the addresses, and serves
// until it is killed.
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/miekg/dns"

	"confiance/internal/meteo/meteosim"
	"confiance/internal/pki"
)

// Zone is the suffix of the benchmark's names.
const Zone = "bench.test."

func main() {
	n := flag.Int("servers", 16, "nombre de DRIMbox simulées")
	ca := flag.String("ca", "ca.pem", "fichier où écrire la racine de la PKI de test")
	flag.Parse()
	a, err := meteosim.NewAutorite()
	must(err)
	opts := make([]meteosim.Options, *n)
	for i := range opts {
		opts[i].Joker = "*." + Zone[:len(Zone)-1]
	}
	f, err := a.Flotte(opts)
	must(err)
	defer f.Close()
	out, err := os.Create(*ca)
	must(err)
	must(pki.WritePEM(out, a.Racine()))
	must(out.Close())
	dnsAddr := serveDNS()
	addrs := make([]string, len(f.Serveurs))
	for i, s := range f.Serveurs {
		addrs[i] = s.Addr
	}
	must(json.NewEncoder(os.Stdout).Encode(map[string]any{"serveurs": addrs, "dns": dnsAddr}))
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
}

// serveDNS answers, over UDP on a free loopback port, NAME.bench.test with
// a CNAME to h-NAME.op.bench.test, and that name with 127.0.0.1.
func serveDNS() string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	must(err)
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(answer)}
	go func() { must(srv.ActivateAndServe()) }()
	return pc.LocalAddr().String()
}

func answer(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	if len(r.Question) != 1 || !strings.HasSuffix(r.Question[0].Name, Zone) {
		m.Rcode = dns.RcodeRefused
		w.WriteMsg(m)
		return
	}
	q := r.Question[0]
	target := q.Name
	if !strings.HasSuffix(q.Name, ".op."+Zone) {
		target = "h-" + strings.TrimSuffix(q.Name, "."+Zone) + ".op." + Zone
		m.Answer = append(m.Answer, &dns.CNAME{Hdr: dns.RR_Header{Name: q.Name,
			Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 60}, Target: target})
	}
	if q.Qtype == dns.TypeA {
		m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: target, Rrtype: dns.TypeA,
			Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(127, 0, 0, 1)})
	}
	w.WriteMsg(m)
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

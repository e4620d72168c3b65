// Command dnsserve serves a generated DRIM-M zone from the embedded server
// of internal/dns until it is killed, so that bench/dns.sh can load it with
// dnsperf next to Knot. It can also write the same zone as a master file
// and the matching dnsperf query file.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"confiance/internal/dns"
)

const origin = "mesimagesmedicales.fr."

func main() {
	addr := flag.String("addr", "", "adresse d'écoute host:port (vide : ne pas servir)")
	n := flag.Int("n", 20000, "nombre d'enregistrements CNAME")
	zoneFile := flag.String("zone-file", "", "écrire la zone au format maître dans ce fichier")
	queries := flag.String("queries", "", "écrire les requêtes dnsperf dans ce fichier")
	freePort := flag.Bool("free-port", false, "afficher un port libre en TCP et UDP et quitter")
	flag.Parse()
	if *freePort {
		fmt.Println(pickPort())
		return
	}
	recs := records(*n)
	if *zoneFile != "" {
		must(writeZone(*zoneFile, recs))
	}
	if *queries != "" {
		must(writeQueries(*queries, recs))
	}
	if *addr != "" {
		serve(*addr, recs)
	}
}

// records builds n CNAMEs named as ANS allocates them.
func records(n int) []dns.Record {
	out := make([]dns.Record, 0, n)
	for i := 0; len(out) < n; i++ {
		id, ap := 100+i/4, i%4+1
		host := fmt.Sprintf("pacs%d.operateur%d.example.", ap, id%50)
		out = append(out, dns.Record{Name: fmt.Sprintf("db%d.%d.%s", ap, id, origin),
			Target: "drimbox-" + host})
		if len(out) < n {
			out = append(out, dns.Record{Name: fmt.Sprintf("vi%d.%d.%s", ap, id, origin),
				Target: "viewer-" + host})
		}
	}
	return out
}

func serve(addr string, recs []dns.Record) {
	s, err := dns.NewServer(dns.ServerConfig{Zone: dns.ZoneConfig{Origin: origin,
		NS: []string{"ns1." + origin}}, Addr: addr}, recs)
	must(err)
	must(s.Start())
	log.Printf("zone %s (%d CNAME) servie sur %s", origin, len(recs), s.Addr())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	must(s.Close())
}

func writeZone(path string, recs []dns.Record) error {
	return writeLines(path, func(w *bufio.Writer) {
		fmt.Fprintf(w, "$ORIGIN %s\n$TTL 3600\n", origin)
		fmt.Fprintln(w, "@ SOA ns1 hostmaster 1 3600 600 1209600 300")
		fmt.Fprintln(w, "@ NS ns1\nns1 A 127.0.0.1")
		for _, r := range recs {
			fmt.Fprintf(w, "%s CNAME %s\n", r.Name, r.Target)
		}
	})
}

func writeQueries(path string, recs []dns.Record) error {
	return writeLines(path, func(w *bufio.Writer) {
		for _, r := range recs {
			fmt.Fprintf(w, "%s A\n", r.Name)
		}
	})
}

func writeLines(path string, body func(*bufio.Writer)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	body(w)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// pickPort returns a loopback port free for both TCP and UDP.
func pickPort() int {
	for i := 0; i < 20; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		must(err)
		port := ln.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port))
		ln.Close()
		if err == nil {
			pc.Close()
			return port
		}
	}
	log.Fatal("aucun port libre")
	return 0
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

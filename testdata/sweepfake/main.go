// Command sweepfake serves a fake iamport server (iamporttest) on a loopback
// port, with n subscribers whose first monthly cycle was charged in the last
// day and whose webhooks were all lost. BenchmarkSweepScale runs it in a
// process of its own, so that what it measures in its own process is the
// sweep, not the fake's state.
//
// It prints "<api URL> <control URL>" once ready; GET <control URL>/calls
// answers how many requests the fake has seen. It exits when its standard
// input is closed.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// Start is the fake's clock at start; plan i bills first at
// Start + 1h + (i mod 1200) minutes. The benchmark uses the same formula.
var Start = time.Date(2030, 1, 1, 9, 0, 0, 0, time.FixedZone("KST", 9*60*60))

func plan(i int) *iamport.Plan {
	return &iamport.Plan{CustomerUID: fmt.Sprintf("bench_cust_%06d", i), Amount: 8900, Name: "Monthly subscription",
		Anchor: Start.Add(time.Hour + time.Duration(i%(20*60))*time.Minute)}
}

func main() {
	n := flag.Int("n", 10000, "subscribers")
	flag.Parse()
	srv := iamporttest.NewServer(iamporttest.WithStartTime(Start))
	defer srv.Close()
	c, err := iamport.New(srv.APIKey, srv.APISecret, iamport.WithBaseURL(srv.URL), iamport.WithHTTPClient(srv.HTTPClient()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for i := range *n {
		p := plan(i)
		if _, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: p.CustomerUID,
			CardNumber: iamporttest.CardApproved, Expiry: "2035-12"}); err != nil {
			log.Fatal(err)
		}
		if _, err := c.ScheduleCycle(ctx, p, 1); err != nil {
			log.Fatal(err)
		}
	}
	srv.Advance(22 * time.Hour)

	routes := [][2]string{
		{"POST", "/users/getToken"}, {"GET", "/subscribe/payments/schedule"}, {"GET", "/payments"},
		{"GET", "/payments/{imp_uid}"}, {"POST", "/subscribe/payments/schedule"},
		{"GET", "/subscribe/payments/schedule/{merchant_uid}"}, {"POST", "/subscribe/payments/unschedule"},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/calls", func(w http.ResponseWriter, _ *http.Request) {
		total := 0
		for _, r := range routes {
			total += srv.Calls(r[0], r[1])
		}
		fmt.Fprint(w, total)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		srv.Close()
		os.Exit(0)
	}()
	fmt.Printf("%s http://%s\n", srv.URL, ln.Addr())
	log.Fatal((&http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}).Serve(ln))
}

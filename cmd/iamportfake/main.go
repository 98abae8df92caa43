// Command iamportfake runs the iamporttest fake of the iamport (PortOne V1)
// REST API as a standalone server, so that code in any language, and
// docker-compose integration tests, can take payments against it:
//
//	go run github.com/iamport-go/iamport/cmd/iamportfake -addr 127.0.0.1:8080
//
// It prints its URL and the test credentials, and serves the API at the root
// and a small admin API under /__admin/ (GET /__admin/ lists it): move the
// fake clock, list what it recorded, inject faults, pay into a virtual
// account. It binds a loopback address unless -allow-remote is given: it
// accepts a well-known secret and must not be reachable from a network.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/iamport-go/iamport/iamporttest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "iamportfake:", err)
		os.Exit(2)
	}
}

// run parses args, serves until ctx ends, and reports where it listens on
// out.
func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("iamportfake", flag.ContinueOnError)
	fs.SetOutput(out)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	key := fs.String("key", iamporttest.DefaultAPIKey, "REST API key the fake accepts")
	secret := fs.String("secret", iamporttest.DefaultAPISecret, "REST API secret the fake accepts")
	webhook := fs.String("webhook", "", "default webhook URL (the console's Notification URL)")
	form := fs.Bool("webhook-form", false, "send webhooks form-encoded instead of JSON")
	sandbox := fs.Bool("sandbox", false, "act as a test channel: payments carry sandbox: true")
	start := fs.String("start", "", "start the fake clock at this RFC 3339 time (default now)")
	remote := fs.Bool("allow-remote", false, "allow a non-loopback -addr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := checkLoopback(*addr, *remote); err != nil {
		return err
	}
	opts := []iamporttest.Option{iamporttest.WithCredentials(*key, *secret)}
	if *webhook != "" {
		opts = append(opts, iamporttest.WithWebhookURL(*webhook))
	}
	if *form {
		opts = append(opts, iamporttest.WithWebhookForm())
	}
	if *sandbox {
		opts = append(opts, iamporttest.WithSandbox())
	}
	if *start != "" {
		t, err := time.Parse(time.RFC3339, *start)
		if err != nil {
			return fmt.Errorf("-start: %w", err)
		}
		opts = append(opts, iamporttest.WithStartTime(t))
	}
	srv := iamporttest.NewInProcess(opts...)
	defer srv.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	mux.Handle("/__admin/", newAdmin(srv))
	mux.Handle("/", srv.Handler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}

	fmt.Fprintf(out, "iamportfake listening on %s\n", url)
	fmt.Fprintf(out, "  API key:    %s\n  API secret: %s\n", srv.APIKey, srv.APISecret)
	fmt.Fprintf(out, "  test OTP:   %s (certifications)\n", iamporttest.TestOTP)
	fmt.Fprintf(out, "  admin API:  %s/__admin/\n", url)

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		_ = hs.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// checkLoopback refuses an address that is not a loopback one, unless
// remote allows it.
func checkLoopback(addr string, remote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	if remote || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-addr %s is not a loopback address: the fake accepts a well-known secret, so pass -allow-remote to serve it on a network", addr)
}

package iamporttest

import (
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/iamport-go/iamport"
)

// Default credentials the fake accepts unless WithCredentials says otherwise.
const (
	// DefaultAPIKey is the REST API key a Server accepts by default.
	DefaultAPIKey = "test_api_key"
	// DefaultAPISecret is the REST API secret a Server accepts by default.
	DefaultAPISecret = "test_api_secret"
)

// inProcessURL is the base URL of a server made by NewInProcess. The host is
// reserved (RFC 6761), so nothing can ever be sent there by mistake.
const inProcessURL = "http://iamport.test"

// Server is a fake iamport server. Make one with NewServer (on a loopback
// port) or NewInProcess (no socket), point an iamport.Client at it with
// Client, and Close it when done. It is safe for concurrent use.
//
// A Server formats as a short redacted description under every fmt verb,
// so printing it never shows APISecret or a token.
type Server struct {
	URL       string // base URL, no trailing slash
	APIKey    string // the REST API key the fake accepts
	APISecret string // the REST API secret the fake accepts

	c *core
}

// config is what the options set.
type config struct {
	apiKey, apiSecret string
	webhookURL        string
	webhookForm       bool
	start             time.Time
	webhookClient     *http.Client
	sandbox           bool
	lossRate          float64 // WithWebhookLossRate
	lossSeed          uint64
	latMin, latMax    time.Duration // processing latency (WithLatency)
	pendingVisible    bool          // a processing charge shows as ready
	lag               time.Duration // lookup lag (WithLookupLag)
	seed              uint64
	seedSet           bool
}

// Option configures a Server in NewServer and NewInProcess.
type Option func(*config)

// WithCredentials sets the REST API key and secret the fake accepts
// (default DefaultAPIKey and DefaultAPISecret).
func WithCredentials(apiKey, apiSecret string) Option {
	return func(c *config) { c.apiKey, c.apiSecret = apiKey, apiSecret }
}

// WithWebhookURL sets the default webhook target, the URL a merchant enters
// in the iamport console. A notice_url given with a payment or schedule
// overrides it. Without either, no webhook is sent.
func WithWebhookURL(url string) Option {
	return func(c *config) { c.webhookURL = url }
}

// WithWebhookForm makes the fake send webhooks as
// application/x-www-form-urlencoded instead of JSON, the other format the
// console offers.
func WithWebhookForm() Option {
	return func(c *config) { c.webhookForm = true }
}

// WithStartTime sets the fake clock's start (default time.Now()). The clock
// then moves only when Advance or SetTime moves it.
func WithStartTime(t time.Time) Option {
	return func(c *config) { c.start = t }
}

// WithWebhookClient sets the HTTP client the fake POSTs webhooks with
// (default: a client with a 10s timeout).
func WithWebhookClient(hc *http.Client) Option {
	return func(c *config) {
		if hc != nil {
			c.webhookClient = hc
		}
	}
}

// WithSandbox makes the fake act as an account whose channel is a test
// channel: payments and billing keys carry sandbox: true, and GET
// /payments/{imp_uid} answers 404 for a payment unless include_sandbox=true
// is given, as the real API does. By default the fake stands in for a live
// account (sandbox: false).
func WithSandbox() Option {
	return func(c *config) { c.sandbox = true }
}

func newConfig(opts []Option) config {
	cfg := config{apiKey: DefaultAPIKey, apiSecret: DefaultAPISecret}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.start.IsZero() {
		cfg.start = time.Now()
	}
	if cfg.webhookClient == nil {
		cfg.webhookClient = &http.Client{Timeout: 10 * time.Second}
	}
	return cfg
}

// NewServer starts a fake iamport server on a loopback port (127.0.0.1:0).
// Its URL is "http://127.0.0.1:<port>". Close it when done.
func NewServer(opts ...Option) *Server {
	s := newServer(newConfig(opts))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if ln, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			panic(fmt.Sprintf("iamporttest: failed to listen on a loopback port: %v", err))
		}
	}
	s.URL = "http://" + ln.Addr().String()
	s.c.addr = ln.Addr().String()
	s.c.hs = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	s.c.socketTransport = &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     30 * time.Second,
	}
	go func() { _ = s.c.hs.Serve(ln) }()
	return s
}

// NewInProcess returns a fake iamport server that opens no socket at all:
// its URL is "http://iamport.test" and it is reached only through
// HTTPClient, Transport or Client. Close it when done.
func NewInProcess(opts ...Option) *Server {
	s := newServer(newConfig(opts))
	s.URL = inProcessURL
	s.c.addr = "iamport.test:80"
	return s
}

func newServer(cfg config) *Server {
	c := &core{
		cfg:        cfg,
		now:        cfg.start,
		closed:     make(chan struct{}),
		keys:       map[string]*billingKey{},
		byImp:      map[string]*payment{},
		byMerchant: map[string][]*payment{},
		schedules:  map[string]*schedule{},
		prepared:   map[string]*prepared{},
		declines:   map[string]*decline{},
		calls:      map[string]int{},
		busy:       map[string]int{},
		changed:    make(chan struct{}),
	}
	return &Server{APIKey: cfg.apiKey, APISecret: cfg.apiSecret, c: c}
}

// Close shuts the server down: the socket of a NewServer server is closed,
// requests in flight are cut off, and requests through HTTPClient, Transport
// or Client fail from then on. Close may be called more than once.
func (s *Server) Close() {
	c := s.c
	c.closeOnce.Do(func() {
		close(c.closed)
		if c.hs != nil {
			_ = c.hs.Close()
		}
		if c.socketTransport != nil {
			c.socketTransport.CloseIdleConnections()
		}
	})
}

// Client returns an iamport.Client pointed at the fake with its credentials.
// For a NewServer server it talks over the loopback socket (through a
// RoundTripper that can refuse a connection, see FaultRefuseConnection); for
// a NewInProcess server through Transport. opts are applied after the fake's
// own, so they may replace WithBaseURL or WithHTTPClient. Client panics if an
// option is invalid, as a test helper should.
func (s *Server) Client(opts ...iamport.Option) *iamport.Client {
	hc := s.HTTPClient()
	if s.c.socketTransport != nil {
		hc = &http.Client{Transport: &refusingTransport{s: s, base: s.c.socketTransport}}
	}
	all := append([]iamport.Option{iamport.WithBaseURL(s.URL), iamport.WithHTTPClient(hc)}, opts...)
	cl, err := iamport.New(s.APIKey, s.APISecret, all...)
	if err != nil {
		panic(fmt.Sprintf("iamporttest: Client: %v", err))
	}
	return cl
}

// HTTPClient returns an *http.Client that serves every request in-process
// through the fake's handler, without a socket, whatever host the request
// names. It works for servers made by NewServer too.
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: s.Transport()}
}

// Transport returns the http.RoundTripper behind HTTPClient: it serves each
// request in-process and applies injected faults as a network would (see
// FaultKind).
func (s *Server) Transport() http.RoundTripper { return &inProcessTransport{s: s} }

// Handler returns the fake's http.Handler, for users who mount it on a
// server of their own. Faults that drop the connection need a ResponseWriter
// that supports http.Hijacker (any net/http server's does); without one the
// handler aborts with http.ErrAbortHandler.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// String describes s without its secret or any token.
func (s Server) String() string {
	return fmt.Sprintf("iamporttest.Server{URL: %s, APIKey: %s, APISecret: [REDACTED]}", s.URL, s.APIKey)
}

// GoString is String, for %#v.
func (s Server) GoString() string { return s.String() }

// Format prints String for every verb, so the secret never shows.
func (s Server) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// LogValue logs String, for log/slog.
func (s Server) LogValue() slog.Value { return slog.StringValue(s.String()) }

// errClosed is returned by the in-process transport after Close.
var errClosed = errors.New("iamporttest: server closed")

// core is the fake's state. Everything below mu is guarded by it.
type core struct {
	cfg             config
	addr            string
	hs              *http.Server
	socketTransport *http.Transport
	closed          chan struct{}
	closeOnce       sync.Once

	mu       sync.Mutex
	now      time.Time
	seq      int64     // orders every record the fake makes
	payN     int64     // payments made, numbers imp_uids
	curToken string    // the one live token: a new one replaces it
	tokenExp time.Time // when curToken expires
	payments []*payment
	byImp    map[string]*payment
	// byMerchant holds each order's payments, so that alreadyPaid does not
	// scan every payment.
	byMerchant map[string][]*payment
	// due holds the pending schedules by schedule_at, so that moving the
	// clock does not scan every schedule (see dueQueue).
	due       dueQueue
	keys      map[string]*billingKey
	schedules map[string]*schedule
	schedList []*schedule
	prepared  map[string]*prepared
	declines  map[string]*decline
	faults    []*faultEntry
	calls     map[string]int
	webhooks  []WebhookDelivery
	pgs       *pgState    // see pg()
	area      *areaState  // virtual accounts, receipts, certifications, escrow, tiers
	losses    []*lossRule // LoseWebhooks
	lossRand  *rand.Rand  // WithWebhookLossRate

	faultFunc func(FaultRequest) (Fault, bool)
	decisions map[string]decision // fault decisions on their way to the handler
	decN      int64

	rng      *rand.Rand     // draws latencies
	inFlight int            // requests processing in the background
	busy     map[string]int // ids of those requests, for Await
	changed  chan struct{}  // closed and replaced when one finishes
}

// next returns the next sequence number. Call with mu held.
func (c *core) next() int64 {
	c.seq++
	return c.seq
}

// nowSec is the fake clock truncated to the second, as the API reports time.
func (c *core) nowSec() iamport.Time { return iamport.Unix(c.now.Unix()) }

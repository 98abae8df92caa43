package iamporttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/iamport-go/iamport/internal/wire"
)

// FaultKind is a way a request can go wrong between the merchant's server
// and iamport. Kinds ending in BeforeProcessing leave the fake's state
// untouched; kinds ending in AfterProcessing run the request to completion
// (the payment is made, the refund applied, its webhook sent) and then lose
// or spoil the answer — the case where a client must not simply send the
// request again.
//
// Faults work the same way through Client, HTTPClient and Transport, and for
// requests reaching Handler over a socket, except where noted.
//
// A Delay on the Drop and Status kinds makes the fault wait that long (real
// time) before it drops the connection or answers, as a gateway does that
// times out with 504 or 408, or a connection reset after a long wait: before
// processing, the request is then not processed (nor if the client gives up
// meanwhile); after processing, it was. The WhileProcessing kinds lose the
// answer while the request is still being processed (see WithLatency): the
// processing goes on and completes later.
type FaultKind int

// The fault kinds.
const (
	// FaultRefuseConnection refuses the connection before anything is sent:
	// the client sees a *net.OpError with Op "dial" (ECONNREFUSED). With a
	// socket, a listening port cannot refuse one request, so the refusal
	// happens in the RoundTripper that Client uses; a request that reaches
	// Handler some other way has its connection dropped instead.
	FaultRefuseConnection FaultKind = iota + 1
	// FaultDropBeforeProcessing reads the request, then drops the
	// connection without processing it (in-process: a *net.OpError with Op
	// "read", ECONNRESET).
	FaultDropBeforeProcessing
	// FaultDropAfterProcessing processes and commits the request, then drops
	// the connection before the response.
	FaultDropAfterProcessing
	// FaultStatusBeforeProcessing answers Fault.Status (default 502) with an
	// HTML body, as a proxy would, without processing the request.
	FaultStatusBeforeProcessing
	// FaultStatusAfterProcessing processes and commits the request, then
	// answers Fault.Status (default 500) with an HTML body.
	FaultStatusAfterProcessing
	// FaultTruncateAfterProcessing processes and commits the request, then
	// answers HTTP 200 with the first half of the JSON body.
	FaultTruncateAfterProcessing
	// FaultDelayBeforeProcessing waits Fault.Delay, then processes the
	// request normally. If the client gives up while it waits, the request
	// is not processed.
	FaultDelayBeforeProcessing
	// FaultDelayAfterProcessing processes and commits the request, then
	// waits Fault.Delay before answering; a client that gives up meanwhile
	// loses the answer.
	FaultDelayAfterProcessing
	// FaultUnauthorized answers HTTP 401 with the JSON envelope, as for an
	// expired token, without processing the request.
	FaultUnauthorized
	// FaultStatusWhileProcessing starts processing the request and answers
	// Fault.Status (default 504) with an HTML body once Fault.Delay has
	// passed, as a gateway that gives up on a slow upstream: the processing
	// goes on in the background and completes after its latency.
	FaultStatusWhileProcessing
	// FaultDropWhileProcessing starts processing the request and drops the
	// connection once Fault.Delay has passed; the processing goes on in the
	// background and completes after its latency.
	FaultDropWhileProcessing
)

var faultNames = map[FaultKind]string{
	FaultRefuseConnection:        "FaultRefuseConnection",
	FaultDropBeforeProcessing:    "FaultDropBeforeProcessing",
	FaultDropAfterProcessing:     "FaultDropAfterProcessing",
	FaultStatusBeforeProcessing:  "FaultStatusBeforeProcessing",
	FaultStatusAfterProcessing:   "FaultStatusAfterProcessing",
	FaultTruncateAfterProcessing: "FaultTruncateAfterProcessing",
	FaultDelayBeforeProcessing:   "FaultDelayBeforeProcessing",
	FaultDelayAfterProcessing:    "FaultDelayAfterProcessing",
	FaultUnauthorized:            "FaultUnauthorized",
	FaultStatusWhileProcessing:   "FaultStatusWhileProcessing",
	FaultDropWhileProcessing:     "FaultDropWhileProcessing",
}

// String returns the kind's name.
func (k FaultKind) String() string {
	if n, ok := faultNames[k]; ok {
		return n
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault is a fault to inject with InjectFault or SetFaultFunc. The zero
// Kind is no fault: a Fault{Latency: d} only slows the request down.
type Fault struct {
	Kind   FaultKind
	Status int           // HTTP status for the Status kinds (defaults 502 before, 500 after, 504 while)
	Delay  time.Duration // wait for the Delay kinds; for the Drop and Status kinds, how long before they act
	// Latency, if positive, is this request's processing time, in place of
	// the one WithLatency draws (it applies to the same requests).
	Latency time.Duration
}

// FaultRequest describes a request to the function given to SetFaultFunc.
type FaultRequest struct {
	Method string // upper case
	Route  string // the endpoint's path template, as for InjectFault
	// IDs are the merchant_uids, imp_uids and customer_uids the request
	// names in its path and body (schedule entries included), so that a
	// test can tell which of its operations a request belongs to.
	IDs []string
}

// SetFaultFunc makes the fake ask fn, for every request that no fault
// injected with InjectFault matches, whether it suffers a fault: fn returns
// the fault and true, or false for none. fn is called without the fake's
// lock, concurrently for concurrent requests, and must not block for long.
// nil removes it. Over a socket, fn is asked in the RoundTripper of Client
// (so that FaultRefuseConnection can refuse); requests reaching Handler some
// other way are asked in the handler.
func (s *Server) SetFaultFunc(fn func(FaultRequest) (Fault, bool)) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faultFunc = fn
}

type faultEntry struct {
	method, route string
	left          int
	f             Fault
}

// InjectFault makes the next times requests matching method and route
// suffer f. route is the endpoint's path template as the API reference
// writes it, e.g. "/subscribe/payments/again", "/payments/{imp_uid}" or
// "/payments/find/{merchant_uid}" (the optional status segment is a route of
// its own, "/payments/find/{merchant_uid}/{payment_status}"); "" matches any
// route. method "" matches any method. Faults are consumed in the order they
// were injected; times < 1 injects nothing.
func (s *Server) InjectFault(method, route string, times int, f Fault) {
	if times < 1 {
		return
	}
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults = append(c.faults, &faultEntry{method: strings.ToUpper(method), route: route, left: times, f: f})
}

// Calls returns how many requests the fake has seen for method and route
// (the path template, as for InjectFault), faulted ones included. method ""
// counts every method. A request that matched no endpoint is counted under
// its raw path.
func (s *Server) Calls(method, route string) int {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	method = strings.ToUpper(method)
	if method != "" {
		return c.calls[callKey(method, route)]
	}
	n := 0
	for k, v := range c.calls {
		if _, r, ok := strings.Cut(k, " "); ok && r == route {
			n += v
		}
	}
	return n
}

// take counts a request for method and route and consumes the first fault
// that matches it, or asks the fault function (with the request's ids) when
// none does. With onlyRefuse, it does either only when that fault is
// FaultRefuseConnection (the refusing RoundTripper's check without a fault
// function).
func (c *core) take(method, route string, ids func() []string, onlyRefuse bool) (Fault, bool) {
	f, ok, ff := c.takeInjected(method, route, onlyRefuse)
	if ff == nil {
		return f, ok
	}
	f, ok = ff(FaultRequest{Method: method, Route: route, IDs: ids()})
	if !ok {
		return Fault{}, false
	}
	return withDefaultStatus(f), true
}

// hasFaultFunc reports whether a fault function is set.
func (c *core) hasFaultFunc() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.faultFunc != nil
}

// takeInjected is take for the injected faults. When none matches and a
// fault function is set (and onlyRefuse is false), it returns that function
// for the caller to ask without the lock.
func (c *core) takeInjected(method, route string, onlyRefuse bool) (Fault, bool, func(FaultRequest) (Fault, bool)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	idx := -1
	for i, fe := range c.faults {
		if (fe.method == "" || fe.method == method) && (fe.route == "" || fe.route == route) {
			idx = i
			break
		}
	}
	if onlyRefuse && (idx < 0 || c.faults[idx].f.Kind != FaultRefuseConnection) {
		return Fault{}, false, nil
	}
	c.calls[callKey(method, route)]++
	if idx < 0 {
		return Fault{}, false, c.faultFunc
	}
	fe := c.faults[idx]
	fe.left--
	if fe.left <= 0 {
		c.faults = append(c.faults[:idx], c.faults[idx+1:]...)
	}
	return withDefaultStatus(fe.f), true, nil
}

// withDefaultStatus fills in the default status of the Status kinds.
func withDefaultStatus(f Fault) Fault {
	if f.Status == 0 {
		switch f.Kind {
		case FaultStatusBeforeProcessing:
			f.Status = http.StatusBadGateway
		case FaultStatusAfterProcessing:
			f.Status = http.StatusInternalServerError
		case FaultStatusWhileProcessing:
			f.Status = http.StatusGatewayTimeout
		}
	}
	return f
}

// wait sleeps d, or until ctx ends or the server closes.
func (c *core) wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	if err := wire.Sleep(ctx, d, c.closed); err != wire.ErrStopped {
		return err
	}
	return errClosed
}

// readIncoming reads a request body through the size cap.
func readIncoming(method string, r *http.Request) *incoming {
	in := &incoming{method: method, url: r.URL, header: r.Header}
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		_ = r.Body.Close()
		if err == nil || len(b) > 0 {
			in.body = b
		}
		if len(b) > maxBody {
			in.tooBig, in.body = true, nil
		}
	}
	if in.header == nil {
		in.header = http.Header{}
	}
	return in
}

// serveHTTP is the handler: it serves a request over a socket or whatever
// server the user mounted it on.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if rec := recover(); rec != nil {
			if rec == http.ErrAbortHandler {
				panic(rec)
			}
			writeResponse(w, internalErrorResponse())
		}
	}()
	method := requestMethod(r)
	in := readIncoming(method, r)
	m := resolve(method, r.URL)
	f, faulty, decided := s.c.popDecision(r.Header.Get(decidedHeader))
	if !decided {
		f, faulty = s.c.take(method, m.key, func() []string { return in.ids(m) }, false)
	}
	resp, err := s.serveFaulty(r.Context(), m, in, f, faulty)
	switch {
	case err == errDropped:
		drop(w)
	case err == nil:
		writeResponse(w, resp)
	}
}

// errDropped is serveFaulty's word that the connection must be dropped.
var errDropped = errors.New("iamporttest: connection dropped")

// serveFaulty answers one routed request, applying fault f (when faulty)
// before, while or after processing it. It returns errDropped when the
// connection is to be dropped (FaultRefuseConnection included: a socket
// that already accepted can only drop), and the context's or the server's
// error when the client gave up first. Both transports share it, so a fault
// acts the same way with and without a socket.
func (s *Server) serveFaulty(ctx context.Context, m match, in *incoming, f Fault, faulty bool) (response, error) {
	c := s.c
	if faulty {
		switch f.Kind {
		case FaultRefuseConnection:
			return response{}, errDropped
		case FaultDropBeforeProcessing, FaultStatusBeforeProcessing, FaultDelayBeforeProcessing:
			if err := c.wait(ctx, f.Delay); err != nil {
				return response{}, err
			}
			switch f.Kind {
			case FaultDropBeforeProcessing:
				return response{}, errDropped
			case FaultStatusBeforeProcessing:
				return htmlResponse(f.Status), nil
			}
		case FaultUnauthorized:
			return unauthorizedResponse(), nil
		}
	}
	resp, pr := s.exec(m, in, f.Latency)
	if faulty && (f.Kind == FaultStatusWhileProcessing || f.Kind == FaultDropWhileProcessing) {
		// The answer is lost now; the processing goes on without it.
		if err := c.wait(ctx, f.Delay); err != nil {
			return response{}, err
		}
		if f.Kind == FaultDropWhileProcessing {
			return response{}, errDropped
		}
		return htmlResponse(f.Status), nil
	}
	if pr != nil {
		var err error
		if resp, err = c.waitProcessing(ctx, pr); err != nil {
			return response{}, err
		}
	}
	if faulty {
		switch f.Kind {
		case FaultDropAfterProcessing, FaultStatusAfterProcessing, FaultDelayAfterProcessing:
			if err := c.wait(ctx, f.Delay); err != nil {
				return response{}, err
			}
			switch f.Kind {
			case FaultDropAfterProcessing:
				return response{}, errDropped
			case FaultStatusAfterProcessing:
				resp = htmlResponse(f.Status)
			}
		case FaultTruncateAfterProcessing:
			resp.body = resp.body[:len(resp.body)/2]
		}
	}
	return resp, nil
}

// ids lists what the request names (see requestIDs), for a fault function.
func (in *incoming) ids(m match) []string {
	body, _ := parseBody(in.header.Get("Content-Type"), in.body)
	return requestIDs(m.params, body)
}

// decidedHeader carries, from the RoundTripper of Client to the handler,
// the key of the fault the fault function chose for a request, so that it
// is asked once per request.
const decidedHeader = "X-Iamporttest-Fault"

type decision struct {
	f      Fault
	faulty bool
}

// stash keeps a fault decision for the handler and returns its key.
func (c *core) stash(f Fault, faulty bool) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.decN++
	key := fmt.Sprint(c.decN)
	if c.decisions == nil {
		c.decisions = map[string]decision{}
	}
	c.decisions[key] = decision{f, faulty}
	return key
}

// popDecision takes the decision stashed under key, if any.
func (c *core) popDecision(key string) (Fault, bool, bool) {
	if key == "" {
		return Fault{}, false, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.decisions[key]
	delete(c.decisions, key)
	return d.f, d.faulty, ok
}

// requestMethod is the request's method in upper case, GET when empty (as
// net/http reads an empty client method).
func requestMethod(r *http.Request) string {
	if r.Method == "" {
		return http.MethodGet
	}
	return strings.ToUpper(r.Method)
}

func writeResponse(w http.ResponseWriter, r response) {
	h := w.Header()
	h.Set("Content-Type", r.ctype)
	h.Set("Content-Length", fmt.Sprint(len(r.body)))
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body)
}

func htmlResponse(status int) response {
	return response{status: status, body: htmlPage(status), ctype: "text/html"}
}

func unauthorizedResponse() response {
	return jsonResponse(failResult(http.StatusUnauthorized, -1, msgUnauthorized))
}

// internalErrorResponse is the answer to a request the fake failed on.
func internalErrorResponse() response {
	return jsonResponse(failResult(http.StatusInternalServerError, -1, "일시적인 오류가 발생했습니다."))
}

// drop closes the connection under the request abruptly (with a TCP reset
// where possible).
func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// fakeAddr is the fake's network address in in-process errors.
type fakeAddr string

func (a fakeAddr) Network() string { return "tcp" }
func (a fakeAddr) String() string  { return string(a) }

func refusedError(addr string) error {
	return &net.OpError{Op: "dial", Net: "tcp", Addr: fakeAddr(addr), Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}

func resetError(addr string) error {
	return &net.OpError{Op: "read", Net: "tcp", Addr: fakeAddr(addr), Err: os.NewSyscallError("read", syscall.ECONNRESET)}
}

// inProcessTransport serves requests by calling the fake directly.
type inProcessTransport struct{ s *Server }

// RoundTrip serves req in-process, applying injected faults as errors or
// spoiled answers.
func (t *inProcessTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.s.c
	closeBody := func() {
		if req.Body != nil {
			_ = req.Body.Close()
		}
	}
	select {
	case <-c.closed:
		closeBody()
		return nil, refusedError(c.addr)
	default:
	}
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		closeBody()
		return nil, err
	}
	method := requestMethod(req)
	m := resolve(method, req.URL)
	in := readIncoming(method, req)
	f, faulty := c.take(method, m.key, func() []string { return in.ids(m) }, false)
	if faulty && f.Kind == FaultRefuseConnection {
		return nil, refusedError(c.addr)
	}
	if trace := httptrace.ContextClientTrace(ctx); trace != nil {
		if trace.WroteHeaders != nil {
			trace.WroteHeaders()
		}
		if trace.WroteRequest != nil {
			trace.WroteRequest(httptrace.WroteRequestInfo{})
		}
	}
	resp, err := t.s.serveFaulty(ctx, m, in, f, faulty)
	switch {
	case err == errDropped:
		return nil, resetError(c.addr)
	case err != nil:
		return nil, err
	}
	return toHTTPResponse(req, resp), nil
}

func toHTTPResponse(req *http.Request, r response) *http.Response {
	h := http.Header{}
	h.Set("Content-Type", r.ctype)
	h.Set("Content-Length", fmt.Sprint(len(r.body)))
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", r.status, http.StatusText(r.status)),
		StatusCode:    r.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(r.body)),
		ContentLength: int64(len(r.body)),
		Request:       req,
	}
}

// refusingTransport sends requests over the socket, refusing those that a
// FaultRefuseConnection is waiting for.
type refusingTransport struct {
	s    *Server
	base http.RoundTripper
}

// RoundTrip refuses req if a FaultRefuseConnection is due for it, and sends
// it through the socket otherwise.
func (t *refusingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.s.c
	method := requestMethod(req)
	m := resolve(method, req.URL)
	refuse := func() (*http.Response, error) {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, refusedError(c.addr)
	}
	if !c.hasFaultFunc() {
		if _, refused := c.take(method, m.key, nil, true); refused {
			return refuse()
		}
		return t.base.RoundTrip(req)
	}
	f, faulty := c.take(method, m.key, func() []string { return outgoingIDs(req, m) }, false)
	if faulty && f.Kind == FaultRefuseConnection {
		return refuse()
	}
	req = req.Clone(req.Context())
	req.Header.Set(decidedHeader, c.stash(f, faulty))
	return t.base.RoundTrip(req)
}

// outgoingIDs lists what an outgoing request names, reading its body
// through GetBody (without consuming it) where it can.
func outgoingIDs(req *http.Request, m match) []string {
	var body map[string]any
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(rc, maxBody))
			_ = rc.Close()
			body, _ = parseBody(req.Header.Get("Content-Type"), b)
		}
	}
	return requestIDs(m.params, body)
}

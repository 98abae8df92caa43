package iamport_test

import (
	"net/http"
	"strings"
	"sync"
)

// failAfter passes the first pass requests whose path starts with prefix to
// rt, and answers every later one with a 503, as a lookup endpoint that
// went down after the charge was sent.
type failAfter struct {
	rt     http.RoundTripper
	prefix string
	pass   int

	mu   sync.Mutex
	seen int
}

func (f *failAfter) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasPrefix(req.URL.Path, f.prefix) {
		f.mu.Lock()
		f.seen++
		n := f.seen
		f.mu.Unlock()
		if n > f.pass {
			return jsonResponse(http.StatusServiceUnavailable, failure(-1, "service unavailable")), nil
		}
	}
	return f.rt.RoundTrip(req)
}

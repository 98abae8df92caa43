package iamport

import (
	"net/http"
	"sync"

	"github.com/go-resty/resty/v2"
)

// This file holds what makes building one HTTP attempt cheap: requests
// reused between calls, and the request headers built once per token.
//
// Reusing requests and sharing header maps relies on how resty v2.17.2 (the
// version in go.mod) treats a request it is handed. On a resty upgrade,
// re-check in its source, and run TestSendReuseConcurrent with -race:
//   - Client.R still only fills in fields (maps and slices it never writes
//     to when the Client has no headers, query parameters, form data, path
//     parameters or cookies of its own, as this SDK's has none), so that a
//     copy of one R() can serve every request;
//   - the request middlewares (parseRequestHeader, handleContentType) only
//     read Request.Header when it already holds User-Agent, Accept and, with
//     a body, Content-Type, and createHTTPRequest clones it into the
//     http.Request: the map itself is never written to or sent;
//   - an io.Reader body is handed to http.NewRequest as it is (no bodyBuf
//     when SetContentLength is off);
//   - Execute keeps no reference to the Request once it has returned (no
//     retries: RetryCount 0; no hooks are registered).

var restyRequests = sync.Pool{New: func() any { return new(resty.Request) }}

// sendHeaders are the request headers of every call made with one token:
// built once, then only read, by every goroutine that sends with it.
type sendHeaders struct {
	token string
	plain http.Header // requests without a body
	json  http.Header // requests with a JSON body
}

func (c *Client) newSendHeaders(token string) *sendHeaders {
	h := http.Header{}
	h.Set("Accept", "application/json")
	h.Set("User-Agent", userAgent)
	if token != "" {
		if c.bearer {
			h.Set("Authorization", "Bearer "+token)
		} else {
			h.Set("Authorization", token)
		}
	}
	if c.tier != "" {
		h.Set("Tier", c.tier)
	}
	j := h.Clone()
	j.Set("Content-Type", "application/json")
	return &sendHeaders{token: token, plain: h, json: j}
}

// headersFor returns the headers of a request sent with token, with or
// without a body. The maps are shared: they must never be written to.
func (c *Client) headersFor(token string, body bool) http.Header {
	h := c.headers.Load()
	if h == nil || h.token != token {
		h = c.newSendHeaders(token)
		if token != "" { // token requests (no token) are rare: not cached
			c.headers.Store(h)
		}
	}
	if body {
		return h.json
	}
	return h.plain
}

// newRequest returns a request of c.rc as c.rc.R() makes it, reusing one
// handed back with putRequest if there is one. The maps of c.blank are
// shared by every request and only ever read (see the top of this file).
func (c *Client) newRequest() *resty.Request {
	req := restyRequests.Get().(*resty.Request)
	*req = *c.blank
	return req
}

// putRequest hands req back for reuse once Execute has returned; nothing
// may use req, or the Response that points to it, after.
func putRequest(req *resty.Request) {
	*req = resty.Request{} // keep no context, body or header alive
	restyRequests.Put(req)
}

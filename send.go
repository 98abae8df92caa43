package iamport

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/go-resty/resty/v2"
)

// This file holds what makes building and reading one HTTP attempt cheap:
// requests and response buffers reused between calls, and the request
// headers built once per token. attempt.go bounds the attempt in time.
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
//   - parseRequestURL only reads Request.QueryParam (Encode) when the Client
//     has no query parameters of its own, so that one url.Values can serve
//     concurrent requests (attemptsFirstPage, the query of every charge's
//     look at its order's attempts);
//   - Execute keeps no reference to the Request once it has returned (no
//     retries: RetryCount 0; no hooks are registered).

// maxPooledBody is the largest response buffer kept for reuse: big enough
// for a page of 1,000 payments, small enough not to pin a huge answer.
const maxPooledBody = 4 << 20

// bodyBuffer holds one response body; release hands it back for reuse.
type bodyBuffer struct {
	b    []byte
	walk *walk // set on the one buffer of a list walk
}

var (
	bodyBuffers   = sync.Pool{New: func() any { return new(bodyBuffer) }}
	restyRequests = sync.Pool{New: func() any { return new(resty.Request) }}
)

// bodyBufferFor returns the buffer to read an answer to a call made with
// ctx into: the list walk's own buffer (see withWalk) when it is free, or
// one from the pool. A sync.Pool alone would not do for the pages of a
// walk: a buffer put back while the goroutine runs on one P is not found
// from another.
func bodyBufferFor(ctx context.Context) *bodyBuffer {
	if w := walkOf(ctx); w != nil && w.state.CompareAndSwap(walkIdle, walkBusy) {
		return &w.buf
	}
	return bodyBuffers.Get().(*bodyBuffer)
}

// walk is what the pages of one list walk share: the buffer every answer is
// read into, and the length of the last page, to size the next one.
type walk struct {
	buf     bodyBuffer
	state   atomic.Int32 // walkIdle, walkBusy or walkOver
	lastLen int          // used by the walk's own goroutine only
}

// The states of a walk's buffer. The pages of a walk are fetched one after
// the other, but a call made with the walk's context may start a goroutine
// that outlives it (the token fetch, which keeps the context's values): a
// call that finds the buffer busy, or the walk over, takes one from the
// pool instead, and a buffer still busy when the walk ends is left to the
// garbage collector.
const (
	walkIdle int32 = iota
	walkBusy
	walkOver
)

type walkKey struct{}

// withWalk gives the calls made with the context it returns one walk, and a
// function that ends it once the last of them has returned.
func withWalk(ctx context.Context) (context.Context, func()) {
	w := &walk{}
	w.buf.walk = w
	return context.WithValue(ctx, walkKey{}, w), func() {
		if w.state.Swap(walkOver) == walkIdle {
			(&bodyBuffer{b: w.buf.b}).release()
		}
	}
}

// walkOf returns the walk of ctx, or nil.
func walkOf(ctx context.Context) *walk {
	w, _ := ctx.Value(walkKey{}).(*walk)
	return w
}

// release hands the buffer back for reuse: nothing may use its bytes after.
// The buffer of a list walk goes back to the walk.
func (b *bodyBuffer) release() {
	if b == nil {
		return
	}
	if b.walk != nil {
		b.walk.state.CompareAndSwap(walkBusy, walkIdle)
		return
	}
	b.empty()
	bodyBuffers.Put(b)
}

// empty empties b for reuse, dropping a buffer too big to keep.
func (b *bodyBuffer) empty() {
	if cap(b.b) > maxPooledBody {
		b.b = nil
	}
	b.b = b.b[:0]
}

// read reads r, of length n if n > 0, into b, through the size cap, and
// returns the bytes read, which stay valid until b is released.
func (b *bodyBuffer) read(r io.Reader, n int64) ([]byte, error) {
	buf := b.b[:0]
	if n > 0 && n <= maxResponseBytes {
		// The length is known (and enforced by net/http): read exactly that.
		// Reading on to an EOF would grow a full buffer to look for an EOF
		// that a reader such as an HTTP/2 body reports only on a later read.
		if int64(cap(buf)) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		b.b = buf
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	r = io.LimitReader(r, maxResponseBytes+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // let append pick the growth
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			break
		}
		if err != nil {
			b.b = buf
			return nil, err
		}
	}
	b.b = buf
	if len(buf) > maxResponseBytes {
		return nil, fmt.Errorf("response body larger than %d bytes", maxResponseBytes)
	}
	return buf, nil
}

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
	h.Set("User-Agent", c.userAgent)
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

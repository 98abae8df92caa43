package iamporttest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// apiRequest is one parsed request, handed to an endpoint with the fake's
// lock held.
type apiRequest struct {
	method string
	params map[string]string // path parameters, unescaped
	query  url.Values
	body   map[string]any
	header http.Header
}

type endpoint func(c *core, rq *apiRequest) result

// route is one endpoint: method and path template.
type route struct {
	method   string
	template string
	segs     []string
	h        endpoint
	noAuth   bool
	// slow marks the writes that take WithLatency to process; split, the
	// ones among them that check a request on arrival and return the rest
	// of the work as result.commit.
	slow, split bool
}

var routes = buildRoutes()

func buildRoutes() []*route {
	rs := []*route{
		{method: "POST", template: "/users/getToken", h: (*core).getToken, noAuth: true},

		{method: "GET", template: "/payments", h: (*core).getPayments},
		{method: "GET", template: "/payments/{imp_uid}", h: (*core).getPayment},
		{method: "GET", template: "/payments/{imp_uid}/balance", h: (*core).getBalance},
		{method: "GET", template: "/payments/find/{merchant_uid}", h: (*core).findPayment},
		{method: "GET", template: "/payments/find/{merchant_uid}/{payment_status}", h: (*core).findPayment},
		{method: "GET", template: "/payments/findAll/{merchant_uid}", h: (*core).findAllPayments},
		{method: "GET", template: "/payments/findAll/{merchant_uid}/{payment_status}", h: (*core).findAllPayments},
		{method: "GET", template: "/payments/status/{payment_status}", h: (*core).paymentsByStatus},
		{method: "POST", template: "/payments/cancel", h: (*core).cancelPayment, slow: true, split: true},
		{method: "POST", template: "/payments/prepare", h: (*core).preparePayment},
		{method: "PUT", template: "/payments/prepare", h: (*core).updatePrepared},
		{method: "GET", template: "/payments/prepare/{merchant_uid}", h: (*core).getPrepared},

		{method: "POST", template: "/subscribe/payments/onetime", h: (*core).onetime, slow: true, split: true},
		{method: "POST", template: "/subscribe/payments/again", h: (*core).again, slow: true, split: true},
		{method: "POST", template: "/subscribe/payments/schedule", h: (*core).createSchedules, slow: true},
		{method: "GET", template: "/subscribe/payments/schedule", h: (*core).listSchedules},
		{method: "POST", template: "/subscribe/payments/unschedule", h: (*core).unschedule, slow: true},
		{method: "GET", template: "/subscribe/payments/schedule/{merchant_uid}", h: (*core).getSchedule},
		{method: "PUT", template: "/subscribe/payments/schedule/{merchant_uid}", h: (*core).updateSchedule, slow: true},
		{method: "POST", template: "/subscribe/payments/schedule/{merchant_uid}/reschedule", h: (*core).rescheduleSchedule, slow: true},
		{method: "POST", template: "/subscribe/payments/schedule/{merchant_uid}/retry", h: (*core).retrySchedule, slow: true, split: true},
		{method: "GET", template: "/subscribe/payments/schedule/customers/{customer_uid}", h: (*core).customerSchedules},

		{method: "GET", template: "/subscribe/customers", h: (*core).getBillingKeys},
		{method: "GET", template: "/subscribe/customers/{customer_uid}", h: (*core).getBillingKey},
		{method: "POST", template: "/subscribe/customers/{customer_uid}", h: (*core).saveBillingKey, slow: true},
		{method: "DELETE", template: "/subscribe/customers/{customer_uid}", h: (*core).deleteBillingKey},
		{method: "GET", template: "/subscribe/customers/{customer_uid}/payments", h: (*core).billingKeyPayments},
		{method: "GET", template: "/subscribe/customers/{customer_uid}/schedules", h: (*core).customerSchedules},
	}
	rs = slices.Concat(rs, pgRoutes(), vbankRoutes, receiptRoutes, certificationRoutes, escrowRoutes, codeRoutes, accountRoutes)
	for _, r := range rs {
		r.segs = strings.Split(strings.TrimPrefix(r.template, "/"), "/")
	}
	return rs
}

// match is the outcome of routing a request.
type match struct {
	rt     *route
	params map[string]string
	// status is 404 (no such path) or 405 (path known, method not) when rt
	// is nil.
	status int
	// key names the endpoint for Calls and faults: the route template, or
	// the raw path when nothing matched.
	key string
}

// resolve finds the endpoint for method and u. Literal segments win over
// parameters, position by position, so /payments/find/x is find and not
// /payments/{imp_uid}/balance.
func resolve(method string, u *url.URL) match {
	p := u.EscapedPath()
	if len(p) > 1 {
		p = strings.TrimSuffix(p, "/")
	}
	raw := strings.Split(strings.TrimPrefix(p, "/"), "/")
	segs := make([]string, len(raw))
	for i, s := range raw {
		d, err := url.PathUnescape(s)
		if err != nil {
			return match{status: http.StatusNotFound, key: p}
		}
		segs[i] = d
	}
	var best *route
	var bestScore string
	pathKnown := false
	for _, r := range routes {
		score, ok := r.matches(segs)
		if !ok {
			continue
		}
		pathKnown = true
		if r.method != method {
			continue
		}
		if best == nil || score > bestScore {
			best, bestScore = r, score
		}
	}
	if best == nil {
		st := http.StatusNotFound
		if pathKnown {
			st = http.StatusMethodNotAllowed
		}
		return match{status: st, key: p}
	}
	params := map[string]string{}
	for i, s := range best.segs {
		if isParam(s) {
			params[s[1:len(s)-1]] = segs[i]
		}
	}
	return match{rt: best, params: params, key: best.template}
}

func isParam(s string) bool { return strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") }

// matches reports whether segs fit r, with a score that is larger for
// literals earlier in the path.
func (r *route) matches(segs []string) (string, bool) {
	if len(segs) != len(r.segs) {
		return "", false
	}
	var b strings.Builder
	for i, s := range r.segs {
		if isParam(s) {
			if segs[i] == "" {
				return "", false
			}
			b.WriteByte('P')
			continue
		}
		if s != segs[i] {
			return "", false
		}
		b.WriteByte('`') // sorts after 'P'
	}
	return b.String(), true
}

// incoming is a request whose body has been read.
type incoming struct {
	method string
	url    *url.URL
	header http.Header
	body   []byte
	tooBig bool
}

// response is an answer ready to send.
type response struct {
	status int
	body   []byte
	ctype  string
}

// exec answers one routed request: it parses the body, checks the token,
// runs the endpoint under the lock, then delivers the webhooks the endpoint
// produced after releasing it. A panic becomes a 500 answer. A request that
// takes a processing latency (WithLatency) is handed to the background and
// returned as a processing instead of an answer; lat, if positive, replaces
// the latency WithLatency would draw.
func (s *Server) exec(m match, in *incoming, lat time.Duration) (resp response, pr *processing) {
	defer func() {
		if rec := recover(); rec != nil {
			resp, pr = internalErrorResponse(), nil
		}
	}()
	r, d, ids := s.execLocked(m, in, lat)
	if r.commit != nil {
		return response{}, s.process(d, ids, r.commit)
	}
	s.c.deliver(r.hooks)
	return jsonResponse(r), nil
}

// jsonResponse is the answer carrying r's envelope.
func jsonResponse(r result) response {
	return response{status: r.status, body: encodeEnvelope(r), ctype: "application/json; charset=utf-8"}
}

// execLocked runs the endpoint under the lock. Without a latency it returns
// the finished result. With one, a result whose commit is the work left for
// the background, the latency, and the ids it marked busy.
func (s *Server) execLocked(m match, in *incoming, lat time.Duration) (result, time.Duration, []string) {
	c := s.c
	if m.rt == nil {
		if m.status == http.StatusMethodNotAllowed {
			return failResult(http.StatusMethodNotAllowed, -1, "허용되지 않는 HTTP METHOD입니다."), 0, nil
		}
		return notFound("요청하신 API를 찾을 수 없습니다."), 0, nil
	}
	if in.tooBig {
		return failResult(http.StatusRequestEntityTooLarge, -1, "요청 본문이 너무 큽니다."), 0, nil
	}
	body := map[string]any{}
	if in.method != "GET" && in.method != "DELETE" {
		b, err := parseBody(in.header.Get("Content-Type"), in.body)
		if err != nil {
			return badRequest("요청 본문을 해석할 수 없습니다. JSON 또는 form 형식으로 보내주세요."), 0, nil
		}
		body = b
	}
	rq := &apiRequest{method: in.method, params: m.params, query: in.url.Query(), body: body, header: in.header}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !m.rt.noAuth && !c.authorized(in.header) {
		return failResult(http.StatusUnauthorized, -1, msgUnauthorized), 0, nil
	}
	if m.rt.slow {
		d := lat
		if d <= 0 {
			d = c.latency()
		}
		if d > 0 {
			h := m.rt.h
			r := result{commit: func() result { return h(c, rq) }}
			if m.rt.split {
				if r = h(c, rq); r.commit == nil {
					return r, 0, nil // refused on arrival
				}
			}
			ids := append(requestIDs(rq.params, rq.body), r.ids...)
			c.begin(ids)
			return r, d, ids
		}
	}
	r := m.rt.h(c, rq)
	for r.commit != nil {
		hooks := r.hooks
		r = r.commit()
		r.hooks = append(hooks, r.hooks...)
	}
	return r, 0, nil
}

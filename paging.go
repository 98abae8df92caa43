package iamport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"time"
)

// Page is one page of a list the API answers in pages: payments of an order
// (FindPaymentsPage), payments by status, payments of a billing key, and
// schedules. Pages are numbered from 1, as in the API; in a request, a Page
// of 0 leaves the number out, which the API reads as page 1. Previous is 0 on
// the first page and Next is 0 on the last.
//
// Each list method comes in two forms: XxxPage fetches one page, and the
// plain-named method (FindPayments, ListPaymentsByStatus, ...) returns an
// iterator over every item that fetches the pages as the loop needs them:
//
//	for p, err := range client.ListPaymentsByStatus(ctx, req) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(p.ImpUID, p.Amount)
//	}
//
// The API pages by offset: an item created or changed while a listing is
// walked may shift the pages, so that one item is seen twice or not at all.
type Page[T any] struct {
	Total    int `json:"total"`    // items matching the query, across every page
	Previous int `json:"previous"` // previous page number; 0 on the first page
	Next     int `json:"next"`     // next page number; 0 on the last page
	List     []T `json:"list"`     // the items of this page
}

// UnmarshalJSON decodes the API's paged object {total, previous, next, list},
// with numbers given as integers, floats or strings. A bare JSON array, as
// the API documentation shows for the schedule lists, decodes as a single
// last page.
func (p *Page[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '[':
		var list []T
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*p = Page[T]{Total: len(list), List: list}
		return nil
	case string(b) == "null":
		return nil
	}
	var w pageWire[T]
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = *w.page()
	return nil
}

// pageWire is the paged object as the API sends it.
type pageWire[T any] struct {
	Total    LenientInt `json:"total"`
	Previous LenientInt `json:"previous"`
	Next     LenientInt `json:"next"`
	List     []T        `json:"list"`
}

func (w *pageWire[T]) page() *Page[T] {
	return &Page[T]{Total: int(w.Total), Previous: int(w.Previous), Next: int(w.Next), List: w.List}
}

// decodedZero reports whether decoding left w as it was before (an empty
// list may come with room for the page: see paymentPage).
func (w *pageWire[T]) decodedZero() bool {
	return w.Total == 0 && w.Previous == 0 && w.Next == 0 && len(w.List) == 0
}

// paymentPage fetches one page of payments. It decodes the paged object
// straight into pageWire: through Page.UnmarshalJSON, encoding/json would
// scan every page twice more (once to find its end, once to validate it).
// In a list walk, the list is given room for as many payments as the last
// page had, so that decoding does not grow it again and again.
func (c *Client) paymentPage(ctx context.Context, path string, query url.Values) (*Page[Payment], error) {
	var w pageWire[Payment]
	wk := walkOf(ctx)
	if wk != nil && wk.lastLen > 0 {
		w.List = make([]Payment, 0, wk.lastLen)
	}
	if err := c.call(ctx, &request{method: "GET", path: path, query: query}, &w); err != nil {
		return nil, err
	}
	if wk != nil {
		wk.lastLen = len(w.List)
	}
	return w.page(), nil
}

// schedulePage fetches one page of schedules, through Page.UnmarshalJSON,
// which also accepts the bare array the API documents for these lists.
func (c *Client) schedulePage(ctx context.Context, path string, query url.Values) (*Page[Schedule], error) {
	var p Page[Schedule]
	if err := c.call(ctx, &request{method: "GET", path: path, query: query}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Limits of the list endpoints.
const (
	maxPageLimit = 1000
	// paymentsWindow is the longest time range GET /payments/status accepts.
	paymentsWindow = 90 * 24 * time.Hour
	// paymentsStep is how much of a long range the payments-by-status
	// iterator asks for at once: a day inside the limit.
	paymentsStep = 89 * 24 * time.Hour
	// scheduleStep is how much of a long range the schedule iterators ask
	// for at once. The API allows 3 months; three calendar months are never
	// shorter than 89 days.
	scheduleStep = 88 * 24 * time.Hour
)

// checkPaging validates the page and limit of a list request; 0 means the
// API's default.
func checkPaging(page, limit int) error {
	if page < 0 {
		return invalid("page", "must be 1 or more (0 for the first page)")
	}
	if limit < 0 || limit > maxPageLimit {
		return invalid("limit", "must be between 1 and %d (0 for the default, 20)", maxPageLimit)
	}
	return nil
}

func checkScheduleStatus(field string, s ScheduleStatus) error {
	switch s {
	case "", ScheduleStatusScheduled, ScheduleStatusExecuted, ScheduleStatusRevoked:
		return nil
	}
	return invalid(field, "must be scheduled, executed or revoked")
}

// span is a half-open range of Unix seconds [from, to). The zero span with
// set false means "no time filter".
type span struct {
	from, to int64
	set      bool
}

// spans splits [from, to) into consecutive spans of at most step, newest
// first or oldest first, so that every second is in exactly one span.
func spans(from, to time.Time, step time.Duration, newestFirst bool) iter.Seq[span] {
	lo, hi, n := from.Unix(), to.Unix(), int64(step/time.Second)
	return func(yield func(span) bool) {
		if newestFirst {
			for end := hi; end > lo; end -= n {
				if !yield(span{max(lo, end-n), end, true}) {
					return
				}
			}
			return
		}
		for start := lo; start < hi; start += n {
			if !yield(span{start, min(hi, start+n), true}) {
				return
			}
		}
	}
}

// noSpan is the span sequence of a listing without a time filter.
func noSpan(yield func(span) bool) { yield(span{}) }

// paginate walks a listing: for each span, the pages from first (then from 1
// for later spans) following Next. It fetches a page only when the loop has
// used the previous one, keeps no page it has finished, yields a request
// error or the end of ctx once and stops, and sends nothing more once the
// loop breaks.
func paginate[T any](ctx context.Context, what string, first int, sp iter.Seq[span],
	fetch func(ctx context.Context, s span, page int) (*Page[T], error)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		ctx, end := withWalk(ctx) // every page is read into one buffer
		defer end()
		page := max(first, 1)
		for s := range sp {
			for {
				p, err := fetch(ctx, s, page)
				if err != nil {
					yield(nil, err)
					return
				}
				for i := range p.List {
					if err := ctx.Err(); err != nil {
						yield(nil, fmt.Errorf("iamport: %s: %w", what, err))
						return
					}
					if !yield(&p.List[i], nil) {
						return
					}
				}
				if page, err = nextPage(what, page, p.Next, len(p.List)); err != nil {
					yield(nil, err)
					return
				}
				if page == 0 {
					break
				}
			}
			page = 1
		}
	}
}

// nextPage returns the page to fetch after page, which answered next and
// held n items: next, 0 after the last page, or an error for a next page
// that would keep a walk going forever.
func nextPage(what string, page, next, n int) (int, error) {
	switch {
	case next == 0:
		return 0, nil
	case n == 0:
		// An empty page cannot be followed by items: a server that claims
		// so could keep the loop going forever.
		return 0, &APIError{StatusCode: 200, Method: "GET", Path: what, invalid: true,
			Message: fmt.Sprintf("page %d is empty but answered next page %d", page, next)}
	case next <= page:
		// A server that points back would make the loop endless.
		return 0, &APIError{StatusCode: 200, Method: "GET", Path: what, invalid: true,
			Message: fmt.Sprintf("page %d answered next page %d", page, next)}
	}
	return next, nil
}

// errSeq is an iterator that yields err once.
func errSeq[T any](err error) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) { yield(nil, err) }
}

var timeType = reflect.TypeFor[time.Time]()

// queryOf encodes the fields of the struct *v that carry a `url:"name"` tag
// as query parameters: strings when not empty, integers when not 0, times
// when not zero (as Unix seconds), and each element of a []string under the
// same name. The tags name the API's parameters exactly,
// so they are also what the spec conformance test checks.
func queryOf(v any) url.Values {
	q := url.Values{}
	rv := reflect.ValueOf(v).Elem()
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		name := rt.Field(i).Tag.Get("url")
		if name == "" || name == "-" {
			continue
		}
		f := rv.Field(i)
		switch {
		case f.Type() == timeType:
			if t := f.Interface().(time.Time); !t.IsZero() {
				q.Set(name, strconv.FormatInt(t.Unix(), 10))
			}
		case f.Kind() == reflect.String:
			if s := f.String(); s != "" {
				q.Set(name, s)
			}
		case f.Kind() == reflect.Int:
			if n := f.Int(); n != 0 {
				q.Set(name, strconv.FormatInt(n, 10))
			}
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
			for j := 0; j < f.Len(); j++ {
				q.Add(name, f.Index(j).String())
			}
		default:
			panic("iamport: queryOf: unsupported field " + rt.Field(i).Name)
		}
	}
	return q
}

// noneFound reports whether err is the HTTP 404 envelope a multi-get (GET
// /payments, GET /subscribe/customers) answers when none of the identifiers
// exists.
func noneFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode == http.StatusNotFound && !e.invalid
}

// missingIDs lists, in order and once each, the ids that are not in found.
func missingIDs(ids []string, found map[string]bool) []string {
	var out []string
	for _, id := range ids {
		if !found[id] {
			out = append(out, id)
			found[id] = true // report a repeated id once
		}
	}
	return out
}

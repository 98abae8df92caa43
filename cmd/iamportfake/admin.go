package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/iamport-go/iamport/iamporttest"
)

// admin serves the admin API under /__admin/. Answers are JSON; failures
// are {"error": "..."} with a 4xx status.
type admin struct {
	srv *iamporttest.Server
	mux *http.ServeMux
}

// adminEndpoints documents the admin API; GET /__admin/ answers with it.
var adminEndpoints = []string{
	"GET  /__admin/                      this list",
	"GET  /__admin/payments              every payment the fake made",
	"GET  /__admin/billing-keys          every billing key",
	"GET  /__admin/schedules             every scheduled payment",
	"GET  /__admin/webhooks              every webhook sent",
	"GET  /__admin/calls?method=&route=  requests an endpoint saw (route as /payments/{imp_uid})",
	"GET  /__admin/clock                 the fake clock",
	`POST /__admin/clock                 {"advance":"1h30m"} or {"set":"2026-01-02T15:04:05Z"}: runs due schedules`,
	`POST /__admin/faults                {"method":"POST","route":"/vbanks","times":1,"kind":"FaultDropAfterProcessing","status":500,"delay":"2s"}`,
	"POST /__admin/vbanks/{imp_uid}/deposit  pay into a virtual account (sends its webhook)",
	`POST /__admin/declines              {"customer_uid":"c1","n":1,"reason":"한도초과"}: decline the next charges of a billing key`,
	`POST /__admin/bank-accounts         {"bank_code":"004","number":"123456789","holder":"홍길동"}: for GET /vbanks/holder`,
	`POST /__admin/tiers                 {"code":"T01","name":"강남점"}: for GET /tiers/{tier_code}`,
}

func newAdmin(srv *iamporttest.Server) *admin {
	a := &admin{srv: srv, mux: http.NewServeMux()}
	a.mux.HandleFunc("GET /__admin/{$}", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"endpoints": adminEndpoints})
	})
	a.mux.HandleFunc("GET /__admin/payments", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, srv.Payments()) })
	a.mux.HandleFunc("GET /__admin/billing-keys", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, srv.BillingKeys()) })
	a.mux.HandleFunc("GET /__admin/schedules", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, srv.Schedules()) })
	a.mux.HandleFunc("GET /__admin/webhooks", a.webhooks)
	a.mux.HandleFunc("GET /__admin/calls", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		writeJSON(w, http.StatusOK, map[string]any{"method": q.Get("method"), "route": q.Get("route"),
			"calls": srv.Calls(q.Get("method"), q.Get("route"))})
	})
	a.mux.HandleFunc("GET /__admin/clock", a.clock)
	a.mux.HandleFunc("POST /__admin/clock", a.moveClock)
	a.mux.HandleFunc("POST /__admin/faults", a.fault)
	a.mux.HandleFunc("POST /__admin/vbanks/{imp_uid}/deposit", func(w http.ResponseWriter, r *http.Request) {
		if err := srv.Deposit(r.PathValue("imp_uid")); err != nil {
			writeError(w, http.StatusConflict, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"imp_uid": r.PathValue("imp_uid"), "status": "paid"})
	})
	a.mux.HandleFunc("POST /__admin/declines", a.declines)
	a.mux.HandleFunc("POST /__admin/bank-accounts", a.bankAccount)
	a.mux.HandleFunc("POST /__admin/tiers", a.tier)
	return a
}

// ServeHTTP routes an admin request.
func (a *admin) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// decode reads a JSON body into v, refusing unknown fields so that a typo
// is reported rather than ignored.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	d := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "bad JSON body: "+err.Error())
		return false
	}
	return true
}

func (a *admin) webhooks(w http.ResponseWriter, _ *http.Request) {
	type delivery struct {
		URL         string `json:"url"`
		ContentType string `json:"content_type"`
		Body        string `json:"body"`
		ImpUID      string `json:"imp_uid"`
		MerchantUID string `json:"merchant_uid"`
		Status      string `json:"status"`
		StatusCode  int    `json:"status_code"`
		Err         string `json:"error,omitempty"`
		At          int64  `json:"at"`
	}
	out := []delivery{}
	for _, d := range a.srv.Webhooks() {
		out = append(out, delivery{d.URL, d.ContentType, string(d.Body), d.ImpUID, d.MerchantUID, d.Status, d.StatusCode, d.Err, d.At.Unix()})
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *admin) clock(w http.ResponseWriter, _ *http.Request) {
	now := a.srv.Now()
	writeJSON(w, http.StatusOK, map[string]any{"now": now.Unix(), "time": now.UTC().Format(time.RFC3339)})
}

func (a *admin) moveClock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Advance string `json:"advance"`
		Set     string `json:"set"`
	}
	if !decode(w, r, &req) {
		return
	}
	switch {
	case (req.Advance == "") == (req.Set == ""):
		writeError(w, http.StatusBadRequest, `give exactly one of "advance" (a Go duration such as "90m") and "set" (RFC 3339 or Unix seconds)`)
		return
	case req.Advance != "":
		d, err := time.ParseDuration(req.Advance)
		if err != nil {
			writeError(w, http.StatusBadRequest, "advance: "+err.Error())
			return
		}
		a.srv.Advance(d)
	default:
		t, err := parseTime(req.Set)
		if err != nil {
			writeError(w, http.StatusBadRequest, "set: "+err.Error())
			return
		}
		a.srv.SetTime(t)
	}
	a.clock(w, r)
}

func parseTime(s string) (time.Time, error) {
	if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(sec, 0), nil
	}
	return time.Parse(time.RFC3339, s)
}

// faultKind finds the kind named name: "FaultDropAfterProcessing" or
// "DropAfterProcessing", in any case.
func faultKind(name string) (iamporttest.FaultKind, error) {
	var names []string
	for k := iamporttest.FaultKind(1); ; k++ {
		s := k.String()
		if strings.HasPrefix(s, "FaultKind(") {
			break
		}
		if strings.EqualFold(s, name) || strings.EqualFold(strings.TrimPrefix(s, "Fault"), name) {
			return k, nil
		}
		names = append(names, s)
	}
	return 0, fmt.Errorf("unknown fault kind %q (one of %s)", name, strings.Join(names, ", "))
}

func (a *admin) fault(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Method string `json:"method"`
		Route  string `json:"route"`
		Times  int    `json:"times"`
		Kind   string `json:"kind"`
		Status int    `json:"status"`
		Delay  string `json:"delay"`
	}
	if !decode(w, r, &req) {
		return
	}
	kind, err := faultKind(req.Kind)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	f := iamporttest.Fault{Kind: kind, Status: req.Status}
	if req.Delay != "" {
		if f.Delay, err = time.ParseDuration(req.Delay); err != nil {
			writeError(w, http.StatusBadRequest, "delay: "+err.Error())
			return
		}
	}
	if req.Times == 0 {
		req.Times = 1
	}
	a.srv.InjectFault(req.Method, req.Route, req.Times, f)
	writeJSON(w, http.StatusOK, map[string]any{"method": req.Method, "route": req.Route, "times": req.Times, "kind": kind.String()})
}

func (a *admin) declines(w http.ResponseWriter, r *http.Request) {
	var req struct {
		CustomerUID string `json:"customer_uid"`
		N           int    `json:"n"`
		Reason      string `json:"reason"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.CustomerUID == "" {
		writeError(w, http.StatusBadRequest, "customer_uid is required")
		return
	}
	a.srv.DeclineCharges(req.CustomerUID, req.N, req.Reason)
	writeJSON(w, http.StatusOK, req)
}

func (a *admin) bankAccount(w http.ResponseWriter, r *http.Request) {
	var req struct {
		BankCode string `json:"bank_code"`
		Number   string `json:"number"`
		Holder   string `json:"holder"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.BankCode == "" || req.Number == "" || req.Holder == "" {
		writeError(w, http.StatusBadRequest, "bank_code, number and holder are required")
		return
	}
	a.srv.AddBankAccount(req.BankCode, req.Number, req.Holder)
	writeJSON(w, http.StatusOK, map[string]string{"bank_code": req.BankCode})
}

func (a *admin) tier(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Code string `json:"code"`
		Name string `json:"name"`
	}
	if !decode(w, r, &req) {
		return
	}
	if len(req.Code) != 3 || strings.ToUpper(req.Code) != req.Code || strings.ContainsFunc(req.Code, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z') && !(r >= '0' && r <= '9')
	}) {
		writeError(w, http.StatusBadRequest, "code must be three upper-case letters or digits")
		return
	}
	a.srv.AddTier(req.Code, req.Name)
	writeJSON(w, http.StatusOK, req)
}

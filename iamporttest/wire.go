package iamporttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/iamport-go/iamport"
)

// result is what an endpoint produced: an envelope to answer, and the
// webhooks to deliver once the fake's lock is released.
type result struct {
	status int
	code   int
	msg    string
	resp   any
	hooks  []webhookJob
	// commit, if set, is the rest of the work of a request checked on
	// arrival: it runs under the lock, at once or after the processing
	// latency (WithLatency), and its result is the answer.
	commit func() result
	ids    []string // what the request concerns beyond its own IDs, for Await
}

func okResult(v any) result { return result{status: http.StatusOK, resp: v} }

// failResult is a failure with a message and response: null.
func failResult(status, code int, msg string) result {
	return result{status: status, code: code, msg: msg}
}

// business is the HTTP 200, code != 0 failure of write operations.
func business(code int, msg string) result { return failResult(http.StatusOK, code, msg) }

func badRequest(msg string) result { return failResult(http.StatusBadRequest, -1, msg) }

func notFound(msg string) result { return failResult(http.StatusNotFound, -1, msg) }

// lookupResult answers a lookup of several IDs with the list found: 404
// with msg when none was, 207 when only some of the asked ones were.
func lookupResult(list []any, asked int, msg string) result {
	if len(list) == 0 {
		return notFound(msg)
	}
	r := okResult(list)
	if len(list) < asked {
		r.status = http.StatusMultiStatus
	}
	return r
}

// paramResult turns a parameter error into its 400 answer.
func paramResult(err error) result {
	if pe, ok := err.(*paramError); ok {
		return badRequest(pe.msg)
	}
	return badRequest("요청 파라메터가 올바르지 않습니다.")
}

// Messages the real API answers with (§2.2 of the API reference).
const (
	msgNoPayment         = "존재하지 않는 결제정보입니다."
	msgNoPrepare         = "사전등록된 결제정보가 존재하지 않습니다."
	msgBadStatus         = "지원되지 않는 상태값입니다."
	msgNoCancelTarget    = "취소할 결제건이 존재하지 않습니다."
	msgCancelNeedsID     = "imp_uid 또는 merchant_uid를 지정해주셔야합니다."
	msgUnknownBuyer      = "등록되지 않은 구매자입니다."
	msgAlreadyPaid       = "이미 결제완료된 주문번호(merchant_uid)입니다."
	msgNoCustomer        = "등록된 고객정보가 없습니다."
	msgNothingUnschedule = "취소할 예약결제 기록이 존재하지 않습니다."
	msgUnauthorized      = "인증 Token이 전달되지 않았거나 유효하지 않습니다."
	msgMissingCreds      = "imp_key, imp_secret 파라메터가 누락되었습니다."
	msgBadCreds          = "imp_key 또는 imp_secret이 올바르지 않습니다."
	msgNoSchedule        = "존재하지 않는 결제예약정보입니다."
)

func msgKeyNotFound(customerUID string) string {
	return fmt.Sprintf("요청하신 customer_uid(%s)로 등록된 정보를 찾을 수 없습니다.", customerUID)
}

// encodeEnvelope writes the {code, message, response} envelope.
func encodeEnvelope(r result) []byte {
	env := struct {
		Code     int     `json:"code"`
		Message  *string `json:"message"`
		Response any     `json:"response"`
	}{Code: r.code, Response: r.resp}
	if r.code != 0 || r.msg != "" {
		msg := r.msg
		env.Message = &msg
		if r.code != 0 {
			env.Response = nil
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(env); err != nil {
		// Only the fake's own values are encoded; this cannot happen.
		return []byte(`{"code":-1,"message":"internal error","response":null}` + "\n")
	}
	return buf.Bytes()
}

// htmlPage is what a proxy in front of the API answers with on a 5xx.
func htmlPage(status int) []byte {
	t := fmt.Sprintf("%d %s", status, http.StatusText(status))
	return []byte("<html>\r\n<head><title>" + t + "</title></head>\r\n<body>\r\n<center><h1>" + t +
		"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
}

// toWire encodes v through its JSON form into a map, and turns the empty
// strings of the nullable fields into null, as the real API writes them.
func toWire(v any, nullable []string) map[string]any {
	b, err := json.Marshal(plain(v))
	if err != nil {
		return map[string]any{}
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if d.Decode(&m) != nil {
		return map[string]any{}
	}
	for _, k := range nullable {
		if s, ok := m[k].(string); ok && s == "" {
			m[k] = nil
		}
	}
	return m
}

var paymentNullable = []string{
	"emb_pg_provider", "pg_tid", "apply_num", "bank_code", "bank_name", "card_code", "card_name",
	"card_issuer_code", "card_issuer_name", "card_publisher_code", "card_publisher_name", "card_number",
	"vbank_code", "vbank_name", "vbank_num", "vbank_holder", "name", "buyer_name", "buyer_email",
	"buyer_tel", "buyer_addr", "buyer_postcode", "custom_data", "user_agent", "fail_reason",
	"cancel_reason", "receipt_url", "customer_uid", "customer_uid_usage",
}

var cancelNullable = []string{"receipt_url"}

var billingKeyNullable = []string{
	"customer_id", "card_code", "card_name", "card_issuer_code", "card_issuer_name", "card_publisher_code",
	"card_publisher_name", "card_number", "customer_name", "customer_tel", "customer_email",
	"customer_addr", "customer_postcode",
}

var scheduleNullable = []string{
	"imp_uid", "payment_status", "customer_id", "name", "buyer_name", "buyer_email", "buyer_tel",
	"buyer_addr", "buyer_postcode", "custom_data", "fail_reason", "promotion_id",
}

// wirePayment is a Payment as the API writes it.
func wirePayment(p *payment) map[string]any {
	cp := p.snapshot()
	m := toWire(&cp, paymentNullable)
	hist := make([]any, 0, len(cp.CancelHistory))
	for i := range cp.CancelHistory {
		hist = append(hist, toWire(&cp.CancelHistory[i], cancelNullable))
	}
	m["cancel_history"] = hist
	if _, ok := m["promotion"]; !ok {
		m["promotion"] = nil
	}
	return m
}

func wirePayments(ps []*payment) []any {
	out := make([]any, 0, len(ps))
	for _, p := range ps {
		out = append(out, wirePayment(p))
	}
	return out
}

func wireKey(k *billingKey) map[string]any {
	return toWire(&k.BillingKey, billingKeyNullable)
}

func wireSchedule(s *schedule) map[string]any {
	sc := s.snapshot()
	return toWire(&sc, scheduleNullable)
}

func wireSchedules(ss []*schedule) []any {
	out := make([]any, 0, len(ss))
	for _, s := range ss {
		out = append(out, wireSchedule(s))
	}
	return out
}

// page is the paged list shape {total, previous, next, list}.
func page(total, pageNo, limit int, list []any) map[string]any {
	prev, next := 0, 0
	if pageNo > 1 {
		prev = pageNo - 1
	}
	if pageNo*limit < total {
		next = pageNo + 1
	}
	return map[string]any{"total": total, "previous": prev, "next": next, "list": list}
}

// slicePage returns the items of 1-based page pageNo.
func slicePage[T any](items []T, pageNo, limit int) []T {
	start := (pageNo - 1) * limit
	if start >= len(items) || start < 0 {
		return nil
	}
	end := start + limit
	if end > len(items) {
		end = len(items)
	}
	return items[start:end]
}

// amount converts hundredths to an iamport.Amount.
func amount(cents int64) iamport.Amount { return iamport.AmountFromCents(cents) }

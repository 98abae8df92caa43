package iamport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// foreignTransport makes iamporttest answer as independent
// iamport-compatible servers do, which differ from iamport (and from
// iamporttest) in shape though not in meaning:
//
//   - HTTP 201 for a successful POST;
//   - fractional timestamps (paid_at 1796155400.726, now, expired_at);
//   - error bodies without code: {"message", "error", "statusCode"};
//   - 403, not 401, for a wrong API key;
//   - a token answer whose expired_at is already past;
//   - POST /subscribe/customers/{customer_uid} wants customer_uid in the
//     body as well as in the path, and refuses a body without it with a
//     validation answer {"path": "$input.customer_uid", "reason", "message"}.
type foreignTransport struct {
	base   http.RoundTripper
	tokens atomic.Int32
}

func (t *foreignTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body := peekBody(req)
	path := req.URL.EscapedPath()
	if uid, ok := strings.CutPrefix(path, "/subscribe/customers/"); ok && req.Method == http.MethodPost && !strings.Contains(uid, "/") {
		var b struct {
			CustomerUID *string `json:"customer_uid"`
		}
		_ = json.Unmarshal(body, &b)
		if b.CustomerUID == nil || *b.CustomerUID != uid {
			return foreignReply(req, http.StatusBadRequest, map[string]any{
				"path": "$input.customer_uid", "reason": "Error on typia.assert(): invalid type on $input.customer_uid, expect to be string",
				"message": "Request body data is not following the promised type."}), nil
		}
	}
	if path == "/users/getToken" {
		t.tokens.Add(1)
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var env map[string]any
	if d.Decode(&env) != nil {
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		return resp, nil
	}
	status := resp.StatusCode
	switch {
	case status == http.StatusUnauthorized && path == "/users/getToken":
		return foreignReply(req, http.StatusForbidden, map[string]any{"message": "wrong imp_key or imp_secret", "statusCode": 403}), nil
	case status >= 400:
		return foreignReply(req, status, map[string]any{"message": env["message"], "error": http.StatusText(status), "statusCode": status}), nil
	}
	if path == "/users/getToken" {
		if r, ok := env["response"].(map[string]any); ok {
			now, _ := strconv.ParseFloat(string(r["now"].(json.Number)), 64)
			r["now"] = json.Number(strconv.FormatFloat(now+0.726, 'f', 3, 64))
			r["expired_at"] = json.Number(strconv.FormatFloat(now-180+0.726, 'f', 3, 64))
		}
	} else {
		fractionalTimes(env["response"])
	}
	if req.Method == http.MethodPost && status == http.StatusOK && env["code"] == json.Number("0") {
		status = http.StatusCreated
	}
	return foreignReply(req, status, env), nil
}

// fractionalTimes gives every non-zero timestamp ("..._at" and "now")
// a fractional part, as servers keeping milliseconds send them.
func fractionalTimes(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if n, ok := e.(json.Number); ok && (strings.HasSuffix(k, "_at") || k == "now") && n != "0" {
				x[k] = json.Number(string(n) + ".726")
				continue
			}
			fractionalTimes(e)
		}
	case []any:
		for _, e := range x {
			fractionalTimes(e)
		}
	}
}

func foreignReply(req *http.Request, status int, body any) *http.Response {
	b, _ := json.Marshal(body)
	return &http.Response{
		StatusCode: status, Status: strconv.Itoa(status) + " " + http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:          io.NopCloser(bytes.NewReader(b)),
		ContentLength: int64(len(b)), Request: req,
	}
}

// foreignServer is a hookedFake answering through foreignTransport.
type foreignServer struct {
	*hookedFake
	ft *foreignTransport
}

func newForeignServer(t *testing.T, opts ...iamporttest.Option) *foreignServer {
	t.Helper()
	f := newHookedFake(t, opts...)
	ft := &foreignTransport{base: f.srv.Transport()}
	f.rec.base = ft // the SDK's requests are recorded as sent, then answered the foreign way
	return &foreignServer{hookedFake: f, ft: ft}
}

func TestForeignServerSeed000(t *testing.T) {
	t.Parallel()
	runSeed000(t, func(t *testing.T, opts ...iamporttest.Option) seedServer { return newForeignServer(t, opts...) })
}

func TestForeignServerSeed001(t *testing.T) {
	t.Parallel()
	runSeed001(t, func(t *testing.T, opts ...iamporttest.Option) seedServer { return newForeignServer(t, opts...) })
}

func TestForeignServerSeed002(t *testing.T) {
	t.Parallel()
	runSeed002(t, func(t *testing.T, opts ...iamporttest.Option) seedServer { return newForeignServer(t, opts...) })
}

// The failure shapes of a foreign server come through typed, with their
// message and field.
func TestForeignServerFailures(t *testing.T) {
	t.Parallel()
	f := newForeignServer(t)
	ctx := context.Background()

	p, err := f.c.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "order-f1", Amount: 1000, CardNumber: iamporttest.CardApproved, Expiry: "2035-12"})
	require.NoError(t, err, "HTTP 201 with fractional timestamps is success")
	require.NotZero(t, p.PaidAt.Nanosecond(), "sub-second precision is kept")
	require.Equal(t, 1, int(f.ft.tokens.Load()), "an already expired token serves its call, once")

	_, err = f.c.GetPayment(ctx, "imp_999999999999")
	var apiErr *iamport.APIError
	require.ErrorAs(t, err, &apiErr)
	require.ErrorIs(t, err, iamport.ErrNotFound)
	require.Equal(t, "존재하지 않는 결제정보입니다.", apiErr.Message)
	require.Equal(t, "Not Found", apiErr.Detail)
	require.Equal(t, 2, int(f.ft.tokens.Load()), "the next call fetches its own token")

	// A body without customer_uid is refused, and the refusal names it.
	tok := rawToken(t, f)
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/subscribe/customers/cust-f", strings.NewReader(`{"card_number":"`+iamporttest.CardApproved+`","expiry":"2035-12"}`))
	req.Header.Set("Authorization", tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: f.ft}).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	// The SDK sends it in both places, so the save goes through.
	bk, err := f.c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "cust-f", CardNumber: iamporttest.CardApproved, Expiry: "2035-12"})
	require.NoError(t, err)
	require.Equal(t, "cust-f", bk.CustomerUID)

	bad, err := iamport.New(f.srv.APIKey, "not-the-secret", iamport.WithBaseURL(f.srv.URL),
		iamport.WithHTTPClient(&http.Client{Transport: f.ft}))
	require.NoError(t, err)
	_, err = bad.GetPayment(ctx, p.ImpUID)
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, http.StatusForbidden, apiErr.StatusCode)
	require.ErrorIs(t, err, iamport.ErrUnauthorized, "a 403 to the token request is a wrong key")
	require.Equal(t, "wrong imp_key or imp_secret", apiErr.Message)
	require.NotContains(t, err.Error(), "not-the-secret")
}

// rawToken fetches a token from the foreign server without the SDK.
func rawToken(t *testing.T, f *foreignServer) string {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"imp_key": f.srv.APIKey, "imp_secret": f.srv.APISecret})
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/users/getToken", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: f.ft}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	var env struct {
		Response struct {
			AccessToken string `json:"access_token"`
		} `json:"response"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&env))
	return env.Response.AccessToken
}

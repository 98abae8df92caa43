package iamporttest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

func TestGetTokenRules(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	creds := map[string]string{"imp_key": s.APIKey, "imp_secret": s.APISecret}

	r1 := do(t, s, "POST", "/users/getToken", "", creds)
	require.Equal(t, 200, r1.status)
	require.Equal(t, 0, r1.env.Code)
	require.Nil(t, r1.env.Message)
	tok := r1.obj(t)
	require.Regexp(t, `^[0-9a-f]{40}$`, tok["access_token"])
	require.EqualValues(t, start.Unix(), tok["now"])
	require.EqualValues(t, start.Add(30*time.Minute).Unix(), tok["expired_at"])

	// Form body, while valid: the same token and expiry.
	s.Advance(10 * time.Minute)
	r2 := do(t, s, "POST", "/users/getToken", "", url.Values{"imp_key": {s.APIKey}, "imp_secret": {s.APISecret}})
	require.Equal(t, 200, r2.status, string(r2.body))
	require.Equal(t, tok["access_token"], r2.obj(t)["access_token"])
	require.Equal(t, tok["expired_at"], r2.obj(t)["expired_at"])
	require.EqualValues(t, start.Add(10*time.Minute).Unix(), r2.obj(t)["now"])

	// In the token's last minute: extended by five minutes.
	s.Advance(19*time.Minute + 30*time.Second)
	r3 := do(t, s, "POST", "/users/getToken", "", creds)
	require.Equal(t, tok["access_token"], r3.obj(t)["access_token"])
	require.EqualValues(t, start.Add(35*time.Minute).Unix(), r3.obj(t)["expired_at"])
	token := tok["access_token"].(string)
	require.Equal(t, 404, do(t, s, "GET", "/payments/imp_000000000000", token, nil).status, "still valid")

	// After expiry: 401 on the API, a new token from getToken.
	s.Advance(5*time.Minute + 30*time.Second)
	r := do(t, s, "GET", "/payments/imp_000000000000", token, nil)
	require.Equal(t, 401, r.status)
	require.Equal(t, "인증 Token이 전달되지 않았거나 유효하지 않습니다.", r.msg())
	r4 := do(t, s, "POST", "/users/getToken", "", creds)
	require.NotEqual(t, token, r4.obj(t)["access_token"])
	require.EqualValues(t, s.Now().Add(30*time.Minute).Unix(), r4.obj(t)["expired_at"])
}

func TestGetTokenCredentials(t *testing.T) {
	t.Parallel()
	s := newFake(t, iamporttest.WithCredentials("key_1", "secret_1"))
	require.Equal(t, "key_1", s.APIKey)
	require.Equal(t, "secret_1", s.APISecret)
	for _, tc := range []struct {
		name string
		body any
		msg  string
	}{
		{"wrong secret", map[string]string{"imp_key": "key_1", "imp_secret": "nope"}, "imp_key 또는 imp_secret이 올바르지 않습니다."},
		{"default credentials", map[string]string{"imp_key": iamporttest.DefaultAPIKey, "imp_secret": iamporttest.DefaultAPISecret}, "imp_key 또는 imp_secret이 올바르지 않습니다."},
		{"missing", map[string]string{"imp_key": "key_1"}, "imp_key, imp_secret 파라메터가 누락되었습니다."},
		{"no body", nil, "imp_key, imp_secret 파라메터가 누락되었습니다."},
		{"wrong types", map[string]any{"imp_key": []int{1}, "imp_secret": map[string]int{}}, "imp_key, imp_secret 파라메터가 누락되었습니다."},
	} {
		r := do(t, s, "POST", "/users/getToken", "", tc.body)
		require.Equal(t, 401, r.status, tc.name)
		require.Equal(t, -1, r.env.Code, tc.name)
		require.Equal(t, tc.msg, r.msg(), tc.name)
		require.Equal(t, "null", string(r.env.Response), tc.name)
	}
	// The SDK reports it as ErrUnauthorized.
	cl, err := iamport.New("key_1", "wrong", iamport.WithBaseURL(s.URL), iamport.WithHTTPClient(s.HTTPClient()))
	require.NoError(t, err)
	_, err = cl.GetPayment(context.Background(), "imp_1")
	require.ErrorIs(t, err, iamport.ErrUnauthorized)
}

func TestAuthHeaders(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	token := getToken(t, s)
	send := func(h map[string]string) int {
		req, err := http.NewRequest("GET", s.URL+"/payments/imp_000000000000", nil)
		require.NoError(t, err)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := s.HTTPClient().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	// 404 means authenticated (no such payment); 401 means refused.
	require.Equal(t, 404, send(map[string]string{"Authorization": token}))
	require.Equal(t, 404, send(map[string]string{"Authorization": "Bearer " + token}))
	require.Equal(t, 404, send(map[string]string{"X-ImpTokenHeader": token}))
	require.Equal(t, 401, send(map[string]string{"Authorization": "bogus", "X-ImpTokenHeader": token}), "Authorization wins")
	require.Equal(t, 401, send(nil))
	require.Equal(t, 401, send(map[string]string{"Authorization": "Bearer "}))
	require.Equal(t, 401, send(map[string]string{"Authorization": "0123456789abcdef0123456789abcdef01234567"}))
}

func TestSDKRefreshesExpiredTokenTransparently(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	cl := s.Client()
	ctx := context.Background()
	p, err := cl.Onetime(ctx, onetime("order-1", iamporttest.CardApproved, 1000))
	require.NoError(t, err)
	_, err = cl.GetPayment(ctx, p.ImpUID)
	require.NoError(t, err)
	require.Equal(t, 1, s.Calls("POST", "/users/getToken"))

	// The fake clock passes the token's expiry; the SDK's local clock does
	// not, so it sends the old token, gets 401, and fetches a new one.
	s.Advance(31 * time.Minute)
	got, err := cl.GetPayment(ctx, p.ImpUID)
	require.NoError(t, err)
	require.Equal(t, p.ImpUID, got.ImpUID)
	require.Equal(t, 2, s.Calls("POST", "/users/getToken"))
	require.Equal(t, 3, s.Calls("GET", "/payments/{imp_uid}"), "one refused, replayed once")
	require.Equal(t, 3, s.Calls("", "/payments/{imp_uid}"))
}

func TestBearerClient(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	_, err := s.Client(iamport.WithBearerAuth()).Onetime(context.Background(), onetime("o1", iamporttest.CardApproved, 100))
	require.NoError(t, err)
}

func TestServerFormatRedactsSecret(t *testing.T) {
	t.Parallel()
	s := newFake(t, iamporttest.WithCredentials("key_x", "super-secret-value"))
	getToken(t, s)
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(f, s)
		require.NotContains(t, out, "super-secret-value", f)
		require.Contains(t, out, "[REDACTED]", f)
		out = fmt.Sprintf(f, *s)
		require.NotContains(t, out, "super-secret-value", f)
	}
}

func TestClockDefaultsAndSetTime(t *testing.T) {
	t.Parallel()
	before := time.Now()
	s := iamporttest.NewInProcess()
	defer s.Close()
	require.False(t, s.Now().Before(before))
	require.Equal(t, "http://iamport.test", s.URL)
	require.Equal(t, iamporttest.DefaultAPIKey, s.APIKey)

	f := newFake(t)
	require.True(t, f.Now().Equal(start))
	f.Advance(time.Hour)
	require.True(t, f.Now().Equal(start.Add(time.Hour)))
	f.SetTime(start)
	require.True(t, f.Now().Equal(start), "SetTime may go backwards")
	f.Advance(-time.Minute)
	require.True(t, f.Now().Equal(start.Add(-time.Minute)))
}

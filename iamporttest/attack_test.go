package iamporttest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport/iamporttest"
)

// rawPost posts body as JSON to the fake with a token and returns the HTTP
// status and the decoded envelope.
func rawPost(t *testing.T, srv *iamporttest.Server, token, path string, body any) (int, map[string]any) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest("POST", srv.URL+path, bytes.NewReader(b))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var env map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&env))
	return resp.StatusCode, env
}

// The fake refuses what iamport refuses and nothing more, on raw requests
// that no SDK checked first.
func TestAttackFakeRawPolicy(t *testing.T) {
	srv := iamporttest.NewServer()
	defer srv.Close()
	_, tok := rawPost(t, srv, "", "/users/getToken", map[string]any{"imp_key": srv.APIKey, "imp_secret": srv.APISecret})
	token := tok["response"].(map[string]any)["access_token"].(string)
	card := map[string]any{"card_number": "3056-930902-5904", "expiry": "2099-12"}
	onetime := func(extra map[string]any) (int, map[string]any) {
		body := map[string]any{}
		for k, v := range card {
			body[k] = v
		}
		for k, v := range extra {
			body[k] = v
		}
		return rawPost(t, srv, token, "/subscribe/payments/onetime", body)
	}
	code := func(env map[string]any) float64 { return env["code"].(float64) }

	st, env := onetime(map[string]any{"merchant_uid": strings.Repeat("주", 40), "amount": 1000, "name": strings.Repeat("긴 이름", 100),
		"buyer_name": strings.Repeat("홍", 50), "buyer_addr": strings.Repeat("주소", 200)})
	require.Equal(t, 200, st)
	require.Equal(t, 0.0, code(env), env["message"])
	require.Equal(t, "paid", env["response"].(map[string]any)["status"])

	st, env = onetime(map[string]any{"merchant_uid": "usd-1", "amount": 10.55, "currency": "USD"})
	require.Equal(t, 0.0, code(env), "%d %v", st, env["message"])

	for name, extra := range map[string]map[string]any{
		"krw fraction":       {"merchant_uid": "f-1", "amount": 1000.5},
		"jpy fraction":       {"merchant_uid": "f-2", "amount": 100.5, "currency": "JPY"},
		"merchant_uid of 41": {"merchant_uid": strings.Repeat("주", 41), "amount": 1000},
		"expired card":       {"merchant_uid": "f-3", "amount": 1000, "expiry": "2020-01"},
	} {
		st, env := onetime(extra)
		require.False(t, st == 200 && code(env) == 0, "%s accepted", name)
		require.NotEmpty(t, env["message"], name)
	}
}

package iamport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// TestCardRulesAgreeWithFake sends the same key-in card data through the
// SDK and, raw, to the fake: the SDK refuses before sending exactly what the
// fake refuses, since both read one table of the API's rules.
func TestCardRulesAgreeWithFake(t *testing.T) {
	// 15:30 UTC on May 31st is already June 1st in Korea.
	start := time.Date(2026, time.May, 31, 15, 30, 0, 0, time.UTC)
	srv := iamporttest.NewInProcess(iamporttest.WithStartTime(start))
	defer srv.Close()
	client := srv.Client(iamport.WithMaxRetries(0))
	hc := srv.HTTPClient()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	token := func() string {
		var env struct {
			Response struct {
				AccessToken string `json:"access_token"`
			} `json:"response"`
		}
		code, _ := postRawJSON(t, hc, srv.URL+"/users/getToken", "", map[string]any{"imp_key": srv.APIKey, "imp_secret": srv.APISecret}, &env)
		require.Equal(t, 0, code)
		return env.Response.AccessToken
	}()

	type card struct{ number, expiry, birth, pwd2 string }
	ok := card{iamporttest.CardApproved, "2030-12", "", ""}
	with := func(f func(*card)) card { c := ok; f(&c); return c }
	cases := map[string]card{
		"16 digits":              ok,
		"spaces":                 with(func(c *card) { c.number = "4242 4242 4242 4242" }),
		"15 digits":              with(func(c *card) { c.number = "3782-822463-10005" }),
		"14 digits":              with(func(c *card) { c.number = "30569309025904" }),
		"19 digits":              with(func(c *card) { c.number = "6212345678901234567" }),
		"13 digits":              with(func(c *card) { c.number = "4222222222222" }),
		"20 digits":              with(func(c *card) { c.number = "62123456789012345678" }),
		"a letter":               with(func(c *card) { c.number = "4242-4242-4242-424x" }),
		"expiry YYYYMM":          with(func(c *card) { c.expiry = "203012" }),
		"expiry this month KST":  with(func(c *card) { c.expiry = "2026-06" }),
		"expiry last month KST":  with(func(c *card) { c.expiry = "2026-05" }),
		"expiry month 13":        with(func(c *card) { c.expiry = "2030-13" }),
		"expiry month 00":        with(func(c *card) { c.expiry = "203000" }),
		"expiry YY-MM":           with(func(c *card) { c.expiry = "30-12" }),
		"birth 6":                with(func(c *card) { c.birth = "900101" }),
		"birth 10":               with(func(c *card) { c.birth = "1234567890" }),
		"birth 7":                with(func(c *card) { c.birth = "9001011" }),
		"birth letters":          with(func(c *card) { c.birth = "90o101" }),
		"pwd_2digit 2":           with(func(c *card) { c.pwd2 = "12" }),
		"pwd_2digit 1":           with(func(c *card) { c.pwd2 = "1" }),
		"pwd_2digit not a digit": with(func(c *card) { c.pwd2 = "1a" }),
	}
	i, refused := 0, 0
	for name, c := range cases {
		i++
		_, sdkErr := client.Onetime(ctx, &iamport.OnetimeRequest{
			MerchantUID: fmt.Sprintf("agree-sdk-%d", i), Amount: 1000,
			CardNumber: c.number, Expiry: c.expiry, Birth: c.birth, Pwd2Digit: c.pwd2,
		})
		var ve *iamport.ValidationError
		sdkRefused := errors.As(sdkErr, &ve)
		if sdkRefused {
			refused++
		} else {
			require.NoError(t, sdkErr, name)
		}

		body := map[string]any{"merchant_uid": fmt.Sprintf("agree-raw-%d", i), "amount": 1000, "card_number": c.number, "expiry": c.expiry}
		if c.birth != "" {
			body["birth"] = c.birth
		}
		if c.pwd2 != "" {
			body["pwd_2digit"] = c.pwd2
		}
		code, _ := postRawJSON(t, hc, srv.URL+"/subscribe/payments/onetime", token, body, nil)
		require.Equal(t, sdkRefused, code != 0, "%s: the SDK refused: %v; the fake answered code %d", name, sdkRefused, code)
	}
	require.Equal(t, 11, refused, "the cases refused by both")
}

// postRawJSON posts body as JSON and returns the envelope's code and HTTP
// status, decoding the envelope into out when it is not nil.
func postRawJSON(t *testing.T, hc *http.Client, url, token string, body map[string]any, out any) (code, status int) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := hc.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var raw bytes.Buffer
	_, err = raw.ReadFrom(res.Body)
	require.NoError(t, err)
	var env struct {
		Code int `json:"code"`
	}
	require.NoError(t, json.Unmarshal(raw.Bytes(), &env), raw.String())
	if out != nil {
		require.NoError(t, json.Unmarshal(raw.Bytes(), out))
	}
	return env.Code, res.StatusCode
}

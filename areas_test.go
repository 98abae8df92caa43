package iamport_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// The endpoints of the PG-specific areas (NaverPay, KCP Quick, PAYCO,
// Paymentwall, Benepia, convenience store) are registered here by each
// area's test file, and every one is run through the same checks: headers,
// the exact body or query, the decoded answer, every failure shape, and no
// secret or personal data in errors and logs.

// Personal data and secrets the area tests send. Finding one in an error or
// a log line can only mean a leak.
const (
	personalName  = "김비밀"
	personalTel   = "010-9876-5432"
	personalAddr  = "서울시 비밀구 숨김로 7"
	personalEmail = "hidden.person@example.com"
	benepiaPwd    = "bnp-pass-7788-secret"
	codeVerifier  = "cv-9f8e7d6c5b4a-secret"
	customsCode   = "P123456789012"
)

var personalValues = []string{personalName, personalTel, personalAddr, personalEmail, benepiaPwd, codeVerifier, customsCode}

func requireNoPersonal(t testing.TB, s, what string) {
	t.Helper()
	requireNoSecrets(t, s, what)
	for _, v := range personalValues {
		require.NotContains(t, s, v, "%s leaks personal data or a secret", what)
	}
}

// areaEndpoint is one method of an area with what it must send and a valid
// answer for it.
type areaEndpoint struct {
	name   string
	method string
	path   string     // escaped
	body   string     // the JSON body it must send; "" for none
	query  url.Values // the query it must send; nil for none
	resp   any        // the envelope's response on success
	// money marks a call that moves money or issues something: after it may
	// have been sent, it is never re-sent blindly, and its lost answer is
	// tested by the area's own reconciliation tests.
	money bool
	call  func(ctx context.Context, c *iamport.Client) (any, error)
}

// registry collects what the test files register at package level.
type registry[T any] struct {
	mu    sync.Mutex
	items []T
}

func (r *registry[T]) add(items ...T) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items = append(r.items, items...)
	return true
}

func (r *registry[T]) all() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]T(nil), r.items...)
}

var areaRegistry registry[areaEndpoint]

// registerArea adds endpoints to the checks; it returns true so that a test
// file can register at package level.
func registerArea(eps ...areaEndpoint) bool { return areaRegistry.add(eps...) }

func areaEndpoints() []areaEndpoint { return areaRegistry.all() }

func TestAreaEndpointsSendAndDecode(t *testing.T) {
	t.Parallel()
	for _, ep := range areaEndpoints() {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(ep.method, ep.path, ok(ep.resp))
			var logs syncBuffer
			res, err := ep.call(bg, m.client(iamport.WithTier("T0001"), iamport.WithLogger(debugLogger(&logs))))
			require.NoError(t, err)
			require.NotNil(t, res)

			r := m.only(ep.method, ep.path)
			require.Equal(t, testToken, r.Header.Get("Authorization"))
			require.Equal(t, "T0001", r.Header.Get("Tier"))
			require.Equal(t, "iamport-go/"+iamport.Version, r.Header.Get("User-Agent"))
			require.Equal(t, "application/json", r.Header.Get("Accept"))
			if ep.body != "" {
				require.Equal(t, "application/json", r.Header.Get("Content-Type"))
				require.JSONEq(t, ep.body, r.Body)
			} else {
				require.Empty(t, r.Body)
			}
			q, err := url.ParseQuery(r.RawQuery)
			require.NoError(t, err)
			if ep.query == nil {
				require.Empty(t, q)
			} else {
				require.Equal(t, ep.query, q)
			}
			requireNoPersonal(t, fmt.Sprintf("%v %+v %#v", res, res, res), "the result")
			require.Contains(t, logs.String(), `"path":"`+ep.path+`"`)
			requireNoPersonal(t, logs.String(), "the log")
		})
	}
}

// failureShapes are the answers every endpoint must turn into a typed
// error. after marks those that may come after the request was processed,
// which a money-moving call reconciles instead (tested per area).
var failureShapes = []struct {
	name   string
	answer func() (int, string, string) // status, content type, body
	after  bool
	check  func(t *testing.T, err error)
}{
	{"code on 200", func() (int, string, string) {
		return 200, "application/json", failure(-1, "처리할 수 없는 요청입니다.")
	}, false, func(t *testing.T, err error) {
		var ae *iamport.APIError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, 200, ae.StatusCode)
		require.Equal(t, -1, ae.Code)
		require.Equal(t, "처리할 수 없는 요청입니다.", ae.Message)
	}},
	{"400", func() (int, string, string) {
		return 400, "application/json", failure(-1, "파라메터가 올바르지 않습니다.")
	}, false, func(t *testing.T, err error) {
		var ae *iamport.APIError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, 400, ae.StatusCode)
	}},
	{"401", func() (int, string, string) {
		return 401, "application/json", failure(-1, "Unauthorized")
	}, false, func(t *testing.T, err error) { require.ErrorIs(t, err, iamport.ErrUnauthorized) }},
	{"404", func() (int, string, string) {
		return 404, "application/json", failure(-1, "존재하지 않는 결제정보입니다.")
	}, false, func(t *testing.T, err error) { require.ErrorIs(t, err, iamport.ErrNotFound) }},
	{"500 HTML", func() (int, string, string) {
		return 500, "text/html", "<html>Internal Server Error</html>"
	}, true, func(t *testing.T, err error) { require.ErrorIs(t, err, iamport.ErrInvalidResponse) }},
	{"truncated JSON", func() (int, string, string) {
		return 200, "application/json", `{"code":0,"message":null,"response":{"imp_uid":"imp_`
	}, true, func(t *testing.T, err error) { require.ErrorIs(t, err, iamport.ErrInvalidResponse) }},
	{"empty body", func() (int, string, string) { return 200, "application/json", "" }, true,
		func(t *testing.T, err error) { require.ErrorIs(t, err, iamport.ErrInvalidResponse) }},
}

func TestAreaEndpointsFailureShapes(t *testing.T) {
	t.Parallel()
	for _, ep := range areaEndpoints() {
		for _, fs := range failureShapes {
			if fs.after && ep.money {
				continue
			}
			t.Run(ep.name+"/"+fs.name, func(t *testing.T) {
				t.Parallel()
				var logs syncBuffer
				m := newMock(t)
				status, ctype, body := fs.answer()
				m.on(ep.method, ep.path, raw(status, ctype, body))
				res, err := ep.call(bg, m.client(iamport.WithLogger(debugLogger(&logs))))
				require.Error(t, err)
				require.Nil(t, res)
				fs.check(t, err)
				requireNoPersonal(t, fmt.Sprintf("%v %+v", err, err), "the error")
				requireNoPersonal(t, logs.String(), "the log")
				sent := m.count(ep.method, ep.path)
				switch {
				case status == 401:
					require.Equal(t, 2, sent, "a refused token is replaced once")
				case ep.method != http.MethodGet:
					require.Equal(t, 1, sent, "a call that may have been processed is never re-sent")
				}
			})
		}
	}
}

// A money-moving call whose answer is an outright refusal (an answer that
// says nothing was done) is reported at once, without lookups.
func TestAreaMoneyRefusalIsNotReconciled(t *testing.T) {
	t.Parallel()
	for _, ep := range areaEndpoints() {
		if !ep.money {
			continue
		}
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(ep.method, ep.path, reply(200, failure(1, "이미 처리된 요청입니다.")))
			_, err := ep.call(bg, m.client())
			var ae *iamport.APIError
			require.ErrorAs(t, err, &ae)
			require.Equal(t, 1, m.count(ep.method, ep.path), "sent once")
			require.Empty(t, m.after(ep.method, ep.path), "no lookup follows a refusal")
			m.mu.Lock()
			defer m.mu.Unlock()
			for _, r := range m.reqs {
				if r.Method != ep.method || r.Path != ep.path {
					require.True(t, r.Path == "/users/getToken" || strings.HasPrefix(r.Path, findAllPrefix),
						"only the token and the look at the order's earlier attempts come before: %s %s", r.Method, r.Path)
				}
			}
		})
	}
}

// The request types of the areas that hold personal data or secrets format
// redacted for every verb and in slog, keeping the rest readable.
func TestAreaRequestsFormatRedacted(t *testing.T) {
	t.Parallel()
	for _, tt := range areaRedacted() {
		t.Run(fmt.Sprintf("%T", tt.value), func(t *testing.T) {
			t.Parallel()
			out := formats(tt.value)
			requireNoPersonal(t, out, "fmt")
			require.Contains(t, fmt.Sprintf("%+v", tt.value), tt.keep)
			require.Contains(t, out, "[REDACTED]")
			var logs syncBuffer
			slog.New(slog.NewJSONHandler(&logs, nil)).Info("v", "v", tt.value)
			slog.New(slog.NewTextHandler(&logs, nil)).Info("v", slog.Any("v", tt.value))
			requireNoPersonal(t, logs.String(), "slog")
			require.Contains(t, logs.String(), tt.keep)
			require.True(t, strings.Contains(logs.String(), "[REDACTED]"))
		})
	}
}

type redactCase struct {
	value any
	keep  string // a field value that stays readable
}

var redactRegistry registry[redactCase]

func registerRedacted(cs ...redactCase) bool { return redactRegistry.add(cs...) }

func areaRedacted() []redactCase { return redactRegistry.all() }

package iamport_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// WithUserAgent appends the merchant's products after the SDK's own, on the
// token request and on every API call.
func TestWithUserAgentAppendsProducts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []iamport.Option
		want string
	}{
		{"none", nil, "iamport-go/" + iamport.Version},
		{"app and version", []iamport.Option{iamport.WithUserAgent("myshop", "2.4.1")}, "iamport-go/" + iamport.Version + " myshop/2.4.1"},
		{"app only", []iamport.Option{iamport.WithUserAgent("myshop", "")}, "iamport-go/" + iamport.Version + " myshop"},
		{"two products", []iamport.Option{iamport.WithUserAgent("billing-worker", "v7"), iamport.WithUserAgent("go-kit", "0.13.0+dirty")},
			"iamport-go/" + iamport.Version + " billing-worker/v7 go-kit/0.13.0+dirty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(http.MethodGet, "/payments/imp_1", ok(map[string]any{"imp_uid": "imp_1", "merchant_uid": "o1", "status": "paid"}))
			_, err := m.client(tc.opts...).GetPayment(bg, "imp_1")
			require.NoError(t, err)
			require.Equal(t, tc.want, m.only(http.MethodGet, "/payments/imp_1").Header.Get("User-Agent"))
			require.Equal(t, tc.want, m.only(http.MethodPost, "/users/getToken").Header.Get("User-Agent"))
		})
	}
}

// A name or version that is not an HTTP token is refused by New, so that no
// header can be split or smuggled through it.
func TestWithUserAgentRefusesNonTokens(t *testing.T) {
	t.Parallel()
	long := make([]byte, 65)
	for i := range long {
		long[i] = 'a'
	}
	for _, tc := range []struct{ name, app, version string }{
		{"empty app", "", "1.0"},
		{"newline in app", "shop\r\nX-Evil: 1", "1.0"},
		{"tab in version", "shop", "1\t0"},
		{"NUL", "sh\x00op", ""},
		{"DEL", "shop", "1.0\x7f"},
		{"space", "my shop", "1.0"},
		{"slash in app", "shop/1", "2"},
		{"slash in version", "shop", "1/2"},
		{"parenthesis", "shop", "(1)"},
		{"non-ASCII", "상점", "1.0"},
		{"too long", string(long), "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := iamport.New(testKey, testSecret, iamport.WithUserAgent(tc.app, tc.version))
			require.Nil(t, c)
			var ve *iamport.ValidationError
			require.True(t, errors.As(err, &ve), "got %v", err)
			require.Equal(t, "user_agent", ve.Field)
		})
	}
}

package iamporttest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// Token rules of the real API.
const (
	tokenLifetime  = 30 * time.Minute
	tokenLastCall  = time.Minute     // a getToken in the token's last minute...
	tokenExtension = 5 * time.Minute // ...extends it by this much
)

// getToken is POST /users/getToken: the same token while it is valid, five
// more minutes when asked in its last minute, a new one after it expired.
func (c *core) getToken(rq *apiRequest) result {
	key, err1 := getStr(rq.body, "imp_key")
	secret, err2 := getStr(rq.body, "imp_secret")
	if err1 != nil || err2 != nil || key == "" || secret == "" {
		return failResult(http.StatusUnauthorized, -1, msgMissingCreds)
	}
	kOK := subtle.ConstantTimeCompare([]byte(key), []byte(c.cfg.apiKey)) == 1
	sOK := subtle.ConstantTimeCompare([]byte(secret), []byte(c.cfg.apiSecret)) == 1
	if !kOK || !sOK {
		return failResult(http.StatusUnauthorized, -1, msgBadCreds)
	}
	if c.curToken != "" && c.now.Before(c.tokenExp) {
		if !c.now.Before(c.tokenExp.Add(-tokenLastCall)) {
			c.tokenExp = c.tokenExp.Add(tokenExtension)
		}
	} else {
		c.curToken = newToken()
		c.tokenExp = c.now.Truncate(time.Second).Add(tokenLifetime)
	}
	return okResult(map[string]any{
		"access_token": c.curToken,
		"now":          c.now.Unix(),
		"expired_at":   c.tokenExp.Unix(),
	})
}

func newToken() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic("iamporttest: no randomness for a token")
	}
	return hex.EncodeToString(b)
}

// authorized reports whether the request carries a token the fake issued
// that has not expired. "Authorization: <token>", "Authorization: Bearer
// <token>" and "X-ImpTokenHeader: <token>" are accepted; Authorization wins
// when both are sent. Call with mu held.
func (c *core) authorized(h http.Header) bool {
	tok := strings.TrimSpace(h.Get("Authorization"))
	if len(tok) > 7 && strings.EqualFold(tok[:7], "bearer ") {
		tok = strings.TrimSpace(tok[7:])
	}
	if tok == "" {
		tok = strings.TrimSpace(h.Get("X-ImpTokenHeader"))
	}
	if tok == "" {
		return false
	}
	return tok == c.curToken && c.now.Before(c.tokenExp)
}

package iamport

import "strings"

// WithUserAgent appends "app/version" to the User-Agent header the Client
// sends ("iamport-go/0.1.0 myshop/2.4.1"), so that iamport's logs and your
// proxies can tell which of your services made a request. version may be
// empty ("iamport-go/0.1.0 myshop"). Each WithUserAgent appends one more
// product, in the order given.
//
// app and version must be HTTP tokens: visible ASCII without spaces or any of
// ()<>@,;:\"/[]?={}. Anything else (a control character, a space, a newline
// that would start another header) is refused with a *ValidationError.
func WithUserAgent(app, version string) Option {
	return func(c *Client) error {
		if app == "" {
			return invalid("user_agent", "the app name is required")
		}
		if err := checkProductToken("app", app); err != nil {
			return err
		}
		product := app
		if version != "" {
			if err := checkProductToken("version", version); err != nil {
				return err
			}
			product += "/" + version
		}
		c.userAgent += " " + product
		return nil
	}
}

// checkProductToken refuses s unless it is an HTTP token (RFC 9110 5.6.2),
// as the product name and version of a User-Agent must be.
func checkProductToken(what, s string) error {
	const maxProduct = 64
	if len(s) > maxProduct {
		return invalid("user_agent", "the %s is longer than %d bytes", what, maxProduct)
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b < 0x21 || b > 0x7e:
			return invalid("user_agent", "the %s has a control, space or non-ASCII byte at %d", what, i)
		case strings.IndexByte(`()<>@,;:\"/[]?={}`, b) >= 0:
			return invalid("user_agent", "the %s has the separator %q at %d", what, b, i)
		}
	}
	return nil
}

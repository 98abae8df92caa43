package iamport

import "context"

// StandardCode is a bank or card company and its standard code from the
// Korea Financial Telecommunications and Clearings Institute (금융결제원)
// (StandardCodeAnnotation).
type StandardCode struct {
	Code string `json:"code"` // e.g. "004" for KB국민은행, "361" for BC카드
	Name string `json:"name"`
}

// ListCardCodes returns every card company with its standard code (GET
// /cards).
func (c *Client) ListCardCodes(ctx context.Context) ([]StandardCode, error) {
	return c.codes(ctx, "/cards")
}

// GetCardCode returns the card company with the standard code code (GET
// /cards/{card_standard_code}). An unknown code gives an error matching
// ErrNotFound.
func (c *Client) GetCardCode(ctx context.Context, code string) (*StandardCode, error) {
	return c.code(ctx, "/cards/", "card_standard_code", code)
}

// ListBankCodes returns every bank with its standard code (GET /banks).
func (c *Client) ListBankCodes(ctx context.Context) ([]StandardCode, error) {
	return c.codes(ctx, "/banks")
}

// GetBankCode returns the bank with the standard code code (GET
// /banks/{bank_standard_code}). An unknown code gives an error matching
// ErrNotFound.
func (c *Client) GetBankCode(ctx context.Context, code string) (*StandardCode, error) {
	return c.code(ctx, "/banks/", "bank_standard_code", code)
}

func (c *Client) codes(ctx context.Context, path string) ([]StandardCode, error) {
	var list []StandardCode
	if err := c.call(ctx, &request{method: "GET", path: path}, &list); err != nil {
		return nil, err
	}
	return list, nil
}

func (c *Client) code(ctx context.Context, prefix, field, code string) (*StandardCode, error) {
	if err := checkID(field, code); err != nil {
		return nil, err
	}
	var sc StandardCode
	if err := c.call(ctx, &request{method: "GET", path: prefix + escape(code)}, &sc); err != nil {
		return nil, err
	}
	return &sc, nil
}

package iamport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// EscrowLogis is the shipping registered for an escrow payment
// (EscrowLogisAnnotation).
type EscrowLogis struct {
	Company   string `json:"company"` // the courier's code
	Invoice   string `json:"invoice"` // the tracking number
	SentAt    Time   `json:"sent_at"`
	AppliedAt Time   `json:"applied_at"` // when iamport registered it
}

// EscrowLogisRequest registers or changes the shipping of an escrow payment
// (POST and PUT /escrows/logis/{imp_uid}). Which Sender and Receiver fields
// are required depends on the PG; iamport checks them.
type EscrowLogisRequest struct {
	ImpUID   string          `json:"-"` // required; goes into the path
	Sender   EscrowParty     `json:"sender"`
	Receiver EscrowParty     `json:"receiver"`
	Logis    EscrowLogisInfo `json:"logis"`              // Company, Invoice and SentAt required
	Products []EscrowProduct `json:"products,omitempty"` // required by welcome
	// SendEmail makes the PG mail the buyer when they confirm the purchase
	// (default true). Registration only.
	SendEmail *bool `json:"send_email,omitempty"`
}

type plainEscrowLogisRequest EscrowLogisRequest

// redacted is a copy of r with the personal data itself replaced, so that
// no way of printing it, nested values included, shows any.
func (r EscrowLogisRequest) redacted() plainEscrowLogisRequest {
	r.Sender, r.Receiver = EscrowParty(r.Sender.redacted()), EscrowParty(r.Receiver.redacted())
	r.Logis = redactFields(r.Logis)
	return plainEscrowLogisRequest(r)
}

// Format prints r with the sender's, receiver's and shipment's personal
// data redacted, for every verb.
func (r EscrowLogisRequest) Format(f fmt.State, verb rune) { formatPlain(f, verb, r.redacted()) }

// LogValue logs r with its personal data redacted.
func (r EscrowLogisRequest) LogValue() slog.Value { return logValueOf(r) }

// EscrowParty is the sender or the receiver of an escrow shipment
// (EscrowLogisSenderAnnotation, EscrowLogisReceiverAnnotation). Its name,
// phone and address are redacted in fmt, slog and JSON output.
type EscrowParty struct {
	Name     string `json:"name,omitempty" redact:"true"`
	Tel      string `json:"tel,omitempty" redact:"true"`
	Addr     string `json:"addr,omitempty" redact:"true"`
	Postcode string `json:"postcode,omitempty" redact:"true"`
	// Relationship is the sender's relation to the buyer, e.g. "본인"
	// (sender only; kiwoompay).
	Relationship string `json:"relationship,omitempty"`
	// FormedAddress replaces Addr for smartro_v2.
	FormedAddress *EscrowAddress `json:"formed_address,omitempty"`
}

// EscrowAddress is an address in two lines (smartro_v2).
type EscrowAddress struct {
	AddressLine1 string `json:"address_line_1" redact:"true"` // street or lot address
	AddressLine2 string `json:"address_line_2" redact:"true"` // the rest: building, unit
}

type escrowAddressFields EscrowAddress // same fields, no methods

// MarshalJSON encodes a with the address redacted.
func (a EscrowAddress) MarshalJSON() ([]byte, error) { return redactedJSON(escrowAddressFields(a)) }

// Format prints a with the address redacted, for every verb.
func (a EscrowAddress) Format(f fmt.State, verb rune) {
	formatRedacted[EscrowAddress](f, verb, escrowAddressFields(a))
}

// LogValue logs a with the address redacted.
func (a EscrowAddress) LogValue() slog.Value { return logValueRedacted(escrowAddressFields(a)) }

type plainEscrowParty EscrowParty

func (p EscrowParty) redacted() plainEscrowParty {
	p = redactFields(p)
	if p.FormedAddress != nil {
		p.FormedAddress = &EscrowAddress{AddressLine1: redacted, AddressLine2: redacted}
	}
	return plainEscrowParty(p)
}

// Format prints p with its personal data redacted, for every verb.
func (p EscrowParty) Format(f fmt.State, verb rune) { formatPlain(f, verb, p.redacted()) }

// LogValue logs p with its personal data redacted.
func (p EscrowParty) LogValue() slog.Value { return logValueOf(p) }

// MarshalJSON encodes p with its personal data redacted; the SDK sends the
// real values.
func (p EscrowParty) MarshalJSON() ([]byte, error) { return json.Marshal(p.redacted()) }

// EscrowLogisInfo is the shipment itself (EscrowLogisInfoAnnotation).
// Address is redacted in fmt, slog and JSON output.
type EscrowLogisInfo struct {
	Company     string    // required: the courier's code
	Invoice     string    // required: the tracking number
	SentAt      time.Time // required: when it was sent, sent as Unix seconds
	ReceivingAt string    // expected receipt, YYYYMMDD (kiwoompay)
	Address     string    `redact:"true"` // the shipping address (kiwoompay)
}

type logisWire struct {
	Company     string `json:"company"`
	Invoice     string `json:"invoice"`
	SentAt      int64  `json:"sent_at"`
	ReceivingAt string `json:"receiving_at,omitempty"`
	Address     string `json:"address,omitempty" redact:"true"`
}

func (l EscrowLogisInfo) wire() logisWire {
	return logisWire{l.Company, l.Invoice, Time{l.SentAt}.Unix(), l.ReceivingAt, l.Address}
}

type plainEscrowLogisInfo EscrowLogisInfo

// Format prints l with its address redacted, for every verb.
func (l EscrowLogisInfo) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainEscrowLogisInfo(redactFields(l)))
}

// LogValue logs l with its address redacted.
func (l EscrowLogisInfo) LogValue() slog.Value { return logValueOf(l) }

// MarshalJSON encodes l as the API takes it, with its address redacted.
func (l EscrowLogisInfo) MarshalJSON() ([]byte, error) {
	return json.Marshal(redactFields(l).wire())
}

// EscrowProduct is one product of an escrow shipment
// (EscrowLogisProductsAnnotation).
type EscrowProduct struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Code     string `json:"code,omitempty"`
	Amount   Amount `json:"amount"` // unit price
	Currency string `json:"currency,omitempty"`
	Quantity int    `json:"quantity,omitempty"`
	Tag      string `json:"tag,omitempty"` // category
}

// escrowPartyWire is an EscrowParty as the SDK sends it, its two-line
// address included, with the real personal data.
type escrowPartyWire struct {
	plainEscrowParty
	FormedAddress *escrowAddressFields `json:"formed_address,omitempty"`
}

func (p EscrowParty) wire() escrowPartyWire {
	w := escrowPartyWire{plainEscrowParty: plainEscrowParty(p)}
	if p.FormedAddress != nil {
		a := escrowAddressFields(*p.FormedAddress)
		w.FormedAddress = &a
	}
	return w
}

// wire is the body the SDK sends, with the real personal data.
func (r *EscrowLogisRequest) wire(withEmail bool) any {
	body := struct {
		Sender    escrowPartyWire `json:"sender"`
		Receiver  escrowPartyWire `json:"receiver"`
		Logis     logisWire       `json:"logis"`
		Products  []EscrowProduct `json:"products,omitempty"`
		SendEmail *bool           `json:"send_email,omitempty"`
	}{r.Sender.wire(), r.Receiver.wire(), r.Logis.wire(), r.Products, nil}
	if withEmail {
		body.SendEmail = r.SendEmail
	}
	return body
}

// escrowBody is the body of a shipping registration (withEmail) or change:
// the SDK sends its wire form, and refuses it if it holds the redaction
// placeholder.
type escrowBody struct {
	r         *EscrowLogisRequest
	withEmail bool
}

func (b escrowBody) wire() any { return b.r.wire(b.withEmail) }

func (r *EscrowLogisRequest) check() error {
	if err := checkID("imp_uid", r.ImpUID); err != nil {
		return err
	}
	switch {
	case r.Logis.Company == "":
		return invalid("logis.company", "is required")
	case r.Logis.Invoice == "":
		return invalid("logis.invoice", "is required")
	case r.Logis.SentAt.IsZero():
		return invalid("logis.sent_at", "is required")
	}
	return nil
}

// hintEscrow is how to find out whether a shipping registration applied.
const hintEscrow = "look the shipping up with GetEscrowLogis"

// GetEscrowLogis returns the shipping registered for the escrow payment
// impUID (GET /escrows/logis/{imp_uid}). An unknown payment gives an error
// matching ErrNotFound; one without shipping an *APIError with HTTP 409.
func (c *Client) GetEscrowLogis(ctx context.Context, impUID string) (*EscrowLogis, error) {
	if err := checkID("imp_uid", impUID); err != nil {
		return nil, err
	}
	var l EscrowLogis
	if err := c.call(ctx, &request{method: "GET", path: "/escrows/logis/" + escape(impUID)}, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// RegisterEscrowLogis registers the shipping of the escrow payment
// req.ImpUID and returns it (POST /escrows/logis/{imp_uid}); the PG starts
// the buyer's purchase confirmation from it. A payment with shipping already
// registered is refused (HTTP 409): use UpdateEscrowLogis.
//
// The call is never sent again once it may have reached iamport. If its
// answer is lost, RegisterEscrowLogis looks the shipping up (GET
// /escrows/logis/{imp_uid}) until it carries req's courier and invoice, and
// returns it. Finding no shipping, or other shipping (registered before,
// so this call was refused, or since, so it applied and was changed), proves
// nothing: when the reconcile timeout ends first, RegisterEscrowLogis
// returns an *OutcomeUnknownError.
func (c *Client) RegisterEscrowLogis(ctx context.Context, req *EscrowLogisRequest) (*EscrowLogis, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	r := &request{method: "POST", path: "/escrows/logis/" + escape(req.ImpUID), body: escrowBody{req, true}, money: true}
	return sendIssue(c, ctx, r, req.ImpUID, hintEscrow, func(ctx context.Context) (*EscrowLogis, verdict, error) {
		l, err := c.GetEscrowLogis(ctx, req.ImpUID)
		var apiErr *APIError
		switch {
		case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusConflict:
			return nil, pending, nil // no shipping registered
		case err != nil:
			return nil, lookupVerdict(err), err
		case l.Company == req.Logis.Company && l.Invoice == req.Logis.Invoice:
			return l, decided, nil
		}
		// Other shipping: registered before this call (which iamport then
		// refused) or changed since it applied. Neither is proven.
		return nil, pending, nil
	})
}

// UpdateEscrowLogis changes the shipping registered for the escrow payment
// req.ImpUID and returns it (PUT /escrows/logis/{imp_uid}). SendEmail is
// not sent. Setting the same shipping again has the same effect, but like
// every write it is not re-sent after it may have reached iamport: look it
// up with GetEscrowLogis after an error.
func (c *Client) UpdateEscrowLogis(ctx context.Context, req *EscrowLogisRequest) (*EscrowLogis, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	var l EscrowLogis
	if err := c.call(ctx, &request{method: "PUT", path: "/escrows/logis/" + escape(req.ImpUID), body: escrowBody{req, false}}, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

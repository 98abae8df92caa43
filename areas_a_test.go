package iamport_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// Unit tests, on a mock transport, of the virtual-account, receipt,
// certification, escrow, code and account methods.

// errLost is a transport failure after the request was written: its answer
// is lost.
var errLost = errors.New("read tcp 10.0.0.1:443: connection reset by peer")

// An ID that must reach the server as one escaped path segment.
const (
	oddID  = "a/../b?x=1"
	oddEsc = "a%2F..%2Fb%3Fx=1"
)

func vbankPayment(merchantUID string, kv ...any) map[string]any {
	return payment(merchantUID, append([]any{"pay_method", "vbank", "status", "ready", "paid_at", 0,
		"vbank_code", "004", "vbank_name", "KB국민은행", "vbank_num", "56211234567890", "vbank_holder", "홍길동상점",
		"vbank_date", 1767484800, "vbank_issued_at", time.Now().Unix(), "started_at", time.Now().Unix()}, kv...)...)
}

func receiptJSON(kv ...any) map[string]any {
	return with(map[string]any{"imp_uid": "imp_1", "receipt_tid": "tid1", "apply_num": "123456789", "type": "person",
		"amount": 16000, "vat": 1455, "receipt_url": "https://example.com/r", "applied_at": 1767225600, "cancelled_at": 0}, kv...)
}

func certJSON() map[string]any {
	return map[string]any{"imp_uid": "imp_cert1", "merchant_uid": "cert-1", "pg_tid": "t", "pg_provider": "danal",
		"name": personName, "gender": "male", "birthday": personBirthday, "foreigner": false, "foreigner_v2": nil,
		"phone": personPhone, "carrier": "SKT", "certified": true, "certified_at": 1767225600,
		"unique_key": personCI, "unique_in_site": personDI, "origin": nil, "brand_new": 1}
}

// Personal data the tests send and receive; finding any of it in output
// means a leak.
const (
	personName     = "김비밀"
	personPhone    = "01098765432"
	personBirthday = "1987-06-05"
	personBirth    = "870605"
	personCI       = "CI-c2VjcmV0LWNpLXZhbHVl"
	personDI       = "DI-ZGktdmFsdWUtc2VjcmV0"
	accountNum     = "3333012345678"
	holderName     = "박예금주"
	receiptID      = "01055556666"
	pgAPIKey       = "inicis-pg-api-key-secret"
)

func personalIn(s string) []string {
	var found []string
	for _, v := range []string{personName, personPhone, personBirthday, personBirth, personCI, personDI, accountNum, holderName, receiptID, pgAPIKey} {
		if strings.Contains(s, v) {
			found = append(found, v)
		}
	}
	return found
}

type areaCase struct {
	name   string
	method string
	path   string // escaped
	query  string // RawQuery sent
	body   string // JSON body sent; "" for none
	resp   any
	call   func(ctx context.Context, c *iamport.Client) (any, error)
	check  func(t *testing.T, v any)
}

func areaCases() []areaCase {
	due := time.Unix(1767484800, 0)
	return []areaCase{
		{"IssueVbank", "POST", "/vbanks", "pg_api_key=" + pgAPIKey,
			`{"channel_key":"ck","merchant_uid":"order-vb","amount":16000,"vbank_code":"004","vbank_due":1767484800,
			"vbank_holder":"` + holderName + `","vbank_num":"` + accountNum + `","name":"주문","buyer_name":"` + personName + `",
			"notice_url":["https://shop.example/hook"],"tax_free":0}`,
			vbankPayment("order-vb"),
			func(ctx context.Context, c *iamport.Client) (any, error) {
				return c.IssueVbank(ctx, &iamport.VbankRequest{ChannelKey: "ck", MerchantUID: "order-vb", Amount: 16000, VbankCode: "004",
					VbankDue: due, VbankHolder: holderName, VbankNum: accountNum, Name: "주문", BuyerName: personName,
					NoticeURL: []string{"https://shop.example/hook"}, TaxFree: iamport.Ptr(iamport.Amount(0)), PGAPIKey: pgAPIKey})
			},
			func(t *testing.T, v any) {
				p := v.(*iamport.Payment)
				require.Equal(t, iamport.PaymentStatusReady, p.Status)
				require.Equal(t, "56211234567890", p.VbankNum)
				require.Equal(t, int64(1767484800), p.VbankDate.Unix())
			}},
		{"UpdateVbank", "PUT", "/vbanks/" + oddEsc, "", `{"amount":17000,"vbank_due":1767484800}`, vbankPayment("order-vb", "amount", 17000),
			func(ctx context.Context, c *iamport.Client) (any, error) {
				return c.UpdateVbank(ctx, &iamport.UpdateVbankRequest{ImpUID: oddID, Amount: 17000, VbankDue: due})
			},
			func(t *testing.T, v any) { require.True(t, v.(*iamport.Payment).Amount.Equal(17000)) }},
		{"RevokeVbank", "DELETE", "/vbanks/" + oddEsc, "pg_api_key=" + pgAPIKey, "", vbankPayment("order-vb", "status", "cancelled"),
			func(ctx context.Context, c *iamport.Client) (any, error) {
				return c.RevokeVbank(ctx, &iamport.RevokeVbankRequest{ImpUID: oddID, PGAPIKey: pgAPIKey})
			},
			func(t *testing.T, v any) {
				require.Equal(t, iamport.PaymentStatusCancelled, v.(*iamport.Payment).Status)
			}},
		{"GetVbankHolder", "GET", "/vbanks/holder", "bank_code=088&bank_num=" + accountNum, "", map[string]any{"bank_holder": holderName},
			func(ctx context.Context, c *iamport.Client) (any, error) {
				return c.GetVbankHolder(ctx, &iamport.VbankHolderRequest{BankCode: "088", BankNum: accountNum})
			},
			func(t *testing.T, v any) { require.Equal(t, holderName, v.(*iamport.VbankHolder).BankHolder) }},
		{"GetReceipt", "GET", "/receipts/" + oddEsc, "", "", receiptJSON(),
			func(ctx context.Context, c *iamport.Client) (any, error) { return c.GetReceipt(ctx, oddID) },
			func(t *testing.T, v any) {
				r := v.(*iamport.Receipt)
				require.Equal(t, iamport.ReceiptTypePerson, r.Type)
				require.True(t, r.Vat.Equal(1455))
				require.True(t, r.CancelledAt.IsZero())
			}},
		{"IssueReceipt", "POST", "/receipts/" + oddEsc, "",
			`{"identifier":"` + receiptID + `","identifier_type":"phone","type":"company","buyer_name":"` + personName + `","tax_free":1000}`,
			receiptJSON("type", "company"),
			func(ctx context.Context, c *iamport.Client) (any, error) {
				return c.IssueReceipt(ctx, &iamport.ReceiptRequest{ImpUID: oddID, Identifier: receiptID, IdentifierType: iamport.IdentifierPhone,
					Type: iamport.ReceiptTypeCompany, BuyerName: personName, TaxFree: iamport.Ptr(iamport.Amount(1000))})
			},
			func(t *testing.T, v any) { require.Equal(t, iamport.ReceiptTypeCompany, v.(*iamport.Receipt).Type) }},
		{"CancelReceipt", "DELETE", "/receipts/" + oddEsc, "", "", receiptJSON("cancelled_at", 1767225700),
			func(ctx context.Context, c *iamport.Client) (any, error) { return c.CancelReceipt(ctx, oddID) },
			func(t *testing.T, v any) { require.False(t, v.(*iamport.Receipt).CancelledAt.IsZero()) }},
		{"GetExternalReceipt", "GET", "/receipts/external/" + oddEsc, "", "", receiptJSON("merchant_uid", "sale-1"),
			func(ctx context.Context, c *iamport.Client) (any, error) { return c.GetExternalReceipt(ctx, oddID) },
			func(t *testing.T, v any) { require.Equal(t, "sale-1", v.(*iamport.ExternalReceipt).MerchantUID) }},
		{"IssueExternalReceipt", "POST", "/receipts/external/" + oddEsc, "",
			`{"channel_key":"ck","name":"현장","amount":11000,"identifier":"` + receiptID + `","pay_method":"trans"}`,
			receiptJSON("merchant_uid", "sale-1"),
			func(ctx context.Context, c *iamport.Client) (any, error) {
				return c.IssueExternalReceipt(ctx, &iamport.ExternalReceiptRequest{MerchantUID: oddID, ChannelKey: "ck", Name: "현장",
					Amount: 11000, Identifier: receiptID, PayMethod: "trans"})
			},
			func(t *testing.T, v any) { require.Equal(t, "sale-1", v.(*iamport.ExternalReceipt).MerchantUID) }},
		{"CancelExternalReceipt", "DELETE", "/receipts/external/" + oddEsc, "", "", receiptJSON("merchant_uid", "sale-1", "cancelled_at", 1767225700),
			func(ctx context.Context, c *iamport.Client) (any, error) { return c.CancelExternalReceipt(ctx, oddID) },
			func(t *testing.T, v any) { require.False(t, v.(*iamport.ExternalReceipt).CancelledAt.IsZero()) }},
		{"RequestCertificationOTP", "POST", "/certifications/otp/request", "",
			`{"name":"` + personName + `","phone":"` + personPhone + `","birth":"` + personBirth + `","gender_digit":"1",
			"carrier":"KT","channel_key":"ck","is_mvno":true,"merchant_uid":"cert-1"}`,
			map[string]any{"imp_uid": "imp_cert1"},
			func(ctx context.Context, c *iamport.Client) (any, error) {
				return c.RequestCertificationOTP(ctx, &iamport.CertificationOTPRequest{Name: personName, Phone: personPhone, Birth: personBirth,
					GenderDigit: "1", Carrier: iamport.CarrierKT, ChannelKey: "ck", IsMVNO: iamport.Ptr(true), MerchantUID: "cert-1"})
			},
			func(t *testing.T, v any) { require.Equal(t, "imp_cert1", v.(*iamport.CertificationOTP).ImpUID) }},
		{"ConfirmCertificationOTP", "POST", "/certifications/otp/confirm/" + oddEsc, "", `{"otp":"123456"}`, certJSON(),
			func(ctx context.Context, c *iamport.Client) (any, error) {
				return c.ConfirmCertificationOTP(ctx, oddID, "123456")
			},
			checkCert},
		{"GetCertification", "GET", "/certifications/" + oddEsc, "", "", certJSON(),
			func(ctx context.Context, c *iamport.Client) (any, error) { return c.GetCertification(ctx, oddID) }, checkCert},
		{"DeleteCertification", "DELETE", "/certifications/" + oddEsc, "", "", certJSON(),
			func(ctx context.Context, c *iamport.Client) (any, error) { return c.DeleteCertification(ctx, oddID) }, checkCert},
		{"GetEscrowLogis", "GET", "/escrows/logis/" + oddEsc, "", "", escrowJSON(),
			func(ctx context.Context, c *iamport.Client) (any, error) { return c.GetEscrowLogis(ctx, oddID) }, checkEscrow},
		{"RegisterEscrowLogis", "POST", "/escrows/logis/" + oddEsc, "",
			`{"sender":{"name":"상점","tel":"0212345678","relationship":"본인"},"receiver":{"name":"` + personName + `","tel":"` + personPhone + `",
			"formed_address":{"address_line_1":"서울시","address_line_2":"101동"}},"logis":{"company":"CJGLS","invoice":"1234","sent_at":1767225600,"address":"서울시"},
			"products":[{"id":"p1","name":"책","amount":12000,"quantity":2}],"send_email":false}`,
			escrowJSON(),
			func(ctx context.Context, c *iamport.Client) (any, error) {
				return c.RegisterEscrowLogis(ctx, escrowReq())
			}, checkEscrow},
		{"UpdateEscrowLogis", "PUT", "/escrows/logis/" + oddEsc, "",
			`{"sender":{"name":"상점","tel":"0212345678","relationship":"본인"},"receiver":{"name":"` + personName + `","tel":"` + personPhone + `",
			"formed_address":{"address_line_1":"서울시","address_line_2":"101동"}},"logis":{"company":"CJGLS","invoice":"1234","sent_at":1767225600,"address":"서울시"},
			"products":[{"id":"p1","name":"책","amount":12000,"quantity":2}]}`,
			escrowJSON(),
			func(ctx context.Context, c *iamport.Client) (any, error) {
				return c.UpdateEscrowLogis(ctx, escrowReq())
			}, checkEscrow},
		{"ListCardCodes", "GET", "/cards", "", "", []any{map[string]any{"code": "361", "name": "BC카드"}},
			func(ctx context.Context, c *iamport.Client) (any, error) { return c.ListCardCodes(ctx) },
			func(t *testing.T, v any) {
				require.Equal(t, []iamport.StandardCode{{Code: "361", Name: "BC카드"}}, v)
			}},
		{"GetCardCode", "GET", "/cards/" + oddEsc, "", "", map[string]any{"code": "361", "name": "BC카드"},
			func(ctx context.Context, c *iamport.Client) (any, error) { return c.GetCardCode(ctx, oddID) },
			func(t *testing.T, v any) { require.Equal(t, "BC카드", v.(*iamport.StandardCode).Name) }},
		{"ListBankCodes", "GET", "/banks", "", "", []any{map[string]any{"code": "004", "name": "KB국민은행"}},
			func(ctx context.Context, c *iamport.Client) (any, error) { return c.ListBankCodes(ctx) },
			func(t *testing.T, v any) {
				require.Equal(t, []iamport.StandardCode{{Code: "004", Name: "KB국민은행"}}, v)
			}},
		{"GetBankCode", "GET", "/banks/" + oddEsc, "", "", map[string]any{"code": "004", "name": "KB국민은행"},
			func(ctx context.Context, c *iamport.Client) (any, error) { return c.GetBankCode(ctx, oddID) },
			func(t *testing.T, v any) { require.Equal(t, "KB국민은행", v.(*iamport.StandardCode).Name) }},
		{"ListPGSettings", "GET", "/users/pg", "", "",
			[]any{map[string]any{"pg_provider": "html5_inicis", "pg_id": "INIpayTest", "sandbox": true, "type": "payment", "channel_name": "웹", "channel_key": "ck"}},
			func(ctx context.Context, c *iamport.Client) (any, error) { return c.ListPGSettings(ctx) },
			func(t *testing.T, v any) {
				require.Equal(t, []iamport.PGSetting{{PGProvider: "html5_inicis", PGID: "INIpayTest", Sandbox: true, Type: "payment", ChannelName: "웹", ChannelKey: "ck"}}, v)
			}},
		{"GetTier", "GET", "/tiers/" + oddEsc, "", "", map[string]any{"tier_code": "T01", "tier_name": "강남점"},
			func(ctx context.Context, c *iamport.Client) (any, error) { return c.GetTier(ctx, oddID) },
			func(t *testing.T, v any) {
				require.Equal(t, iamport.Tier{TierCode: "T01", TierName: "강남점"}, *v.(*iamport.Tier))
			}},
		{"RegisterPartnerReceipts", "POST", "/partners/receipts/" + oddEsc, "",
			`{"data":[{"business_registration_number":"123-45-67890","company_name":"입점사","amount":1000,"tax_free":0,"vat_amount":90.91}]}`,
			map[string]any{"receipt_url": "https://example.com/slip"},
			func(ctx context.Context, c *iamport.Client) (any, error) {
				return c.RegisterPartnerReceipts(ctx, oddID, []iamport.PartnerReceipt{{BusinessRegistrationNumber: "123-45-67890",
					CompanyName: "입점사", Amount: 1000, TaxFree: iamport.Ptr(iamport.Amount(0)), VatAmount: iamport.Ptr(iamport.Amount(90.91))}})
			},
			func(t *testing.T, v any) {
				require.Equal(t, "https://example.com/slip", v.(*iamport.PartnerReceiptResult).ReceiptURL)
			}},
	}
}

func checkCert(t *testing.T, v any) {
	c := v.(*iamport.Certification)
	require.Equal(t, personName, c.Name)
	require.Equal(t, personCI, c.UniqueKey)
	require.Equal(t, personDI, c.UniqueInSite)
	require.True(t, c.Certified)
	require.Nil(t, c.ForeignerV2)
}

func escrowJSON() map[string]any {
	return map[string]any{"company": "CJGLS", "invoice": "1234", "sent_at": 1767225600, "applied_at": 1767225700}
}

func checkEscrow(t *testing.T, v any) {
	require.Equal(t, iamport.EscrowLogis{Company: "CJGLS", Invoice: "1234", SentAt: iamport.Unix(1767225600), AppliedAt: iamport.Unix(1767225700)},
		*v.(*iamport.EscrowLogis))
}

func escrowReq() *iamport.EscrowLogisRequest {
	return &iamport.EscrowLogisRequest{ImpUID: oddID,
		Sender:    iamport.EscrowParty{Name: "상점", Tel: "0212345678", Relationship: "본인"},
		Receiver:  iamport.EscrowParty{Name: personName, Tel: personPhone, FormedAddress: &iamport.EscrowAddress{AddressLine1: "서울시", AddressLine2: "101동"}},
		Logis:     iamport.EscrowLogisInfo{Company: "CJGLS", Invoice: "1234", SentAt: time.Unix(1767225600, 0), Address: "서울시"},
		Products:  []iamport.EscrowProduct{{ID: "p1", Name: "책", Amount: 12000, Quantity: 2}},
		SendEmail: iamport.Ptr(false),
	}
}

// Each method sends its method, escaped path, query and body, decodes the
// answer, and turns a refusal into an *APIError without a result.
func TestAreaMethodsSendAndDecode(t *testing.T) {
	t.Parallel()
	for _, tc := range areaCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(tc.method, tc.path, ok(tc.resp))
			v, err := tc.call(bg, m.client())
			require.NoError(t, err)
			tc.check(t, v)
			r := m.only(tc.method, tc.path)
			require.Equal(t, tc.query, r.RawQuery)
			require.Equal(t, testToken, r.Header.Get("Authorization"))
			if tc.body == "" {
				require.Empty(t, r.Body)
			} else {
				require.Equal(t, "application/json", r.Header.Get("Content-Type"))
				require.JSONEq(t, tc.body, r.Body)
			}

			m = newMock(t)
			m.on(tc.method, tc.path, reply(200, failure(1, "처리할 수 없습니다.")))
			v, err = tc.call(bg, m.client())
			require.Nil(t, nilIfTypedNil(v))
			var apiErr *iamport.APIError
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, 1, apiErr.Code)
			require.Equal(t, tc.path, apiErr.Path)
			require.Equal(t, 1, m.count(tc.method, tc.path), "a refusal is not retried")
			require.Empty(t, personalIn(err.Error()), "the error holds no personal data")

			// A null response: an unusable answer. For the calls that issue
			// something it may hide a success, so they look it up; here
			// the lookups find nothing.
			m = newMock(t)
			m.on(tc.method, tc.path, reply(200, `{"code":0,"message":null,"response":null}`))
			lookup := map[string]string{"IssueVbank": findPrefix + "order-vb", "IssueReceipt": "/receipts/" + oddEsc,
				"CancelReceipt": "/receipts/" + oddEsc, "IssueExternalReceipt": "/receipts/external/" + oddEsc,
				"CancelExternalReceipt": "/receipts/external/" + oddEsc, "RegisterEscrowLogis": "/escrows/logis/" + oddEsc}[tc.name]
			if lookup != "" {
				m.on("GET", lookup, reply(404, failure(-1, "없음")))
			}
			_, err = tc.call(bg, m.client(iamport.WithReconcileTimeout(200*time.Millisecond)))
			require.ErrorIs(t, err, iamport.ErrInvalidResponse)
			require.Equal(t, 1, m.count(tc.method, tc.path), "never sent twice")
			if lookup != "" {
				require.Positive(t, m.count("GET", lookup), "the outcome was looked up")
			}
		})
	}
}

// nilIfTypedNil turns a typed nil pointer or slice in an interface into nil.
func nilIfTypedNil(v any) any {
	switch x := v.(type) {
	case *iamport.Payment:
		if x == nil {
			return nil
		}
	case *iamport.Receipt:
		if x == nil {
			return nil
		}
	case *iamport.ExternalReceipt:
		if x == nil {
			return nil
		}
	case *iamport.Certification:
		if x == nil {
			return nil
		}
	case *iamport.CertificationOTP:
		if x == nil {
			return nil
		}
	case *iamport.EscrowLogis:
		if x == nil {
			return nil
		}
	case *iamport.StandardCode:
		if x == nil {
			return nil
		}
	case []iamport.StandardCode:
		if x == nil {
			return nil
		}
	case []iamport.PGSetting:
		if x == nil {
			return nil
		}
	case *iamport.Tier:
		if x == nil {
			return nil
		}
	case *iamport.PartnerReceiptResult:
		if x == nil {
			return nil
		}
	case *iamport.VbankHolder:
		if x == nil {
			return nil
		}
	}
	return v
}

// Missing required fields are refused before anything is sent; descriptive
// text is never refused for its length.
func TestAreaValidation(t *testing.T) {
	t.Parallel()
	due := time.Now().Add(time.Hour)
	long := strings.Repeat("가", 500)
	vb := func(f func(r *iamport.VbankRequest)) func(ctx context.Context, c *iamport.Client) error {
		return func(ctx context.Context, c *iamport.Client) error {
			r := &iamport.VbankRequest{ChannelKey: "ck", MerchantUID: "o", Amount: 1000, VbankCode: "004", VbankDue: due}
			f(r)
			_, err := c.IssueVbank(ctx, r)
			return err
		}
	}
	for _, tt := range []struct {
		field string
		call  func(ctx context.Context, c *iamport.Client) error
	}{
		{"request", func(ctx context.Context, c *iamport.Client) error { _, err := c.IssueVbank(ctx, nil); return err }},
		{"channel_key", vb(func(r *iamport.VbankRequest) { r.ChannelKey = "" })},
		{"merchant_uid", vb(func(r *iamport.VbankRequest) { r.MerchantUID = "" })},
		{"amount", vb(func(r *iamport.VbankRequest) { r.Amount = 0 })},
		{"vbank_code", vb(func(r *iamport.VbankRequest) { r.VbankCode = "" })},
		{"amount", vb(func(r *iamport.VbankRequest) { r.Amount = 1000.5 })},
		{"vbank_due", vb(func(r *iamport.VbankRequest) { r.VbankDue = time.Time{} })},
		{"imp_uid", func(ctx context.Context, c *iamport.Client) error {
			_, err := c.UpdateVbank(ctx, &iamport.UpdateVbankRequest{Amount: 1})
			return err
		}},
		{"amount", func(ctx context.Context, c *iamport.Client) error {
			_, err := c.UpdateVbank(ctx, &iamport.UpdateVbankRequest{ImpUID: "imp_1", Amount: -1})
			return err
		}},
		{"imp_uid", func(ctx context.Context, c *iamport.Client) error {
			_, err := c.RevokeVbank(ctx, &iamport.RevokeVbankRequest{ImpUID: ".."})
			return err
		}},
		{"bank_num", func(ctx context.Context, c *iamport.Client) error {
			_, err := c.GetVbankHolder(ctx, &iamport.VbankHolderRequest{BankCode: "004"})
			return err
		}},
		{"identifier", func(ctx context.Context, c *iamport.Client) error {
			_, err := c.IssueReceipt(ctx, &iamport.ReceiptRequest{ImpUID: "imp_1"})
			return err
		}},
		{"name", func(ctx context.Context, c *iamport.Client) error {
			_, err := c.IssueExternalReceipt(ctx, &iamport.ExternalReceiptRequest{MerchantUID: "s", ChannelKey: "ck", Amount: 1, Identifier: "x"})
			return err
		}},
		{"amount", func(ctx context.Context, c *iamport.Client) error {
			_, err := c.IssueExternalReceipt(ctx, &iamport.ExternalReceiptRequest{MerchantUID: "s", ChannelKey: "ck", Name: "n", Identifier: "x", Amount: -1})
			return err
		}},
		{"gender_digit", func(ctx context.Context, c *iamport.Client) error {
			_, err := c.RequestCertificationOTP(ctx, &iamport.CertificationOTPRequest{Name: "n", Phone: "p", Birth: "b", Carrier: "SKT", ChannelKey: "ck"})
			return err
		}},
		{"imp_uid", func(ctx context.Context, c *iamport.Client) error {
			_, err := c.ConfirmCertificationOTP(ctx, "", "123456")
			return err
		}},
		{"logis.invoice", func(ctx context.Context, c *iamport.Client) error {
			r := escrowReq()
			r.Logis.Invoice = ""
			_, err := c.RegisterEscrowLogis(ctx, r)
			return err
		}},
		{"logis.sent_at", func(ctx context.Context, c *iamport.Client) error {
			r := escrowReq()
			r.Logis.SentAt = time.Time{}
			_, err := c.UpdateEscrowLogis(ctx, r)
			return err
		}},
		{"card_standard_code", func(ctx context.Context, c *iamport.Client) error { _, err := c.GetCardCode(ctx, ""); return err }},
		{"tier_code", func(ctx context.Context, c *iamport.Client) error { _, err := c.GetTier(ctx, "T0\x011"); return err }},
		{"data", func(ctx context.Context, c *iamport.Client) error {
			_, err := c.RegisterPartnerReceipts(ctx, "imp_1", nil)
			return err
		}},
		{"data[0].company_name", func(ctx context.Context, c *iamport.Client) error {
			_, err := c.RegisterPartnerReceipts(ctx, "imp_1", []iamport.PartnerReceipt{{BusinessRegistrationNumber: "1", Amount: 1}})
			return err
		}},
		{"amount", func(ctx context.Context, c *iamport.Client) error {
			_, err := c.VerifyPayment(ctx, &iamport.VerifyPaymentRequest{ImpUID: "imp_1", MerchantUID: "o"})
			return err
		}},
	} {
		m := newMock(t)
		err := tt.call(bg, m.client())
		var ve *iamport.ValidationError
		require.ErrorAs(t, err, &ve, tt.field)
		require.Equal(t, tt.field, ve.Field)
		require.Zero(t, m.total(), "nothing is sent")
	}

	// Long descriptive text goes through.
	m := newMock(t)
	m.on("POST", "/vbanks", ok(vbankPayment("o")))
	_, err := m.client().IssueVbank(bg, &iamport.VbankRequest{ChannelKey: "ck", MerchantUID: "o", Amount: 1000, VbankCode: "004",
		VbankDue: due, Name: long, BuyerName: long, VbankHolder: long, CustomData: long})
	require.NoError(t, err)

	// An identifier is sent as it is, spaces included: iamport judges it.
	m = newMock(t)
	m.on("GET", "/tiers/%20T01", ok(map[string]any{"tier_code": " T01", "tier_name": "강남점"}))
	tier, err := m.client().GetTier(bg, " T01")
	require.NoError(t, err)
	require.Equal(t, " T01", tier.TierCode)
	require.Equal(t, 1, m.count("GET", "/tiers/%20T01"))
}

// A transport failure names the path, never the query, which may hold an
// account number or a PG key.
func TestTransportErrorsOmitTheQuery(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on("GET", "/vbanks/holder", fail(errLost))
	m.on("DELETE", "/vbanks/imp_1", fail(errLost))
	c := m.client(iamport.WithMaxRetries(0))
	_, err := c.GetVbankHolder(bg, &iamport.VbankHolderRequest{BankCode: "088", BankNum: accountNum})
	require.ErrorIs(t, err, errLost)
	require.Contains(t, err.Error(), "/vbanks/holder")
	require.Empty(t, personalIn(fmt.Sprintf("%v %+v %#v", err, err, err)), err.Error())
	_, err = c.RevokeVbank(bg, &iamport.RevokeVbankRequest{ImpUID: "imp_1", PGAPIKey: pgAPIKey})
	require.ErrorIs(t, err, errLost)
	require.Empty(t, personalIn(fmt.Sprintf("%v %+v %#v", err, err, err)), err.Error())
}

package iamport_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// The redaction audit of the personal data the area methods carry:
// certification results, account numbers and holders, cash receipt
// identifiers, shipping addresses, and the Inicis API key.

func TestPersonalDataTypesRedact(t *testing.T) {
	t.Parallel()
	cert := iamport.Certification{ImpUID: "imp_cert1", Name: personName, Phone: personPhone, Birthday: personBirthday,
		Gender: "male", Carrier: "SKT", UniqueKey: personCI, UniqueInSite: personDI, Certified: true}
	values := []struct {
		name  string
		value any
		keep  string
	}{
		{"VbankRequest", iamport.VbankRequest{MerchantUID: "order-keep", VbankNum: accountNum, VbankHolder: holderName,
			BusinessRegistrationNumber: receiptID, PGAPIKey: pgAPIKey, VbankDue: time.Now()}, "order-keep"},
		{"RevokeVbankRequest", iamport.RevokeVbankRequest{ImpUID: "imp_keep", PGAPIKey: pgAPIKey}, "imp_keep"},
		{"VbankHolderRequest", iamport.VbankHolderRequest{BankCode: "088", BankNum: accountNum}, "088"},
		{"VbankHolder", iamport.VbankHolder{BankHolder: holderName}, "REDACTED"},
		{"ReceiptRequest", iamport.ReceiptRequest{ImpUID: "imp_keep", Identifier: receiptID, BuyerName: personName, BuyerTel: personPhone}, "imp_keep"},
		{"ExternalReceiptRequest", iamport.ExternalReceiptRequest{MerchantUID: "sale-keep", Identifier: receiptID, CorpRegNo: accountNum,
			BuyerName: personName}, "sale-keep"},
		{"Certification", cert, "imp_cert1"},
		{"CertificationOTPRequest", iamport.CertificationOTPRequest{Name: personName, Phone: personPhone, Birth: personBirth,
			GenderDigit: "1", Carrier: "SKT", ChannelKey: "ck-keep"}, "ck-keep"},
		{"EscrowParty", iamport.EscrowParty{Name: personName, Tel: personPhone, Addr: holderName, Postcode: "04524",
			FormedAddress: &iamport.EscrowAddress{AddressLine1: accountNum, AddressLine2: receiptID}}, "REDACTED"},
		{"EscrowLogisInfo", iamport.EscrowLogisInfo{Company: "CJGLS", Invoice: "inv-keep", Address: holderName}, "inv-keep"},
		{"EscrowLogisRequest", iamport.EscrowLogisRequest{ImpUID: "imp_keep",
			Sender:   iamport.EscrowParty{Name: personName, Tel: personPhone},
			Receiver: iamport.EscrowParty{Name: holderName, Addr: receiptID},
			Logis:    iamport.EscrowLogisInfo{Company: "CJGLS", Invoice: "inv", Address: accountNum}}, "imp_keep"},
	}
	for _, tt := range values {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, v := range []any{tt.value, ptrTo(tt.value)} {
				out := formats(v)
				require.Empty(t, personalIn(out), "fmt leaks: %s", out)
				require.Contains(t, fmt.Sprintf("%+v", v), tt.keep)
				require.Contains(t, out, "[REDACTED]")

				for _, j := range []any{v, struct{ Nested any }{v}, []any{v}, map[string]any{"k": v}} {
					b, err := json.Marshal(j)
					require.NoError(t, err)
					require.Empty(t, personalIn(string(b)), "JSON leaks: %s", b)
				}

				var logs syncBuffer
				slog.New(slog.NewJSONHandler(&logs, nil)).Info("v", "v", v, "nested", struct{ V any }{v})
				slog.New(slog.NewTextHandler(&logs, nil)).Info("v", slog.Any("v", v))
				require.Empty(t, personalIn(logs.String()), "slog leaks: %s", logs.String())
				require.Contains(t, logs.String(), "REDACTED")
			}
		})
	}
	// Redaction leaves the caller's values alone.
	require.Equal(t, personName, cert.Name)
	require.Equal(t, personCI, cert.UniqueKey)
}

// ptrTo returns a pointer to a copy of v's dynamic value.
func ptrTo(v any) any {
	switch x := v.(type) {
	case iamport.VbankRequest:
		return &x
	case iamport.RevokeVbankRequest:
		return &x
	case iamport.VbankHolderRequest:
		return &x
	case iamport.VbankHolder:
		return &x
	case iamport.ReceiptRequest:
		return &x
	case iamport.ExternalReceiptRequest:
		return &x
	case iamport.Certification:
		return &x
	case iamport.CertificationOTPRequest:
		return &x
	case iamport.EscrowParty:
		return &x
	case iamport.EscrowLogisInfo:
		return &x
	case iamport.EscrowLogisRequest:
		return &x
	}
	panic(fmt.Sprintf("ptrTo: %T", v))
}

// Every area method, with debug logging, successes, refusals and lost
// answers included, logs no personal data and puts none in its errors; the
// results it returns print redacted.
func TestAreaCallsLogNoPersonalData(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	var seen []string
	for _, answer := range []func(areaCase) func(*mock){
		func(tc areaCase) func(*mock) { return func(m *mock) { m.on(tc.method, tc.path, ok(tc.resp)) } },
		func(tc areaCase) func(*mock) {
			return func(m *mock) {
				m.on(tc.method, tc.path, reply(400, failure(-1, "요청이 올바르지 않습니다.")))
			}
		},
	} {
		for _, tc := range areaCases() {
			m := newMock(t)
			answer(tc)(m)
			v, err := tc.call(bg, m.client(iamport.WithLogger(debugLogger(&logs))))
			seen = append(seen, formats(v))
			if err != nil {
				seen = append(seen, fmt.Sprintf("%v %+v %#v", err, err, err))
			}
			b, _ := json.Marshal(v)
			seen = append(seen, string(b))
		}
	}
	require.Contains(t, logs.String(), `"path":"/certifications/otp/request"`)
	require.Empty(t, personalIn(logs.String()), "logs leak")
	for _, s := range seen {
		require.Empty(t, personalIn(s), "output leaks: %s", s)
	}
	requireNoSecrets(t, logs.String(), "logs")
}

// A Payment prints and logs without its virtual account's number and holder;
// its JSON keeps them, for showing the account to the buyer.
func TestPaymentRedactsVirtualAccount(t *testing.T) {
	t.Parallel()
	p := iamport.Payment{ImpUID: "imp_keep", PayMethod: "vbank", VbankNum: accountNum, VbankHolder: holderName}
	for _, v := range []any{p, &p} {
		out := formats(v)
		require.Empty(t, personalIn(out), out)
		require.Contains(t, out, "imp_keep")
		var logs syncBuffer
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("p", "p", v)
		slog.New(slog.NewTextHandler(&logs, nil)).Info("p", slog.Any("p", v))
		require.Empty(t, personalIn(logs.String()), logs.String())
	}
	b, err := json.Marshal(p)
	require.NoError(t, err)
	require.Contains(t, string(b), accountNum)
	require.Equal(t, accountNum, p.VbankNum)
	// A DeclinedError names the payment without the account.
	require.Empty(t, personalIn(fmt.Sprintf("%+v", &iamport.DeclinedError{Payment: &p})))
}

// Against the fake, with faults that make the SDK reconcile, and debug
// logging on: no personal data in the logs, the errors or the results as
// printed.
func TestAreaRedactionAuditAgainstFake(t *testing.T) {
	t.Parallel()
	srv := iamporttest.NewServer()
	defer srv.Close()
	var logs syncBuffer
	c := srv.Client(append(matrixClientOptions(), iamport.WithLogger(debugLogger(&logs)))...)
	ctx := context.Background()
	var seen []any
	keep := func(v any, err error) {
		seen = append(seen, v)
		if err != nil {
			seen = append(seen, err)
		}
	}

	srv.InjectFault("POST", "/vbanks", 1, iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing})
	vb, err := c.IssueVbank(ctx, &iamport.VbankRequest{ChannelKey: "ck", MerchantUID: "audit-vb", Amount: 9000, VbankCode: "004",
		VbankDue: srv.Now().Add(time.Hour), VbankHolder: holderName, VbankNum: accountNum, PGAPIKey: pgAPIKey})
	require.NoError(t, err)
	keep(vb, err)
	require.NoError(t, srv.Deposit(vb.ImpUID))

	srv.InjectFault("POST", "/receipts/{imp_uid}", 1, iamporttest.Fault{Kind: iamporttest.FaultStatusAfterProcessing, Status: 500})
	keep(c.IssueReceipt(ctx, &iamport.ReceiptRequest{ImpUID: vb.ImpUID, Identifier: receiptID, BuyerName: personName, BuyerTel: personPhone}))
	keep(c.IssueReceipt(ctx, &iamport.ReceiptRequest{ImpUID: vb.ImpUID, Identifier: receiptID})) // refused: one per payment

	srv.AddBankAccount("088", accountNum, holderName)
	keep(c.GetVbankHolder(ctx, &iamport.VbankHolderRequest{BankCode: "088", BankNum: accountNum}))
	keep(c.GetVbankHolder(ctx, &iamport.VbankHolderRequest{BankCode: "088", BankNum: accountNum + "0"})) // not found

	otp, err := c.RequestCertificationOTP(ctx, &iamport.CertificationOTPRequest{Name: personName, Phone: personPhone, Birth: personBirth,
		GenderDigit: "2", Carrier: "KT", ChannelKey: "ck"})
	require.NoError(t, err)
	keep(c.ConfirmCertificationOTP(ctx, otp.ImpUID, "999999"))
	cert, err := c.ConfirmCertificationOTP(ctx, otp.ImpUID, iamporttest.TestOTP)
	require.NoError(t, err)
	require.Equal(t, personName, cert.Name)
	keep(cert, err)
	keep(c.RequestCertificationOTP(ctx, &iamport.CertificationOTPRequest{Name: personName, Phone: "1", Birth: personBirth,
		GenderDigit: "2", Carrier: "KT", ChannelKey: "ck"}))

	srv.InjectFault("POST", "/escrows/logis/{imp_uid}", 1, iamporttest.Fault{Kind: iamporttest.FaultTruncateAfterProcessing})
	keep(c.RegisterEscrowLogis(ctx, &iamport.EscrowLogisRequest{ImpUID: vb.ImpUID,
		Receiver: iamport.EscrowParty{Name: personName, Tel: personPhone, Addr: holderName},
		Logis:    iamport.EscrowLogisInfo{Company: "CJGLS", Invoice: "1", SentAt: srv.Now(), Address: accountNum}}))
	keep(c.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: vb.ImpUID, RefundHolder: holderName, RefundBank: "088", RefundAccount: accountNum}))

	var all strings.Builder
	for _, v := range seen {
		all.WriteString(formats(v))
		slog.New(slog.NewJSONHandler(&all, nil)).Info("v", "v", v)
	}
	require.Contains(t, logs.String(), "iamport reconciling", "the faults made the SDK reconcile")
	require.Empty(t, personalIn(logs.String()), "logs leak: %s", logs.String())
	require.Empty(t, personalIn(all.String()), "output leaks: %s", all.String())
}

package iamport_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// auditRow is one exported struct type of the package: a sample value whose
// string fields are filled, every field tagged redact:"true" with a secret of
// its own, and the value in every shape a program may log or encode it in.
type auditRow struct {
	name     string
	secrets  []string // values that must appear in no encoding
	kept     []string // values of untagged top-level fields: fmt shows them
	keptJSON []string // values of every untagged field JSON encodes
	// printed holds the values of the fields listed in printRedacted,
	// which fmt and slog's top level hide while JSON keeps them.
	printed []string
	forms   []any // the sample as a value, behind a pointer, nested
	fmtOnly []any // shapes only fmt can see (unexported fields)
}

// audited lists every exported struct type of the package. A new exported
// type must be added here: TestRedactionAuditCoversEveryType fails
// otherwise.
func audited() []auditRow {
	return []auditRow{
		// Requests and what they hold.
		audit[iamport.OnetimeRequest](), audit[iamport.AgainRequest](), audit[iamport.PaymentExtra](),
		audit[iamport.SaveBillingKeyRequest](), audit[iamport.DeleteBillingKeyRequest](),
		audit[iamport.GetBillingKeysRequest](), audit[iamport.ListBillingKeyPaymentsRequest](),
		audit[iamport.ScheduleRequest](), audit[iamport.ScheduleEntry](), audit[iamport.UnscheduleRequest](),
		audit[iamport.ListSchedulesRequest](), audit[iamport.ListCustomerSchedulesRequest](),
		audit[iamport.UpdateScheduleRequest](), audit[iamport.RescheduleScheduleRequest](),
		audit[iamport.CancelRequest](), audit[iamport.CancelExtra](), audit[iamport.GetPaymentParams](),
		audit[iamport.FindPaymentParams](), audit[iamport.GetPaymentsRequest](), audit[iamport.FindPaymentsRequest](),
		audit[iamport.ListPaymentsByStatusRequest](), audit[iamport.PreparePaymentRequest](), audit[iamport.Plan](),
		audit[iamport.RetryPolicy](), audit[iamport.WebhookEvent](),
		// Responses, results and errors.
		audit[iamport.Payment](), audit[iamport.Cancel](), audit[iamport.Deposit](), audit[iamport.Promotion](),
		audit[iamport.BillingKey](), audit[iamport.BillingKeyChannel](), audit[iamport.BillingKeyFailedChannel](),
		audit[iamport.BillingKeysResult](), audit[iamport.Schedule](), audit[iamport.PaymentsResult](),
		audit[iamport.PaymentBalance](), audit[iamport.BalanceDetail](), audit[iamport.BalanceHistory](),
		audit[iamport.PreparedPayment](), audit[iamport.Page[iamport.Payment]](), audit[iamport.Page[iamport.Schedule]](),
		audit[iamport.Time](), audit[iamport.APIError](), audit[iamport.DeclinedError](),
		audit[iamport.ValidationError](), audit[iamport.OutcomeUnknownError](), audit[iamport.WebhookError](),
		audit[iamport.ChargeCancelledError](), audit[iamport.UnscheduleError](),
		// Virtual accounts, receipts, certifications, escrow, codes, account, verification, sweeps.
		audit[iamport.Certification](),
		audit[iamport.CertificationOTP](),
		audit[iamport.CertificationOTPRequest](),
		audit[iamport.EscrowAddress](),
		audit[iamport.EscrowLogis](),
		audit[iamport.EscrowLogisInfo](),
		audit[iamport.EscrowLogisRequest](),
		audit[iamport.EscrowParty](),
		audit[iamport.EscrowProduct](),
		audit[iamport.ExternalReceipt](),
		audit[iamport.ExternalReceiptRequest](),
		audit[iamport.PGSetting](),
		audit[iamport.PartnerReceipt](),
		audit[iamport.PartnerReceiptResult](),
		audit[iamport.PaymentMismatchError](),
		audit[iamport.Receipt](),
		audit[iamport.ReceiptRequest](),
		audit[iamport.RevokeVbankRequest](),
		audit[iamport.StandardCode](),
		audit[iamport.SweepReport](),
		audit[iamport.SweepResult](),
		audit[iamport.Tier](),
		audit[iamport.UpdateVbankRequest](),
		audit[iamport.VbankHolder](),
		audit[iamport.VbankHolderRequest](),
		audit[iamport.VbankRequest](),
		audit[iamport.VerifyPaymentRequest](),
		// PG-specific areas.
		audit[iamport.NaverProductOrder](),
		audit[iamport.NaverOrderer](),
		audit[iamport.NaverAddress](),
		audit[iamport.NaverProductOrderTarget](),
		audit[iamport.NaverCancelRequest](),
		audit[iamport.NaverApproveCancelRequest](),
		audit[iamport.NaverShipRequest](),
		audit[iamport.NaverShipExchangedRequest](),
		audit[iamport.NaverCollectExchangedRequest](),
		audit[iamport.NaverPlaceRequest](),
		audit[iamport.NaverRequestReturnRequest](),
		audit[iamport.NaverApproveReturnRequest](),
		audit[iamport.NaverRejectReturnRequest](),
		audit[iamport.NaverWithholdReturnRequest](),
		audit[iamport.NaverResolveReturnRequest](),
		audit[iamport.NaverConfirmRequest](),
		audit[iamport.NaverReviewsRequest](),
		audit[iamport.NaverReview](),
		audit[iamport.NaverCashAmount](),
		audit[iamport.KcpQuickMember](),
		audit[iamport.DeleteKcpQuickMemberRequest](),
		audit[iamport.KcpQuickPrepareRequest](),
		audit[iamport.KcpQuickMoneyRequest](),
		audit[iamport.KcpQuickAutopayRequest](),
		audit[iamport.KcpQuickAutopayKey](),
		audit[iamport.KcpQuickFidoReleaseRequest](),
		audit[iamport.KcpQuickFidoRelease](),
		audit[iamport.PaycoOrderStatusRequest](),
		audit[iamport.PaycoOrderStatus](),
		audit[iamport.PaymentwallDeliveryRequest](),
		audit[iamport.PaymentwallDelivery](),
		audit[iamport.BenepiaPointRequest](),
		audit[iamport.BenepiaPoint](),
		audit[iamport.BenepiaPaymentRequest](),
		audit[iamport.CVSPaymentRequest](),
	}
}

// printRedacted lists, by type, the untagged fields of response types that
// print and log redacted while their JSON stays a faithful copy of what
// iamport sent (see Payment.Format).
var printRedacted = map[string][]string{
	"Payment":    {"VbankNum", "VbankHolder", "BuyerName", "BuyerEmail", "BuyerTel", "BuyerAddr", "BuyerPostcode"},
	"Schedule":   {"BuyerName", "BuyerEmail", "BuyerTel", "BuyerAddr", "BuyerPostcode"},
	"BillingKey": {"CustomerName", "CustomerTel", "CustomerEmail", "CustomerAddr", "CustomerPostcode"},
	"Deposit":    {"DepositorName"},
}

func audit[T any]() auditRow {
	v := new(T)
	r := auditRow{name: reflect.TypeFor[T]().Name()}
	fill(reflect.ValueOf(v).Elem(), &r, 0, false)
	r.forms = []any{
		*v, v, []T{*v}, []*T{v}, map[string]T{"k": *v}, map[string]*T{"k": v},
		struct{ F T }{*v}, struct{ P *T }{v}, struct{ A any }{*v}, struct{ A any }{v},
		struct{ In struct{ L []T } }{struct{ L []T }{[]T{*v}}}, map[string]any{"k": []any{v}},
	}
	// fmt cannot call a method through an unexported field: a pointer
	// there prints as an address under %v (see redact.go).
	r.fmtOnly = []any{struct{ p *T }{v}, struct{ p []*T }{[]*T{v}}}
	return r
}

// fill sets every string field of v reached through the package's own
// structs, slices and pointers: tagged ones to a secret, the others to a
// value that must stay readable where the type is not redacted.
func fill(v reflect.Value, r *auditRow, depth int, hidden bool) {
	if depth > 4 {
		return
	}
	t := v.Type()
	for i := range t.NumField() {
		sf, f := t.Field(i), v.Field(i)
		if !sf.IsExported() {
			continue
		}
		noJSON := hidden || sf.Tag.Get("json") == "-"
		keep := func(s string) {
			if depth == 0 {
				r.kept = append(r.kept, s)
			}
			if !noJSON {
				r.keptJSON = append(r.keptJSON, s)
			}
		}
		switch f.Kind() {
		case reflect.String:
			if sf.Tag.Get("redact") == "true" {
				s := "sEcReT" + t.Name() + sf.Name + "x"
				r.secrets = append(r.secrets, s)
				f.SetString(s)
			} else if slices.Contains(printRedacted[t.Name()], sf.Name) {
				s := "pRiNt" + t.Name() + sf.Name + "x"
				if depth == 0 {
					r.printed = append(r.printed, s)
				}
				if !noJSON {
					r.keptJSON = append(r.keptJSON, s)
				}
				f.SetString(s)
			} else if f.Type().PkgPath() == "" || f.Type().Name() == "PaymentStatus" {
				s := "kEeP" + t.Name() + sf.Name + "x"
				keep(s)
				f.SetString(s)
			}
		case reflect.Struct:
			if f.Type().PkgPath() == t.PkgPath() {
				fill(f, r, depth+1, noJSON)
			}
		case reflect.Pointer:
			if e := f.Type().Elem(); e.Kind() == reflect.Struct && e.PkgPath() == t.PkgPath() {
				f.Set(reflect.New(e))
				fill(f.Elem(), r, depth+1, noJSON)
			}
		case reflect.Slice:
			switch e := f.Type().Elem(); {
			case e.Kind() == reflect.Struct && e.PkgPath() == t.PkgPath():
				f.Set(reflect.MakeSlice(f.Type(), 1, 1))
				fill(f.Index(0), r, depth+1, noJSON)
			case e.Kind() == reflect.String:
				s := "kEeP" + t.Name() + sf.Name + "x"
				keep(s)
				f.Set(reflect.ValueOf([]string{s}).Convert(f.Type()))
			}
		}
	}
}

var auditVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%30v", "%-40s", "%d", "%T"}

// encodings is every encoding of every form of r.
func encodings(t *testing.T, r auditRow) map[string]string {
	out := map[string]string{}
	for i, v := range r.forms {
		for _, verb := range auditVerbs {
			out[fmt.Sprintf("fmt %s form %d", verb, i)] = fmt.Sprintf(verb, v)
		}
		out[fmt.Sprintf("fmt Sprint form %d", i)] = fmt.Sprint(v)
		out[fmt.Sprintf("fmt Sprintln form %d", i)] = fmt.Sprintln(v)
	}
	for i, v := range r.fmtOnly {
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			out[fmt.Sprintf("fmt %s unexported form %d", verb, i)] = fmt.Sprintf(verb, v)
		}
		out[fmt.Sprintf("fmt Sprint unexported form %d", i)] = fmt.Sprint(v)
	}
	for i, v := range r.forms {
		b, err := json.Marshal(v)
		require.NoError(t, err, "%s form %d", r.name, i)
		out[fmt.Sprintf("json form %d", i)] = string(b)
		var indented bytes.Buffer
		enc := json.NewEncoder(&indented)
		enc.SetIndent("", " ")
		require.NoError(t, enc.Encode(v))
		out[fmt.Sprintf("json encoder form %d", i)] = indented.String()

		var logs bytes.Buffer
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("m", "v", v)
		out[fmt.Sprintf("slog json form %d", i)] = logs.String()
		logs.Reset()
		slog.New(slog.NewTextHandler(&logs, nil)).Info("m", slog.Any("v", v), slog.Group("g", "v", v))
		out[fmt.Sprintf("slog text form %d", i)] = logs.String()
		logs.Reset()
		slog.New(slog.NewJSONHandler(&logs, nil)).With("v", v).WithGroup("g").Info("m", "v", v)
		out[fmt.Sprintf("slog json with form %d", i)] = logs.String()
	}
	return out
}

// Every exported type, in every shape and every encoder, shows none of the
// values of its redact:"true" fields, and the types without such fields
// keep their values readable and their JSON faithful.
func TestRedactionAuditOfTypes(t *testing.T) {
	t.Parallel()
	for _, r := range audited() {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			all := encodings(t, r)
			for what, s := range all {
				for _, secret := range r.secrets {
					require.NotContains(t, s, secret, "%s of %s", what, r.name)
					require.NotContains(t, strings.ToLower(s), hex.EncodeToString([]byte(secret)), "%s of %s", what, r.name)
				}
			}
			if len(r.secrets) > 0 {
				require.Contains(t, all["json form 0"], "[REDACTED]")
				require.Contains(t, all["fmt %+v form 0"], "[REDACTED]")
				require.Contains(t, all["slog json form 0"], "[REDACTED]")
				require.Contains(t, all["slog json form 2"], "[REDACTED]", "nested in a slice")
			}
			// Print-redacted values: hidden from every fmt form the type's
			// Format reaches and from slog's text handler and top level;
			// kept in JSON (checked with keptJSON below).
			for what, s := range all {
				top := strings.HasPrefix(what, "fmt ") && !strings.Contains(what, "unexported") ||
					strings.HasPrefix(what, "slog text ") ||
					strings.HasSuffix(what, " form 0") || strings.HasSuffix(what, " form 1")
				if !top || strings.HasPrefix(what, "json ") {
					continue
				}
				for _, v := range r.printed {
					require.NotContains(t, s, v, "%s of %s", what, r.name)
				}
			}
			if len(r.printed) > 0 {
				require.Contains(t, all["fmt %+v form 0"], "[REDACTED]")
				require.Contains(t, all["slog json form 0"], "[REDACTED]")
			}
			// Untagged values stay readable: the placeholder replaced
			// only what is secret.
			for _, k := range r.kept {
				require.Contains(t, all["fmt %+v form 0"], k, "%s: %s", r.name, k)
			}
			for _, k := range r.keptJSON {
				require.Contains(t, all["json form 0"], k, "%s: %s in JSON", r.name, k)
			}
		})
	}
}

// The audit table lists every exported struct type of the package, and every
// field of a request type whose name says it holds a secret or personal data
// is tagged redact:"true".
func TestRedactionAuditCoversEveryType(t *testing.T) {
	t.Parallel()
	listed := map[string]bool{}
	for _, r := range audited() {
		name, _, _ := strings.Cut(r.name, "[")
		listed[name] = true
	}
	listed["Client"] = true  // TestClientFormatsRedacted and TestClientMasksBaseURLUserinfo
	listed["Sweeper"] = true // configuration: functions and a *Client, no data of its own
	sensitive := []string{
		"card_number", "expiry", "birth", "pwd_2digit", "cvc", "secure_3d_token", "refund_holder", "refund_account",
		"refund_tel", "buyer_name", "buyer_email", "buyer_tel", "buyer_addr", "customer_name", "customer_tel",
		"customer_email", "customer_addr", "browser_ip", "phone", "account", "holder", "identity", "email", "tel",
		"addr", "address", "ip",
	}
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var seen int
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		{
			for _, decl := range file.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.TYPE {
					continue
				}
				for _, spec := range gd.Specs {
					ts := spec.(*ast.TypeSpec)
					st, ok := ts.Type.(*ast.StructType)
					if !ok || !ts.Name.IsExported() {
						continue
					}
					seen++
					require.True(t, listed[ts.Name.Name], "exported type %s is missing from the redaction audit table", ts.Name.Name)
					if !strings.HasSuffix(ts.Name.Name, "Request") && ts.Name.Name != "ScheduleEntry" && ts.Name.Name != "Plan" {
						continue
					}
					for _, f := range st.Fields.List {
						if len(f.Names) == 0 {
							continue
						}
						var st reflect.StructTag
						if f.Tag != nil {
							tag, err := strconv.Unquote(f.Tag.Value)
							require.NoError(t, err)
							st = reflect.StructTag(tag)
						}
						if id, ok := f.Type.(*ast.Ident); !ok || id.Name != "string" {
							continue // only text holds personal data (SendEmail is a *bool)
						}
						jsonName, _, _ := strings.Cut(st.Get("json"), ",")
						if jsonName == "" {
							jsonName = snakeCase(f.Names[0].Name)
						}
						for _, s := range sensitive {
							if jsonName == s || strings.HasSuffix(jsonName, "_"+s) || strings.HasPrefix(jsonName, s+"_") {
								require.Equal(t, "true", st.Get("redact"), "%s.%s (%s) must be tagged redact:\"true\"",
									ts.Name.Name, f.Names[0].Name, jsonName)
							}
						}
					}
				}
			}
		}
	}
	require.Greater(t, seen, 30, "the package's types were found")
}

// snakeCase is the API's spelling of a Go field name: BuyerName, buyer_name.
func snakeCase(name string) string {
	var b strings.Builder
	for i, r := range name {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && !(name[i-1] >= 'A' && name[i-1] <= 'Z') {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

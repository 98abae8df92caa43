package iamport

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// The spec conformance test reads the official Swagger document of the API
// (not part of this repository) and checks that the SDK has a field for
// every property of the models it decodes and every parameter of the
// endpoints it calls, and that every operation has a method. Set
// IAMPORT_SWAGGER to the document's path; by default it is looked for at
// ../shared/spec/iamport-v1-swagger.json (or ../../shared/spec from a
// worktree). Without the document the tests skip; with it they fail on any
// gap.

type swagger struct {
	Paths       map[string]map[string]swaggerOp `json:"paths"`
	Definitions map[string]*swaggerSchema       `json:"definitions"`
}

type swaggerOp struct {
	Parameters []swaggerParam             `json:"parameters"`
	Responses  map[string]json.RawMessage `json:"responses"`
}

type swaggerParam struct {
	Name   string         `json:"name"`
	In     string         `json:"in"`
	Type   string         `json:"type"`
	Items  *swaggerSchema `json:"items"`
	Schema *swaggerSchema `json:"schema"`
}

type swaggerSchema struct {
	Ref        string                    `json:"$ref"`
	Type       string                    `json:"type"`
	Properties map[string]*swaggerSchema `json:"properties"`
	Items      *swaggerSchema            `json:"items"`
	AllOf      []*swaggerSchema          `json:"allOf"`
}

// UnmarshalJSON ignores a schema that is not an object: the spec has a few
// (an "items" given as a bare type name).
func (sc *swaggerSchema) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] != '{' {
		return nil
	}
	type plain swaggerSchema
	return json.Unmarshal(b, (*plain)(sc))
}

// swaggerOnce reads and parses the document once for both tests.
var swaggerOnce = sync.OnceValues(func() (*swagger, error) {
	path := os.Getenv("IAMPORT_SWAGGER")
	if path == "" {
		// Beside the repository, or beside the directory of worktrees
		// that holds it.
		path = filepath.Join("..", "shared", "spec", "iamport-v1-swagger.json")
		if alt := filepath.Join("..", path); !exists(path) && exists(alt) {
			path = alt
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s swagger
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(s.Paths) == 0 {
		return nil, fmt.Errorf("%s has no paths", path)
	}
	return &s, nil
})

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// loadSwagger returns the parsed document, or skips the test when it is
// absent.
func loadSwagger(t *testing.T) *swagger {
	t.Helper()
	s, err := swaggerOnce()
	if errors.Is(err, fs.ErrNotExist) && os.Getenv("CI") == "true" {
		t.Fatalf("spec conformance: %v; CI runs with ../shared beside the repo, so the spec must be there", err)
	}
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("spec conformance: %v; set IAMPORT_SWAGGER to the iamport V1 Swagger document to run this test", err)
	}
	require.NoError(t, err)
	return s
}

// resolve follows $ref and merges allOf into one schema.
func (s *swagger) resolve(t *testing.T, sc *swaggerSchema) *swaggerSchema {
	t.Helper()
	for sc != nil && sc.Ref != "" {
		name := strings.TrimPrefix(sc.Ref, "#/definitions/")
		def, ok := s.Definitions[name]
		require.True(t, ok, "unknown definition %s", sc.Ref)
		sc = def
	}
	if sc == nil || len(sc.AllOf) == 0 {
		return sc
	}
	merged := &swaggerSchema{Properties: map[string]*swaggerSchema{}}
	for _, part := range sc.AllOf {
		for k, v := range s.resolve(t, part).Properties {
			merged.Properties[k] = v
		}
	}
	return merged
}

// jsonFields maps the JSON names of t's fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			// An embedded struct's fields are encoded as the outer's.
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// urlFields lists the query parameter names of t's `url` tags.
func urlFields(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		if name := t.Field(i).Tag.Get("url"); name != "" && name != "-" {
			out[name] = true
		}
	}
	return out
}

var leafTypes = map[reflect.Type]bool{
	reflect.TypeFor[Time](): true, reflect.TypeFor[Amount](): true, reflect.TypeFor[json.RawMessage](): true,
}

// structOf unwraps pointers and slices down to a struct, or returns nil.
func structOf(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || (t.Kind() == reflect.Slice && !leafTypes[t]) {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || leafTypes[t] || t == timeType {
		return nil
	}
	return t
}

// checkModel reports every property of sc (and of the objects nested in it)
// that goType has no JSON field for. where names the place for messages.
func (s *swagger) checkModel(t *testing.T, where string, sc *swaggerSchema, goType reflect.Type) []string {
	t.Helper()
	sc = s.resolve(t, sc)
	if sc == nil {
		return nil
	}
	if sc.Type == "array" && sc.Items != nil {
		return s.checkModel(t, where+"[]", sc.Items, goType)
	}
	if len(sc.Properties) == 0 {
		return nil
	}
	st := structOf(goType)
	if st == nil {
		return []string{where + ": an object in the spec, but " + goType.String() + " in Go"}
	}
	fields := jsonFields(st)
	var missing []string
	for name, prop := range sc.Properties {
		ft, ok := fields[name]
		if !ok {
			missing = append(missing, where+"."+name+" (no field in "+st.Name()+")")
			continue
		}
		missing = append(missing, s.checkModel(t, where+"."+name, prop, ft)...)
	}
	return missing
}

// The spec tests are not parallel: they run before the parallel tests, whose
// timing-sensitive reconciliation windows they would otherwise crowd.
func TestSpecResponseModels(t *testing.T) {
	s := loadSwagger(t)
	models := map[string]reflect.Type{
		"PaymentAnnotation":                 reflect.TypeFor[Payment](),
		"PaymentCancelAnnotation":           reflect.TypeFor[Cancel](),
		"VbankDepositAnnotation":            reflect.TypeFor[Deposit](),
		"CustomerAnnotation":                reflect.TypeFor[BillingKey](),
		"SuperBillingKeyAnnotation":         reflect.TypeFor[BillingKey](),
		"ScheduleResultAnnotation":          reflect.TypeFor[Schedule](),
		"PaymentPrepareAnnotation":          reflect.TypeFor[PreparedPayment](),
		"PaymentBalanceResponseAnnotation":  reflect.TypeFor[PaymentBalance](),
		"PaymentBalanceAnnotation":          reflect.TypeFor[BalanceDetail](),
		"PaymentBalanceHistoriesAnnotation": reflect.TypeFor[BalanceHistory](),
		"AuthAnnotation":                    reflect.TypeFor[authResponse](),
		"PagedPaymentAnnotation":            reflect.TypeFor[Page[Payment]](),
	}
	names := make([]string, 0, len(models))
	for name := range models {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			def, ok := s.Definitions[name]
			require.True(t, ok, "the spec has no definition %s", name)
			require.NotEmpty(t, def.Properties)
			missing := s.checkModel(t, name, def, models[name])
			sort.Strings(missing)
			require.Empty(t, missing, "properties without a Go field")
		})
	}
}

// SpecOp is one operation of the API with the Go types that carry its
// parameters and its answer. The operations are registered with
// RegisterSpecOps, by this file for the core endpoints and by each area's
// test file for its own, so that adding an area adds its operations here.
type SpecOp struct {
	Method, Path string // as in the spec: lower-case method, path template
	// Body holds the formData/body parameters, as JSON fields (a GET's
	// formData parameters are sent as query parameters, through Query).
	Body reflect.Type
	// Query holds the query parameters, as `url` tags.
	Query reflect.Type
	// QueryMap names the field of Query for each parameter, for the request
	// types that build their query by hand instead of through `url` tags.
	QueryMap map[string]string
	// Response is the definition of the envelope's response, if the spec
	// names one ("" for an inline schema, checked against Decoded too), and
	// Decoded the Go type the SDK decodes it into (nil when it decodes none).
	Response string
	Decoded  reflect.Type
}

var (
	specMu  sync.Mutex
	specOps []SpecOp
)

// RegisterSpecOps adds operations to the spec conformance tests. It returns
// true, so that a test file can register at package level:
//
//	var _ = iamport.RegisterSpecOps(iamport.SpecOp{...})
func RegisterSpecOps(ops ...SpecOp) bool {
	specMu.Lock()
	defer specMu.Unlock()
	specOps = append(specOps, ops...)
	return true
}

// registeredSpecOps returns every registered operation.
func registeredSpecOps() []SpecOp {
	specMu.Lock()
	defer specMu.Unlock()
	return append([]SpecOp(nil), specOps...)
}

var _ = RegisterSpecOps(coreSpecOps()...)

func coreSpecOps() []SpecOp {
	typ := func(v any) reflect.Type { return reflect.TypeOf(v) }
	payment, payments, paged := typ(Payment{}), typ([]Payment{}), typ(Page[Payment]{})
	// The spec types the schedule lists as arrays of ScheduleResultAnnotation;
	// the SDK decodes them as Page[Schedule], whose items are checked.
	schedule, schedules := typ(Schedule{}), typ(Schedule{})
	return []SpecOp{
		{Method: "post", Path: "/users/getToken", Body: typ(tokenRequest{}), Response: "AuthAnnotation", Decoded: typ(authResponse{})},
		{Method: "post", Path: "/subscribe/payments/onetime", Body: typ(OnetimeRequest{}), Response: "PaymentAnnotation", Decoded: payment},
		{Method: "post", Path: "/subscribe/payments/again", Body: typ(AgainRequest{}), Response: "PaymentAnnotation", Decoded: payment},
		{Method: "post", Path: "/subscribe/customers/{customer_uid}", Body: typ(SaveBillingKeyRequest{})},
		{Method: "get", Path: "/subscribe/customers/{customer_uid}"},
		{Method: "delete", Path: "/subscribe/customers/{customer_uid}", Query: typ(DeleteBillingKeyRequest{}),
			QueryMap: map[string]string{"reason": "Reason", "extra[requester]": "Requester"}},
		{Method: "get", Path: "/subscribe/customers", Query: typ(GetBillingKeysRequest{}), Response: "CustomerAnnotation", Decoded: typ([]BillingKey{})},
		{Method: "get", Path: "/subscribe/customers/{customer_uid}/payments", Query: typ(ListBillingKeyPaymentsRequest{}), Response: "PagedPaymentAnnotation", Decoded: paged},
		{Method: "get", Path: "/subscribe/customers/{customer_uid}/schedules", Query: typ(ListCustomerSchedulesRequest{}), Response: "ScheduleResultAnnotation", Decoded: schedules},
		{Method: "get", Path: "/payments/{imp_uid}", Query: typ(GetPaymentParams{}),
			QueryMap: map[string]string{"include_sandbox": "IncludeSandbox", "extension": "Extension"}, Response: "PaymentAnnotation", Decoded: payment},
		{Method: "get", Path: "/payments", Query: typ(GetPaymentsRequest{}), Response: "PaymentAnnotation", Decoded: payments},
		{Method: "get", Path: "/payments/find/{merchant_uid}/{payment_status}", Query: typ(FindPaymentParams{}),
			QueryMap: map[string]string{"sorting": "Sorting"}, Response: "PaymentAnnotation", Decoded: payment},
		{Method: "get", Path: "/payments/findAll/{merchant_uid}/{payment_status}", Query: typ(FindPaymentsRequest{}), Response: "PagedPaymentAnnotation", Decoded: paged},
		{Method: "get", Path: "/payments/status/{payment_status}", Query: typ(ListPaymentsByStatusRequest{}), Response: "PagedPaymentAnnotation", Decoded: paged},
		{Method: "get", Path: "/payments/{imp_uid}/balance", Response: "PaymentBalanceResponseAnnotation", Decoded: typ(PaymentBalance{})},
		{Method: "post", Path: "/payments/cancel", Body: typ(CancelRequest{}), Response: "PaymentAnnotation", Decoded: payment},
		{Method: "post", Path: "/payments/prepare", Body: typ(PreparePaymentRequest{}), Response: "PaymentPrepareAnnotation", Decoded: typ(PreparedPayment{})},
		{Method: "put", Path: "/payments/prepare", Body: typ(PreparePaymentRequest{}), Response: "PaymentPrepareAnnotation", Decoded: typ(PreparedPayment{})},
		{Method: "get", Path: "/payments/prepare/{merchant_uid}", Response: "PaymentPrepareAnnotation", Decoded: typ(PreparedPayment{})},
		{Method: "post", Path: "/subscribe/payments/schedule", Body: typ(ScheduleRequest{}), Response: "ScheduleResultAnnotation", Decoded: typ([]Schedule{})},
		{Method: "post", Path: "/subscribe/payments/unschedule", Body: typ(UnscheduleRequest{}), Response: "ScheduleResultAnnotation", Decoded: typ([]Schedule{})},
		{Method: "get", Path: "/subscribe/payments/schedule/{merchant_uid}", Response: "ScheduleResultAnnotation", Decoded: schedule},
		{Method: "get", Path: "/subscribe/payments/schedule", Query: typ(ListSchedulesRequest{}), Response: "ScheduleResultAnnotation", Decoded: schedules},
		{Method: "get", Path: "/subscribe/payments/schedule/customers/{customer_uid}", Query: typ(ListCustomerSchedulesRequest{}), Response: "ScheduleResultAnnotation", Decoded: schedules},
		{Method: "put", Path: "/subscribe/payments/schedule/{merchant_uid}", Body: typ(UpdateScheduleRequest{}), Response: "ScheduleResultAnnotation", Decoded: schedule},
		{Method: "post", Path: "/subscribe/payments/schedule/{merchant_uid}/reschedule", Body: typ(RescheduleScheduleRequest{}), Response: "ScheduleResultAnnotation", Decoded: schedule},
		{Method: "post", Path: "/subscribe/payments/schedule/{merchant_uid}/retry", Response: "PaymentAnnotation", Decoded: payment},
	}
}

// pendingSpecOps are the operations whose methods are being added on
// another branch at the same time. Each must be removed from here once its
// method is registered: TestSpecCoversEveryOperation fails for an entry that
// is both pending and registered, and for an operation neither registered
// nor pending.
var pendingSpecOps = map[string]bool{
	// Virtual accounts, cash receipts, certifications, escrow, codes and
	// account endpoints.
	"DELETE /certifications/{imp_uid}":           true,
	"DELETE /receipts/external/{merchant_uid}":   true,
	"DELETE /receipts/{imp_uid}":                 true,
	"DELETE /vbanks/{imp_uid}":                   true,
	"GET /banks":                                 true,
	"GET /banks/{bank_standard_code}":            true,
	"GET /cards":                                 true,
	"GET /cards/{card_standard_code}":            true,
	"GET /certifications/{imp_uid}":              true,
	"GET /escrows/logis/{imp_uid}":               true,
	"GET /receipts/external/{merchant_uid}":      true,
	"GET /receipts/{imp_uid}":                    true,
	"GET /tiers/{tier_code}":                     true,
	"GET /users/pg":                              true,
	"POST /certifications/otp/confirm/{imp_uid}": true,
	"POST /certifications/otp/request":           true,
	"POST /escrows/logis/{imp_uid}":              true,
	"POST /partners/receipts/{imp_uid}":          true,
	"POST /receipts/external/{merchant_uid}":     true,
	"POST /receipts/{imp_uid}":                   true,
	"POST /vbanks":                               true,
	"PUT /escrows/logis/{imp_uid}":               true,
	"PUT /vbanks/{imp_uid}":                      true,
}

// TestSpecCoversEveryOperation checks that every operation of the spec has
// a method, by HTTP method and path.
func TestSpecCoversEveryOperation(t *testing.T) {
	s := loadSwagger(t)
	have := map[string]bool{}
	for _, op := range registeredSpecOps() {
		key := strings.ToUpper(op.Method) + " " + op.Path
		require.False(t, have[key], "%s is registered twice", key)
		have[key] = true
	}
	var missing, stale []string
	total := 0
	for path, ops := range s.Paths {
		for method := range ops {
			total++
			key := strings.ToUpper(method) + " " + path
			switch {
			case have[key] && pendingSpecOps[key]:
				stale = append(stale, key)
			case !have[key] && !pendingSpecOps[key]:
				missing = append(missing, key)
			}
			delete(have, key)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	require.Empty(t, missing, "operations of the spec without a method")
	require.Empty(t, stale, "operations registered and still listed in pendingSpecOps: remove them from the list")
	require.Empty(t, have, "registered operations the spec does not have")
	require.Equal(t, 80, total, "the spec's operation count changed")
}

func TestSpecEndpoints(t *testing.T) {
	s := loadSwagger(t)
	for _, ep := range registeredSpecOps() {
		t.Run(strings.ToUpper(ep.Method)+" "+ep.Path, func(t *testing.T) {
			op, ok := s.Paths[ep.Path][ep.Method]
			require.True(t, ok, "the spec has no %s %s", ep.Method, ep.Path)
			var missing []string
			for _, p := range op.Parameters {
				in := p.In
				if in == "formData" && ep.Method == "get" {
					in = "query" // a GET has no body
				}
				switch in {
				case "formData", "body":
					require.NotNil(t, ep.Body, "%s is a body parameter, but no body type is listed", p.Name)
					ft, ok := jsonFields(ep.Body)[p.Name]
					if !ok {
						missing = append(missing, "body "+p.Name+" (no field in "+ep.Body.Name()+")")
						continue
					}
					sc := p.Schema
					if sc == nil {
						sc = &swaggerSchema{Type: p.Type, Items: p.Items}
					}
					missing = append(missing, s.checkModel(t, p.Name, sc, ft)...)
				case "query":
					require.NotNil(t, ep.Query, "%s is a query parameter, but no query type is listed", p.Name)
					if ep.QueryMap != nil {
						field, ok := ep.QueryMap[p.Name]
						_, exists := ep.Query.FieldByName(field)
						if !ok || !exists {
							missing = append(missing, "query "+p.Name+" (not mapped to a field of "+ep.Query.Name()+")")
						}
					} else if !urlFields(ep.Query)[p.Name] {
						missing = append(missing, "query "+p.Name+" (no url tag in "+ep.Query.Name()+")")
					}
				case "path", "header":
				default:
					t.Errorf("parameter %s in %q", p.Name, p.In)
				}
			}
			sort.Strings(missing)
			require.Empty(t, missing, "parameters without a Go field")
			name, inline := s.responseModel(t, op)
			require.Equal(t, ep.Response, name, "the model of the envelope's response")
			switch {
			case name != "":
				require.NotNil(t, ep.Decoded, "the spec has a response model, but no Go type is listed")
				require.Empty(t, s.checkModel(t, name, s.Definitions[name], ep.Decoded))
			case inline != nil:
				require.NotNil(t, ep.Decoded, "the spec has an inline response, but no Go type is listed")
				require.Empty(t, s.checkModel(t, "response", inline, ep.Decoded))
			}
		})
	}
}

// responseModel names the definition of the envelope's response in op's
// HTTP 200 answer (the item type for an array), or returns the response's
// inline schema. Both are empty when the answer has no response.
func (s *swagger) responseModel(t *testing.T, op swaggerOp) (string, *swaggerSchema) {
	t.Helper()
	var r struct {
		Schema *swaggerSchema `json:"schema"`
	}
	require.NoError(t, json.Unmarshal(op.Responses["200"], &r))
	env := s.resolve(t, r.Schema)
	if env == nil {
		return "", nil
	}
	resp := env.Properties["response"]
	if resp == nil {
		return "", nil
	}
	if resp.Type == "array" {
		resp = resp.Items
	}
	if resp.Ref == "" {
		return "", resp
	}
	return strings.TrimPrefix(resp.Ref, "#/definitions/"), nil
}

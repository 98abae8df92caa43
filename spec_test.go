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
// endpoints it calls. Set IAMPORT_SWAGGER to the document's path; by default
// it is looked for at ../shared/spec/iamport-v1-swagger.json.

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
		path = filepath.Join("..", "shared", "spec", "iamport-v1-swagger.json")
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

// loadSwagger returns the parsed document, or skips the test when it is
// absent.
func loadSwagger(t *testing.T) *swagger {
	t.Helper()
	s, err := swaggerOnce()
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

// specEndpoint is one endpoint the SDK calls, with the Go types that carry
// its parameters and its answer.
type specEndpoint struct {
	method, path string
	// body holds the formData/body parameters, as JSON fields.
	body reflect.Type
	// query holds the query parameters, as `url` tags.
	query reflect.Type
	// queryMap names the field of query for each parameter, for the request
	// types that build their query by hand instead of through `url` tags.
	queryMap map[string]string
	// response is the definition of the envelope's response, if the spec
	// names one, and the Go type the SDK decodes it into.
	response string
	decoded  reflect.Type
}

func TestSpecEndpoints(t *testing.T) {
	s := loadSwagger(t)
	typ := func(v any) reflect.Type { return reflect.TypeOf(v) }
	payment, payments, paged := typ(Payment{}), typ([]Payment{}), typ(Page[Payment]{})
	// The spec types the schedule lists as arrays of ScheduleResultAnnotation;
	// the SDK decodes them as Page[Schedule], whose items are checked.
	schedule, schedules := typ(Schedule{}), typ(Schedule{})
	endpoints := []specEndpoint{
		{method: "post", path: "/users/getToken", body: typ(tokenRequest{}), response: "AuthAnnotation", decoded: typ(authResponse{})},
		{method: "post", path: "/subscribe/payments/onetime", body: typ(OnetimeRequest{}), response: "PaymentAnnotation", decoded: payment},
		{method: "post", path: "/subscribe/payments/again", body: typ(AgainRequest{}), response: "PaymentAnnotation", decoded: payment},
		{method: "post", path: "/subscribe/customers/{customer_uid}", body: typ(SaveBillingKeyRequest{})},
		{method: "get", path: "/subscribe/customers/{customer_uid}"},
		{method: "delete", path: "/subscribe/customers/{customer_uid}", query: typ(DeleteBillingKeyRequest{}),
			queryMap: map[string]string{"reason": "Reason", "extra[requester]": "Requester"}},
		{method: "get", path: "/subscribe/customers", query: typ(GetBillingKeysRequest{}), response: "CustomerAnnotation", decoded: typ([]BillingKey{})},
		{method: "get", path: "/subscribe/customers/{customer_uid}/payments", query: typ(ListBillingKeyPaymentsRequest{}), response: "PagedPaymentAnnotation", decoded: paged},
		{method: "get", path: "/subscribe/customers/{customer_uid}/schedules", query: typ(ListCustomerSchedulesRequest{}), response: "ScheduleResultAnnotation", decoded: schedules},
		{method: "get", path: "/payments/{imp_uid}", query: typ(GetPaymentParams{}),
			queryMap: map[string]string{"include_sandbox": "IncludeSandbox", "extension": "Extension"}, response: "PaymentAnnotation", decoded: payment},
		{method: "get", path: "/payments", query: typ(GetPaymentsRequest{}), response: "PaymentAnnotation", decoded: payments},
		{method: "get", path: "/payments/find/{merchant_uid}/{payment_status}", query: typ(FindPaymentParams{}),
			queryMap: map[string]string{"sorting": "Sorting"}, response: "PaymentAnnotation", decoded: payment},
		{method: "get", path: "/payments/findAll/{merchant_uid}/{payment_status}", query: typ(FindPaymentsRequest{}), response: "PagedPaymentAnnotation", decoded: paged},
		{method: "get", path: "/payments/status/{payment_status}", query: typ(ListPaymentsByStatusRequest{}), response: "PagedPaymentAnnotation", decoded: paged},
		{method: "get", path: "/payments/{imp_uid}/balance", response: "PaymentBalanceResponseAnnotation", decoded: typ(PaymentBalance{})},
		{method: "post", path: "/payments/cancel", body: typ(CancelRequest{}), response: "PaymentAnnotation", decoded: payment},
		{method: "post", path: "/payments/prepare", body: typ(PreparePaymentRequest{}), response: "PaymentPrepareAnnotation", decoded: typ(PreparedPayment{})},
		{method: "put", path: "/payments/prepare", body: typ(PreparePaymentRequest{}), response: "PaymentPrepareAnnotation", decoded: typ(PreparedPayment{})},
		{method: "get", path: "/payments/prepare/{merchant_uid}", response: "PaymentPrepareAnnotation", decoded: typ(PreparedPayment{})},
		{method: "post", path: "/subscribe/payments/schedule", body: typ(ScheduleRequest{}), response: "ScheduleResultAnnotation", decoded: typ([]Schedule{})},
		{method: "post", path: "/subscribe/payments/unschedule", body: typ(UnscheduleRequest{}), response: "ScheduleResultAnnotation", decoded: typ([]Schedule{})},
		{method: "get", path: "/subscribe/payments/schedule/{merchant_uid}", response: "ScheduleResultAnnotation", decoded: schedule},
		{method: "get", path: "/subscribe/payments/schedule", query: typ(ListSchedulesRequest{}), response: "ScheduleResultAnnotation", decoded: schedules},
		{method: "get", path: "/subscribe/payments/schedule/customers/{customer_uid}", query: typ(ListCustomerSchedulesRequest{}), response: "ScheduleResultAnnotation", decoded: schedules},
		{method: "put", path: "/subscribe/payments/schedule/{merchant_uid}", body: typ(UpdateScheduleRequest{}), response: "ScheduleResultAnnotation", decoded: schedule},
		{method: "post", path: "/subscribe/payments/schedule/{merchant_uid}/reschedule", body: typ(RescheduleScheduleRequest{}), response: "ScheduleResultAnnotation", decoded: schedule},
		{method: "post", path: "/subscribe/payments/schedule/{merchant_uid}/retry", response: "PaymentAnnotation", decoded: payment},
	}
	for _, ep := range endpoints {
		t.Run(strings.ToUpper(ep.method)+" "+ep.path, func(t *testing.T) {
			op, ok := s.Paths[ep.path][ep.method]
			require.True(t, ok, "the spec has no %s %s", ep.method, ep.path)
			var missing []string
			for _, p := range op.Parameters {
				switch p.In {
				case "formData", "body":
					require.NotNil(t, ep.body, "%s is a body parameter, but no body type is listed", p.Name)
					ft, ok := jsonFields(ep.body)[p.Name]
					if !ok {
						missing = append(missing, "body "+p.Name+" (no field in "+ep.body.Name()+")")
						continue
					}
					sc := p.Schema
					if sc == nil {
						sc = &swaggerSchema{Type: p.Type, Items: p.Items}
					}
					missing = append(missing, s.checkModel(t, p.Name, sc, ft)...)
				case "query":
					require.NotNil(t, ep.query, "%s is a query parameter, but no query type is listed", p.Name)
					if ep.queryMap != nil {
						field, ok := ep.queryMap[p.Name]
						_, exists := ep.query.FieldByName(field)
						if !ok || !exists {
							missing = append(missing, "query "+p.Name+" (not mapped to a field of "+ep.query.Name()+")")
						}
					} else if !urlFields(ep.query)[p.Name] {
						missing = append(missing, "query "+p.Name+" (no url tag in "+ep.query.Name()+")")
					}
				case "path", "header":
				default:
					t.Errorf("parameter %s in %q", p.Name, p.In)
				}
			}
			sort.Strings(missing)
			require.Empty(t, missing, "parameters without a Go field")
			if ep.response != "" {
				require.Equal(t, ep.response, s.responseModel(t, op), "the model of the envelope's response")
				require.Empty(t, s.checkModel(t, ep.response, s.Definitions[ep.response], ep.decoded))
			}
		})
	}
}

// responseModel names the definition of the envelope's response in op's
// HTTP 200 answer (the item type for an array).
func (s *swagger) responseModel(t *testing.T, op swaggerOp) string {
	t.Helper()
	var r struct {
		Schema *swaggerSchema `json:"schema"`
	}
	require.NoError(t, json.Unmarshal(op.Responses["200"], &r))
	env := s.resolve(t, r.Schema)
	require.NotNil(t, env)
	resp := env.Properties["response"]
	require.NotNil(t, resp, "the 200 answer has no response property")
	if resp.Type == "array" {
		resp = resp.Items
	}
	return strings.TrimPrefix(resp.Ref, "#/definitions/")
}

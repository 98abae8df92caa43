package iamporttest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/iamport-go/iamport/internal/rules"
	"github.com/iamport-go/iamport/internal/wire"
)

// maxBody caps request bodies, as a real front end would.
const maxBody = 1 << 20

// errBadBody is a body that could not be read as JSON or a form.
var errBadBody = errors.New("bad body")

// parseBody reads a JSON or form-encoded body into a map. A missing or odd
// Content-Type is sniffed: a body starting with "{" is JSON.
func parseBody(contentType string, raw []byte) (map[string]any, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return map[string]any{}, nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	isJSON := mt == "application/json" || strings.HasSuffix(mt, "+json")
	if mt != "application/x-www-form-urlencoded" && !isJSON {
		isJSON = trimmed[0] == '{' || trimmed[0] == '['
	}
	if isJSON {
		d := json.NewDecoder(bytes.NewReader(trimmed))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			return nil, errBadBody
		}
		if d.More() {
			return nil, errBadBody
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errBadBody
		}
		return m, nil
	}
	q, err := url.ParseQuery(string(trimmed))
	if err != nil {
		return nil, errBadBody
	}
	return formToMap(q), nil
}

// formToMap turns PHP-style form keys (schedules[0][merchant_uid]=...,
// merchant_uid[]=a) into nested maps and lists. A key repeated without
// brackets becomes a list.
func formToMap(q url.Values) map[string]any {
	root := map[string]any{}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts := splitFormKey(k)
		for _, v := range q[k] {
			setFormPath(root, parts, v)
		}
	}
	for k, v := range root {
		root[k] = listify(v)
	}
	return root
}

func splitFormKey(k string) []string {
	i := strings.IndexByte(k, '[')
	if i <= 0 || !strings.HasSuffix(k, "]") {
		return []string{k}
	}
	parts := []string{k[:i]}
	rest := k[i:]
	for len(rest) > 0 {
		if rest[0] != '[' {
			return []string{k}
		}
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return []string{k}
		}
		parts = append(parts, rest[1:j])
		rest = rest[j+1:]
	}
	return parts
}

func setFormPath(m map[string]any, parts []string, v string) {
	key := parts[0]
	if key == "" {
		key = strconv.Itoa(len(m))
	}
	if len(parts) == 1 {
		switch old := m[key].(type) {
		case nil:
			m[key] = v
		case string:
			m[key] = map[string]any{"0": old, "1": v}
		case map[string]any:
			old[strconv.Itoa(len(old))] = v
		}
		return
	}
	child, ok := m[key].(map[string]any)
	if !ok {
		child = map[string]any{}
		if s, isStr := m[key].(string); isStr {
			child["0"] = s
		}
		m[key] = child
	}
	setFormPath(child, parts[1:], v)
}

// listify turns maps whose keys are 0..n-1 into lists.
func listify(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for k, c := range m {
		m[k] = listify(c)
	}
	if len(m) == 0 {
		return m
	}
	idx := make([]int, 0, len(m))
	for k := range m {
		n, err := strconv.Atoi(k)
		if err != nil || n < 0 || strconv.Itoa(n) != k {
			return m
		}
		idx = append(idx, n)
	}
	sort.Ints(idx)
	out := make([]any, len(idx))
	for i, n := range idx {
		out[i] = m[strconv.Itoa(n)]
	}
	return out
}

// paramError is a parameter the fake refuses with HTTP 400.
type paramError struct{ msg string }

func (e *paramError) Error() string { return e.msg }

func missing(field string) *paramError {
	return &paramError{field + " 파라메터가 누락되었습니다."}
}

func badParam(field string) *paramError {
	return &paramError{field + " 파라메터가 올바르지 않습니다."}
}

// getStr reads a string parameter; numbers and booleans are taken as their
// text. Absent and null give "".
func getStr(m map[string]any, k string) (string, error) {
	switch v := m[k].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return strconv.FormatBool(v), nil
	}
	return "", badParam(k)
}

// reqStr reads a required, non-empty string parameter of at most max runes.
func reqStr(m map[string]any, k string, max int) (string, error) {
	v, err := optStr(m, k, max)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(v) == "" {
		return "", missing(k)
	}
	return v, nil
}

// optStr reads an optional string parameter of at most max runes.
func optStr(m map[string]any, k string, max int) (string, error) {
	v, err := getStr(m, k)
	if err != nil {
		return "", err
	}
	if max > 0 && rules.CharLen(v) > max {
		return "", &paramError{fmt.Sprintf("%s 파라메터는 최대 %d자까지 입력할 수 있습니다.", k, max)}
	}
	return v, nil
}

// checkLengths checks optional string parameters against their maximum
// lengths in runes, in key order so the first error is stable.
func checkLengths(m map[string]any, max map[string]int) error {
	keys := make([]string, 0, len(max))
	for k := range max {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, err := optStr(m, k, max[k]); err != nil {
			return err
		}
	}
	return nil
}

// parseNumber reads a JSON number or numeric string.
func parseNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		return wire.ParseFinite(x.String())
	case string:
		return wire.ParseFinite(x)
	}
	return 0, false
}

// getNumber reads a number parameter. present is false when absent, null or
// a blank string; a value that is not a finite number is refused.
func getNumber(m map[string]any, k string) (f float64, present bool, err error) {
	v, ok := m[k]
	if !ok || v == nil {
		return 0, false, nil
	}
	if s, isStr := v.(string); isStr && strings.TrimSpace(s) == "" {
		return 0, false, nil
	}
	f, ok = parseNumber(v)
	if !ok {
		return 0, true, badParam(k)
	}
	return f, true, nil
}

// getCents reads an amount as hundredths. present is false when absent or
// null. Negative amounts, more than two decimals and absurd sizes are
// refused.
func getCents(m map[string]any, k string) (cents int64, present bool, err error) {
	f, present, err := getNumber(m, k)
	if err != nil || !present {
		return 0, present, err
	}
	if f < 0 || f >= rules.AmountLimit {
		return 0, true, badParam(k)
	}
	if rules.Decimals(f) > rules.MaxDecimals {
		return 0, true, &paramError{k + " 파라메터는 소수점 둘째 자리까지 입력할 수 있습니다."}
	}
	return int64(math.Round(f * 100)), true, nil
}

// getInt reads an integer (a JSON number without a fraction, or a numeric
// string). present is false when absent or null.
func getInt(m map[string]any, k string) (n int64, present bool, err error) {
	f, present, err := getNumber(m, k)
	if err != nil || !present {
		return 0, present, err
	}
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, true, badParam(k)
	}
	return int64(f), true, nil
}

// getBool reads a boolean (true/false, "true"/"false", 1/0).
func getBool(m map[string]any, k string) (bool, error) {
	switch v := m[k].(type) {
	case nil:
		return false, nil
	case bool:
		return v, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "1", "y":
			return true, nil
		case "false", "0", "n", "":
			return false, nil
		}
	case json.Number:
		switch v.String() {
		case "1":
			return true, nil
		case "0":
			return false, nil
		}
	}
	return false, badParam(k)
}

// getStrList reads a parameter given as one string or a list of strings.
func getStrList(m map[string]any, k string) ([]string, error) {
	switch v := m[k].(type) {
	case nil:
		return nil, nil
	case string:
		if v == "" {
			return nil, nil
		}
		return []string{v}, nil
	case json.Number:
		return []string{v.String()}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			switch s := e.(type) {
			case string:
				out = append(out, s)
			case json.Number:
				out = append(out, s.String())
			default:
				return nil, badParam(k)
			}
		}
		return out, nil
	}
	return nil, badParam(k)
}

// getObjList reads a list of objects.
func getObjList(m map[string]any, k string) ([]map[string]any, error) {
	switch v := m[k].(type) {
	case nil:
		return nil, nil
	case []any:
		out := make([]map[string]any, 0, len(v))
		for _, e := range v {
			o, ok := e.(map[string]any)
			if !ok {
				return nil, badParam(k)
			}
			out = append(out, o)
		}
		return out, nil
	case map[string]any:
		return []map[string]any{v}, nil
	}
	return nil, badParam(k)
}

// queryList reads a repeated query parameter sent as key[]=..., its
// percent-encoded form key%5B%5D=... (decoded by url.ParseQuery), or key=....
func queryList(q url.Values, k string) []string {
	var out []string
	for _, key := range []string{k + "[]", k} {
		for _, v := range q[key] {
			if v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// queryInt reads an optional integer query parameter.
func queryInt(q url.Values, k string) (n int64, present bool, err error) {
	v := strings.TrimSpace(q.Get(k))
	if v == "" {
		return 0, false, nil
	}
	n, err = strconv.ParseInt(v, 10, 64)
	if err != nil {
		f, ok := wire.ParseFinite(v)
		if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, true, badParam(k)
		}
		n = int64(f)
	}
	return n, true, nil
}

// queryBool reads an optional boolean query parameter.
func queryBool(q url.Values, k string) bool {
	switch strings.ToLower(strings.TrimSpace(q.Get(k))) {
	case "true", "1", "y", "yes":
		return true
	}
	return false
}

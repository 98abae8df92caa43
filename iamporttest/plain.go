package iamporttest

import (
	"reflect"
	"strings"
	"sync"
)

// The SDK's types that hold personal data redact it in every encoding,
// encoding/json included. The fake must still answer with the real values,
// so it encodes such types through plain: a struct that has a field tagged
// redact:"true", itself or in a struct it holds, is walked field by field
// by its json tags instead of being handed to its MarshalJSON; any other
// value is left to encoding/json as it is.

// plain returns v ready for encoding/json, with redaction bypassed.
func plain(v any) any { return plainValue(reflect.ValueOf(v)) }

func plainValue(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if !redacting(v.Type()) {
		return v.Interface()
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return plainValue(v.Elem())
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = plainValue(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			out[it.Key().String()] = plainValue(it.Value())
		}
		return out
	}
	out := map[string]any{}
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" && opts == "" {
			continue
		}
		f := v.Field(i)
		if sf.Anonymous && name == "" && f.Kind() == reflect.Struct {
			if m, ok := plainValue(f).(map[string]any); ok {
				for k, x := range m {
					if _, set := out[k]; !set {
						out[k] = x
					}
				}
				continue
			}
		}
		if name == "" {
			name = sf.Name
		}
		if strings.Contains(","+opts+",", ",omitempty,") && f.IsZero() {
			continue
		}
		out[name] = plainValue(f)
	}
	return out
}

var redactingTypes sync.Map // reflect.Type → bool

// redacting reports whether values of t hold a field tagged redact:"true",
// directly or through the structs, pointers, slices and maps in t.
func redacting(t reflect.Type) bool {
	if r, ok := redactingTypes.Load(t); ok {
		return r.(bool)
	}
	redactingTypes.Store(t, false) // breaks cycles
	r := false
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		r = redacting(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			sf := t.Field(i)
			if sf.IsExported() && (sf.Tag.Get("redact") == "true" || redacting(sf.Type)) {
				r = true
				break
			}
		}
	}
	redactingTypes.Store(t, r)
	return r
}

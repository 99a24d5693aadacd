package config

import (
	"log/slog"
	"net/url"
	"reflect"
	"time"
)

// LogValue lets the configuration be logged at start-up: one attribute per
// field, keyed by its environment variable as an operator sets it. A field
// with a secret tag is masked ("url": the password of a URL, anything else:
// the whole value), and durations read as durations ("30m0s").
func (c Config) LogValue() slog.Value {
	v := reflect.ValueOf(c)
	attrs := make([]slog.Attr, 0, v.NumField())
	for i := range v.NumField() {
		field := v.Type().Field(i)
		attrs = append(attrs, slog.Attr{Key: variable(field), Value: logged(field, v.Field(i))})
	}
	return slog.GroupValue(attrs...)
}

// logged is the value of one field as LogValue writes it.
func logged(field reflect.StructField, v reflect.Value) slog.Value {
	if secret, ok := field.Tag.Lookup("secret"); ok {
		if secret == "url" {
			return slog.StringValue(RedactURL(v.String()))
		}
		return slog.StringValue(redact(v.String()))
	}
	if d, ok := v.Interface().(time.Duration); ok {
		// A time.Duration would be written in nanoseconds by JSON handlers.
		return slog.StringValue(d.String())
	}
	return slog.AnyValue(v.Interface())
}

// RedactURL returns a connection URL with its password masked, for logs and
// error messages; a value that does not parse as a URL is masked whole, since
// it may be a secret itself. It is the service's one masking of URLs: it
// lives here, beside the secret tags it implements, and storage uses it for
// the errors that name a database (config imports nothing of the service,
// so any package may import it).
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "[REDACTED]"
	}
	return u.Redacted()
}

// redact masks a secret whole, saying only whether it is set.
func redact(secret string) string {
	if secret == "" {
		return ""
	}
	return "[REDACTED]"
}

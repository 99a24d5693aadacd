// Package telemetry sets up what makes the service observable from the
// outside: Prometheus metrics and OpenTelemetry tracing. The HTTP middleware
// that feeds them lives in internal/httpapi; nothing here is global, every
// part is passed to the code that uses it.
package telemetry

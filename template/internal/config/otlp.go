package config

import (
	"errors"
	"strings"
)

// OTLPProtocol is the transport of the OTLP span exporter.
type OTLPProtocol string

// The OTLP transports the service can export with.
const (
	OTLPHTTP OTLPProtocol = "http/protobuf"
	OTLPGRPC OTLPProtocol = "grpc"
)

// UnmarshalText accepts the transports the exporter supports.
func (p *OTLPProtocol) UnmarshalText(text []byte) error {
	switch v := OTLPProtocol(text); v {
	case OTLPHTTP, OTLPGRPC:
		*p = v
		return nil
	}
	return errors.New("must be http/protobuf or grpc")
}

// TracesSampler names a sampler as the OpenTelemetry specification does for
// OTEL_TRACES_SAMPLER.
type TracesSampler string

// The samplers of the specification; the parent-based ones follow the
// caller's decision when the request carries trace context.
const (
	AlwaysOn                TracesSampler = "always_on"
	AlwaysOff               TracesSampler = "always_off"
	TraceIDRatio            TracesSampler = "traceidratio"
	ParentBasedAlwaysOn     TracesSampler = "parentbased_always_on"
	ParentBasedAlwaysOff    TracesSampler = "parentbased_always_off"
	ParentBasedTraceIDRatio TracesSampler = "parentbased_traceidratio"
)

// UnmarshalText accepts the samplers of the specification, in any case, as
// the SDK does. The others it names (jaeger_remote, xray) need components the
// service does not have: they are refused rather than silently replaced.
func (s *TracesSampler) UnmarshalText(text []byte) error {
	switch v := TracesSampler(strings.ToLower(strings.TrimSpace(string(text)))); v {
	case AlwaysOn, AlwaysOff, TraceIDRatio, ParentBasedAlwaysOn, ParentBasedAlwaysOff, ParentBasedTraceIDRatio:
		*s = v
		return nil
	}
	return errors.New("must be always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio")
}

// Sampler is OTEL_TRACES_SAMPLER, or when it is unset the profile's: dev
// records every trace, for the developer reading them; stage and prod a
// share of them (OTEL_TRACES_SAMPLER_ARG), because recording a span costs
// several times what deciding not to does, on every request.
func (c Config) Sampler() TracesSampler {
	switch {
	case c.TracesSampler != "":
		return c.TracesSampler
	case c.AppEnv == Dev:
		return ParentBasedAlwaysOn
	}
	return ParentBasedTraceIDRatio
}

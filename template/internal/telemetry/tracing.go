package telemetry

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// TracingConfig says who the service is and where its spans go.
type TracingConfig struct {
	ServiceName    string
	ServiceVersion string
	Environment    string
	// Protocol is "http/protobuf" or "grpc".
	Protocol string
	// Endpoint is the collector's base URL (OTEL_EXPORTER_OTLP_ENDPOINT);
	// TracesEndpoint the full URL for spans, which wins. With neither, spans
	// are made, so logs carry trace ids, but none is exported.
	Endpoint       string
	TracesEndpoint string
	// Sampler names the sampler as OTEL_TRACES_SAMPLER does; SamplerRatio
	// is the share of new traces the traceidratio samplers record.
	Sampler      string
	SamplerRatio float64
}

// Tracing is the service's tracer provider and the propagator that carries
// W3C trace context (and baggage) across process boundaries.
type Tracing struct {
	Provider   *sdktrace.TracerProvider
	Propagator propagation.TextMapPropagator
}

// NewTracing builds the tracer provider. The resource names the service
// (service.name, service.version, deployment.environment.name); the standard
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES variables override it.
func NewTracing(ctx context.Context, cfg TracingConfig) (*Tracing, error) {
	sampler, err := NewSampler(cfg.Sampler, cfg.SamplerRatio)
	if err != nil {
		return nil, err
	}
	res, err := resource.New(ctx,
		resource.WithSchemaURL(semconv.SchemaURL),
		resource.WithAttributes(
			semconv.ServiceName(cfg.ServiceName),
			semconv.ServiceVersion(cfg.ServiceVersion),
			semconv.DeploymentEnvironmentNameKey.String(cfg.Environment),
		),
		resource.WithFromEnv(),
		resource.WithTelemetrySDK(),
	)
	if err != nil {
		return nil, fmt.Errorf("tracing resource: %w", err)
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res), sdktrace.WithSampler(sampler)}
	if cfg.Endpoint != "" || cfg.TracesEndpoint != "" {
		exporter, err := newExporter(ctx, cfg)
		if err != nil {
			return nil, err
		}
		opts = append(opts, sdktrace.WithBatcher(exporter))
	}
	return &Tracing{
		Provider:   sdktrace.NewTracerProvider(opts...),
		Propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
	}, nil
}

// NewSampler returns the sampler the OpenTelemetry specification names
// name, for OTEL_TRACES_SAMPLER. The service passes it explicitly, so that
// it comes from the service's configuration, validated with the rest.
func NewSampler(name string, ratio float64) (sdktrace.Sampler, error) {
	switch name {
	case "parentbased_always_on":
		return sdktrace.ParentBased(sdktrace.AlwaysSample()), nil
	case "always_on":
		return sdktrace.AlwaysSample(), nil
	case "always_off":
		return sdktrace.NeverSample(), nil
	case "traceidratio":
		return sdktrace.TraceIDRatioBased(ratio), nil
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample()), nil
	case "parentbased_traceidratio":
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio)), nil
	}
	return nil, fmt.Errorf("trace sampler %q: want one of OTEL_TRACES_SAMPLER's", name)
}

// newExporter returns the OTLP exporter of cfg.Protocol. Endpoints are
// passed explicitly, so that they come from the service's configuration;
// the exporters still read the other OTEL_EXPORTER_OTLP_* variables
// (headers, timeout, certificates) themselves.
func newExporter(ctx context.Context, cfg TracingConfig) (sdktrace.SpanExporter, error) {
	var (
		exporter sdktrace.SpanExporter
		err      error
	)
	switch cfg.Protocol {
	case "grpc":
		url := cfg.TracesEndpoint
		if url == "" {
			url = cfg.Endpoint
		}
		exporter, err = otlptracegrpc.New(ctx, otlptracegrpc.WithEndpointURL(url))
	case "http/protobuf":
		url := cfg.TracesEndpoint
		if url == "" {
			// The signal path is appended to the base endpoint, as the
			// OpenTelemetry specification says.
			url = strings.TrimSuffix(cfg.Endpoint, "/") + "/v1/traces"
		}
		exporter, err = otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(url))
	default:
		return nil, fmt.Errorf("OTLP protocol %q: want http/protobuf or grpc", cfg.Protocol)
	}
	if err != nil {
		return nil, fmt.Errorf("OTLP exporter: %w", err)
	}
	return exporter, nil
}

// Shutdown exports the spans still buffered and stops the provider; call it
// last, after the servers and the database have stopped.
func (t *Tracing) Shutdown(ctx context.Context) error {
	return t.Provider.Shutdown(ctx)
}

// NewHTTPClient returns an HTTP client for calls to other services: each
// call gets a client span and carries the trace context to the callee.
func (t *Tracing) NewHTTPClient() *http.Client {
	return &http.Client{
		Transport: otelhttp.NewTransport(http.DefaultTransport,
			otelhttp.WithTracerProvider(t.Provider),
			otelhttp.WithPropagators(t.Propagator),
		),
	}
}

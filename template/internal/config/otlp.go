package config

import "errors"

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

// Package api holds the service's OpenAPI description, embedded so that the
// binary serves exactly the contract its tests were checked against.
package api

import _ "embed" // for go:embed

// OpenAPI is api/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte

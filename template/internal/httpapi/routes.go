package httpapi

// addRoutes lists the service's own routes. This file is yours: template
// upgrades never rewrite it. The routes of the example resource, which the
// template maintains, are in routes_notes.go (if the service has it), and
// the middleware chain around every route is in NewServer.
func addRoutes(mux router, d Deps) {
	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /readyz", handleReadyz(d.Readiness))
	mux.Handle("GET /openapi.yaml", handleOpenAPI())
}

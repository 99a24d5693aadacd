package httpapi

// Routes are the service's own endpoints, with what their handlers need.
// This file is yours: template upgrades never rewrite it. To add an
// endpoint, write its handler, list its route below, and add a field here
// for any dependency it needs, set where internal/app builds the Routes.
type Routes struct {
	Readiness *Readiness
}

func (rt Routes) register(mux *router) {
	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /readyz", handleReadyz(rt.Readiness))
	mux.Handle("GET /openapi.yaml", handleOpenAPI())
}

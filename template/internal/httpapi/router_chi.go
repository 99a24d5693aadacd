package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	chimw "github.com/go-chi/chi/v5/middleware"
)

// router is chi's, with problem+json answers for unmatched requests.
type router struct {
	mux *chi.Mux
}

func newRouter() *router {
	mux := chi.NewRouter()
	// HEAD is served wherever GET is (RFC 9110), as ServeMux does.
	mux.Use(chimw.GetHead)
	mux.NotFound(notFound)
	mux.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		methodNotAllowed(w, r, func(method string) bool {
			return mux.Match(chi.NewRouteContext(), method, r.URL.Path)
		})
	})
	return &router{mux: mux}
}

// Handle registers h for pattern; the request records the pattern it
// matched for the middleware outside the router (see route.go).
func (rt *router) Handle(pattern string, h http.Handler) {
	rt.mux.Handle(pattern, recordRoute(pattern, h))
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt.mux.ServeHTTP(w, r)
}

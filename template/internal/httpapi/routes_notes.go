package httpapi

import (
	"log/slog"
	"net/http"
)

// NoteRoutes are the endpoints of the example notes resource. They live
// apart from routes.go, which belongs to the service's owner, so that
// switching the example off in a template upgrade removes them too.
type NoteRoutes struct {
	Logger *slog.Logger
	Notes  NoteService
	// Read guards the routes that read notes, Write those that change them,
	// such as Auth.Require(auth.NotesWrite); nil leaves them open.
	Read, Write Middleware
}

func (rt NoteRoutes) register(mux *router) {
	read, write := orOpen(rt.Read), orOpen(rt.Write)
	mux.Handle("GET /api/v1/notes", read(handleListNotes(rt.Logger, rt.Notes)))
	mux.Handle("POST /api/v1/notes", write(handleCreateNote(rt.Logger, rt.Notes)))
	mux.Handle("GET /api/v1/notes/{id}", read(handleGetNote(rt.Logger, rt.Notes)))
	mux.Handle("PATCH /api/v1/notes/{id}", write(handleUpdateNote(rt.Logger, rt.Notes)))
	mux.Handle("DELETE /api/v1/notes/{id}", write(handleDeleteNote(rt.Logger, rt.Notes)))
}

// orOpen returns guard, or a middleware that lets every request through
// when guard is nil.
func orOpen(guard Middleware) Middleware {
	if guard == nil {
		return func(h http.Handler) http.Handler { return h }
	}
	return guard
}

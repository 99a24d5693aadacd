package httpapi

import "log/slog"

// NoteRoutes are the endpoints of the example notes resource. They live
// apart from routes.go, which belongs to the service's owner, so that
// switching the example off in a template upgrade removes them too.
type NoteRoutes struct {
	Logger *slog.Logger
	Notes  NoteService
}

func (rt NoteRoutes) register(mux *router) {
	mux.Handle("GET /api/v1/notes", handleListNotes(rt.Logger, rt.Notes))
	mux.Handle("POST /api/v1/notes", handleCreateNote(rt.Logger, rt.Notes))
	mux.Handle("GET /api/v1/notes/{id}", handleGetNote(rt.Logger, rt.Notes))
	mux.Handle("PATCH /api/v1/notes/{id}", handleUpdateNote(rt.Logger, rt.Notes))
	mux.Handle("DELETE /api/v1/notes/{id}", handleDeleteNote(rt.Logger, rt.Notes))
}

package httpapi

// addNoteRoutes lists the routes of the example notes resource. It lives
// apart from routes.go, which belongs to the service's owner, so that
// switching the example off in a template upgrade removes its routes too.
func addNoteRoutes(mux router, d Deps) {
	mux.Handle("GET /api/v1/notes", handleListNotes(d.Logger, d.Notes))
	mux.Handle("POST /api/v1/notes", handleCreateNote(d.Logger, d.Notes))
	mux.Handle("GET /api/v1/notes/{id}", handleGetNote(d.Logger, d.Notes))
	mux.Handle("PATCH /api/v1/notes/{id}", handleUpdateNote(d.Logger, d.Notes))
	mux.Handle("DELETE /api/v1/notes/{id}", handleDeleteNote(d.Logger, d.Notes))
}

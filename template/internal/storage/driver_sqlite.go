package storage

// rowLimit is the Go type sqlc gives a LIMIT parameter on SQLite.
type rowLimit = int64

// unavailable reports whether err means that the database cannot be reached.
// An embedded database has no server to lose: its errors are all final.
func unavailable(error) bool {
	return false
}

// Package storagetest gives tests a database of their own.
package storagetest

import (
	"path/filepath"
	"testing"
)

// URL returns the DATABASE_URL of a new, empty SQLite database in a
// temporary directory: a real database file, like production, and private to
// the test.
func URL(t *testing.T) string {
	t.Helper()
	return "file:" + filepath.Join(t.TempDir(), "nested", "test.db")
}

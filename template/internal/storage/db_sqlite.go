package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver: no cgo, static binaries
)

// dialect tells goose how this engine records applied migrations.
const dialect = goose.DialectSQLite3

// Per-connection settings: WAL lets readers proceed during a write,
// busy_timeout makes a writer wait for the lock instead of failing, and
// _txlock=immediate takes the write lock when a transaction begins, so a
// read-then-write transaction never fails half-way on a lock upgrade. Times
// are written in SQLite's own format, which its date functions understand.
const sqliteParams = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
	"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"

// Open opens the SQLite database named by a DATABASE_URL of the form
// file:PATH or sqlite:PATH, creates its directory if needed and checks that
// it answers. SQLite has one writer at a time: a few connections serve
// concurrent readers, more would only queue on the write lock.
func Open(ctx context.Context, databaseURL string, pool Pool, opts ...Option) (*DB, error) {
	path, err := sqlitePath(databaseURL)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return openPool(ctx, "sqlite", "file:"+path+"?"+sqliteParams, path, pool, opts)
}

// sqlitePath returns the file path of a SQLite DATABASE_URL.
func sqlitePath(databaseURL string) (string, error) {
	rest, ok := strings.CutPrefix(databaseURL, "file:")
	if !ok {
		rest, ok = strings.CutPrefix(databaseURL, "sqlite:")
	}
	rest = strings.TrimPrefix(rest, "//")
	path, query, _ := strings.Cut(rest, "?")
	if !ok || path == "" {
		return "", fmt.Errorf("DATABASE_URL %s: want file:PATH for SQLite, such as file:data/app.db", describe(databaseURL))
	}
	// The connection settings are the service's (see sqliteParams), and an
	// in-memory database would be a different one on each pooled connection.
	if query != "" || strings.Contains(path, ":memory:") {
		return "", fmt.Errorf("DATABASE_URL %s: want a plain file path (no parameters, no :memory: database)", describe(databaseURL))
	}
	return path, nil
}

// Package storage holds the service's SQLite database: opening it, its
// embedded migrations and the stores that implement the domain's interfaces.
package storage

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver: no cgo, static binaries
)

// pingTimeout bounds the first contact with the database at start-up, so
// that a bad DATABASE_URL fails fast instead of hanging.
const pingTimeout = 5 * time.Second

// Per-connection settings: WAL lets readers proceed during a write,
// busy_timeout makes a writer wait for the lock instead of failing, and
// _txlock=immediate takes the write lock when a transaction begins, so a
// read-then-write transaction never fails half-way on a lock upgrade.
const sqliteParams = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
	"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// Option changes how Open opens the database.
type Option func(*options)

type options struct {
	// open stands for sql.Open; an option can wrap the driver, e.g. to
	// trace every query.
	open func(driverName, dsn string) (*sql.DB, error)
}

// Open opens the SQLite database named by a DATABASE_URL of the form
// file:PATH or sqlite:PATH, creates its directory if needed and checks that
// it answers.
func Open(ctx context.Context, databaseURL string, opts ...Option) (*sql.DB, error) {
	o := options{open: sql.Open}
	for _, opt := range opts {
		opt(&o)
	}
	path, err := sqlitePath(databaseURL)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	db, err := o.open("sqlite", "file:"+path+"?"+sqliteParams)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	// SQLite has one writer at a time; a few connections serve concurrent
	// readers, more would only queue on the write lock.
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)

	pingCtx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close() // the ping error is the one worth reporting
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return db, nil
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
		return "", fmt.Errorf("DATABASE_URL %q: want file:PATH for SQLite, such as file:data/app.db", databaseURL)
	}
	// The connection settings are the service's (see sqliteParams), and an
	// in-memory database would be a different one on each pooled connection.
	if query != "" || strings.Contains(path, ":memory:") {
		return "", fmt.Errorf("DATABASE_URL %q: want a plain file path (no parameters, no :memory: database)", databaseURL)
	}
	return path, nil
}

// WithTx runs fn in a transaction: committed when fn returns nil, rolled back
// when it returns an error or panics.
func WithTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback() // the error of fn is the one worth reporting
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

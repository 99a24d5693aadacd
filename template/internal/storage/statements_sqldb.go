package storage

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
)

// statements runs the queries of the queries package as prepared
// statements: each query text is prepared on its first use and reused from
// then on. Unprepared, SQLite parses and plans the SQL of every call
// again, and MySQL spends two more round trips per call preparing and
// closing it. database/sql prepares a statement again on each connection it
// runs on, and again after a connection is replaced.
//
// It implements queries.DBTX for the calls outside a transaction; calls in
// a transaction run on the *sql.Tx as they are.
type statements struct {
	db       *sql.DB
	prepared sync.Map // query text -> *sql.Stmt
	closed   atomic.Bool
}

func newStatements(db *sql.DB) *statements {
	return &statements{db: db}
}

// errStatementsClosed is what a call after Close gets.
var errStatementsClosed = errors.New("prepared statements: closed")

// stmt returns the prepared statement of query, preparing it on first use.
// Concurrent first uses may each prepare it; one statement is kept and the
// others closed, so that no caller waits for another's round trip.
func (s *statements) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.prepared.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	if s.closed.Load() {
		return nil, errStatementsClosed
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if kept, loaded := s.prepared.LoadOrStore(query, st); loaded {
		_ = st.Close()
		return kept.(*sql.Stmt), nil
	}
	if s.closed.Load() {
		// Close ran meanwhile and may have missed it.
		s.prepared.Delete(query)
		_ = st.Close()
		return nil, errStatementsClosed
	}
	return st, nil
}

// ExecContext runs query, prepared, with args.
func (s *statements) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs query, prepared, with args.
func (s *statements) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs query, prepared, with args. A *sql.Row cannot carry
// an error of its own making: when preparing fails, the query runs
// unprepared, and its *sql.Row reports what the database says.
func (s *statements) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return s.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// PrepareContext prepares query for the caller, who closes it.
func (s *statements) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return s.db.PrepareContext(ctx, query)
}

// Close closes every prepared statement; later calls fail.
func (s *statements) Close() error {
	s.closed.Store(true)
	var errs []error
	s.prepared.Range(func(query, st any) bool {
		errs = append(errs, st.(*sql.Stmt).Close())
		s.prepared.Delete(query)
		return true
	})
	return errors.Join(errs...)
}

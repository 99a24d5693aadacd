package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DB is the service's database: a database/sql connection pool, the
// statements prepared on it, and the deadline that every query gets.
type DB struct {
	sql          *sql.DB
	statements   *statements
	queryTimeout time.Duration
}

// Pool holds the connection pool settings (the DATABASE_* variables).
type Pool struct {
	MaxConns        int           // open connections at most
	MaxIdleConns    int           // idle connections kept for reuse
	ConnMaxLifetime time.Duration // a connection is replaced after this long (0: never)
	ConnMaxIdleTime time.Duration // an idle connection is closed after this long (0: never)
	QueryTimeout    time.Duration // deadline of each query, within the request's own
}

// Option changes how Open opens the database.
type Option func(*options)

type options struct {
	// open stands for sql.Open; an option can wrap the driver, e.g. to
	// trace every query.
	open func(driverName, dsn string) (*sql.DB, error)
}

// openPool opens a database/sql pool on dsn with the pool settings and checks
// that the database answers. name describes the database in errors, without
// its password.
func openPool(ctx context.Context, driverName, dsn, name string, pool Pool, opts []Option) (*DB, error) {
	o := options{open: sql.Open}
	for _, opt := range opts {
		opt(&o)
	}
	db, err := o.open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", name, err)
	}
	db.SetMaxOpenConns(pool.MaxConns)
	db.SetMaxIdleConns(pool.MaxIdleConns)
	db.SetConnMaxLifetime(pool.ConnMaxLifetime)
	db.SetConnMaxIdleTime(pool.ConnMaxIdleTime)

	pingCtx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close() // the ping error is the one worth reporting
		return nil, fmt.Errorf("database %s: %w", name, err)
	}
	return &DB{sql: db, statements: newStatements(db), queryTimeout: pool.QueryTimeout}, nil
}

// Ping checks that the database answers; readiness calls it.
func (db *DB) Ping(ctx context.Context) error {
	return db.sql.PingContext(ctx)
}

// Close closes the prepared statements and every connection of the pool.
func (db *DB) Close() error {
	return errors.Join(db.statements.Close(), db.sql.Close())
}

// migrationDB is the handle the migrations run on.
func (db *DB) migrationDB() *sql.DB {
	return db.sql
}

// WithQueryTimeout bounds one database call by the query timeout, so that a
// slow query fails on its own instead of holding a connection as long as
// the request lasts. Every store method starts with it.
func (db *DB) WithQueryTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, db.queryTimeout)
}

// WithTx runs fn in a transaction: committed when fn returns nil, rolled back
// when it returns an error or panics.
func (db *DB) WithTx(ctx context.Context, fn func(*sql.Tx) error) (err error) {
	tx, err := db.sql.BeginTx(ctx, nil)
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

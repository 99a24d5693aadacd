package storage

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// dialect tells goose how this engine records applied migrations.
const dialect = goose.DialectPostgres

// DB is the service's database: a pgx connection pool and the deadline that
// every query gets.
type DB struct {
	pool         *pgxpool.Pool
	queryTimeout time.Duration
	// migrations is a database/sql view of the pool for goose; closing it
	// leaves the pool open.
	migrations *sql.DB
}

// Pool holds the connection pool settings (the DATABASE_* variables).
type Pool struct {
	MaxConns        int32         // open connections at most
	MinConns        int32         // connections kept open even when idle
	ConnMaxLifetime time.Duration // a connection is replaced after this long
	ConnMaxIdleTime time.Duration // an idle connection is closed after this long
	QueryTimeout    time.Duration // deadline of each query, within the request's own
}

// Option changes how Open opens the database.
type Option func(*pgxpool.Config)

// Open opens a pool on the PostgreSQL database named by a DATABASE_URL of the
// form postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=... and checks
// that it answers.
func Open(ctx context.Context, databaseURL string, pool Pool, opts ...Option) (*DB, error) {
	name := describe(databaseURL)
	if u, err := url.Parse(databaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return nil, fmt.Errorf("DATABASE_URL %s: want postgres://USER:PASSWORD@HOST:PORT/DATABASE", name)
	}
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		// pgx masks the password in its parse errors.
		return nil, fmt.Errorf("DATABASE_URL %s: %w", name, err)
	}
	cfg.MaxConns = pool.MaxConns
	cfg.MinConns = pool.MinConns
	cfg.MaxConnLifetime = pool.ConnMaxLifetime
	cfg.MaxConnIdleTime = pool.ConnMaxIdleTime
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = pingTimeout
	}
	for _, opt := range opts {
		opt(cfg)
	}
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", name, err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := p.Ping(pingCtx); err != nil {
		p.Close()
		return nil, fmt.Errorf("database %s: %w", name, err)
	}
	return &DB{pool: p, queryTimeout: pool.QueryTimeout, migrations: stdlib.OpenDBFromPool(p)}, nil
}

// Ping checks that the database answers; readiness calls it.
func (db *DB) Ping(ctx context.Context) error {
	return db.pool.Ping(ctx)
}

// Close closes every connection of the pool.
func (db *DB) Close() error {
	err := db.migrations.Close()
	db.pool.Close()
	return err
}

// migrationDB is the handle the migrations run on.
func (db *DB) migrationDB() *sql.DB {
	return db.migrations
}

// WithQueryTimeout bounds one database call by the query timeout, so that a
// slow query fails on its own instead of holding a connection as long as
// the request lasts. Every store method starts with it.
func (db *DB) WithQueryTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, db.queryTimeout)
}

// WithTx runs fn in a transaction: committed when fn returns nil, rolled back
// when it returns an error or panics.
func (db *DB) WithTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, fn)
}

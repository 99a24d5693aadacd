package storage

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/pressly/goose/v3"
)

// dialect tells goose how this engine records applied migrations.
const dialect = goose.DialectMySQL

// Open opens the MySQL (or MariaDB) database named by a DATABASE_URL of the
// form mysql://USER:PASSWORD@HOST:PORT/DATABASE?PARAMS and checks that it
// answers. PARAMS are the driver's own (such as tls=true).
func Open(ctx context.Context, databaseURL string, pool Pool, opts ...Option) (*DB, error) {
	cfg, err := mysqlConfig(databaseURL)
	if err != nil {
		return nil, err
	}
	return openPool(ctx, "mysql", cfg.FormatDSN(), describe(databaseURL), pool, opts)
}

// mysqlConfig turns a mysql:// URL into the driver's configuration.
func mysqlConfig(databaseURL string) (*mysql.Config, error) {
	u, err := url.Parse(databaseURL)
	if err != nil || u.Scheme != "mysql" || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return nil, fmt.Errorf("DATABASE_URL %s: want mysql://USER:PASSWORD@HOST:PORT/DATABASE", describe(databaseURL))
	}
	// The query holds the driver's own parameters: let the driver read them.
	cfg, err := mysql.ParseDSN("/?" + u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL %s: %w", describe(databaseURL), err)
	}
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" {
		cfg.Addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	cfg.DBName = strings.Trim(u.Path, "/")
	// The service's own settings, whatever the URL says: DATETIME columns
	// read back as time.Time, in UTC as they were written, and statements
	// fail fast when the server stops answering.
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	if cfg.Timeout == 0 {
		cfg.Timeout = pingTimeout
	}
	return cfg, nil
}

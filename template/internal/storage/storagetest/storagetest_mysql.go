// Package storagetest gives tests a database of their own on the MySQL or
// MariaDB server named by DATABASE_URL; the tests that use it are built with
// the integration tag.
package storagetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

var serial atomic.Int64

// URL returns the DATABASE_URL of a new, empty database on the test server,
// dropped when the test ends: tests run in parallel without seeing each other.
// It fails the test when DATABASE_URL is unset or the server does not answer.
func URL(t *testing.T) string {
	t.Helper()
	server := os.Getenv("DATABASE_URL")
	if server == "" {
		t.Fatal("DATABASE_URL must name a MySQL or MariaDB server for the integration tests, " +
			"e.g. mysql://USER:PASSWORD@localhost:3306/DATABASE (the user needs CREATE and DROP on databases)")
	}
	u, err := url.Parse(server)
	if err != nil || u.Scheme != "mysql" {
		t.Fatal("DATABASE_URL is not a mysql:// URL")
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net, cfg.Addr = "tcp", u.Host
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	admin := sql.OpenDB(connector)
	t.Cleanup(func() { _ = admin.Close() })

	name := fmt.Sprintf("test_%d_%d_%d", os.Getpid(), time.Now().UnixNano(), serial.Add(1))
	exec := func(stmt string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := admin.ExecContext(ctx, stmt)
		return err
	}
	// The name is made of digits and underscores only: no quoting needed.
	if err := exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("test database server %s: create database: %v", u.Redacted(), err)
	}
	t.Cleanup(func() {
		if err := exec("DROP DATABASE " + name); err != nil {
			t.Errorf("drop database: %v", err)
		}
	})
	u.Path = "/" + strings.TrimPrefix(name, "/")
	return u.String()
}

// Package storagetest gives tests a database of their own on the PostgreSQL
// server named by DATABASE_URL; the tests that use it are built with the
// integration tag.
package storagetest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var serial atomic.Int64

// URL returns the DATABASE_URL of a new, empty schema on the test server,
// dropped when the test ends: tests run in parallel without seeing each other.
// It fails the test when DATABASE_URL is unset or the server does not answer.
func URL(t *testing.T) string {
	t.Helper()
	server := os.Getenv("DATABASE_URL")
	if server == "" {
		t.Fatal("DATABASE_URL must name a PostgreSQL server for the integration tests, " +
			"e.g. postgres://USER:PASSWORD@localhost:5432/DATABASE?sslmode=disable (the user needs CREATE on it)")
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal("DATABASE_URL is not a URL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("test database server %s: %v", u.Redacted(), err)
	}
	defer conn.Close(context.Background())

	schema := pgx.Identifier{fmt.Sprintf("test_%d_%d_%d", os.Getpid(), time.Now().UnixNano(), serial.Add(1))}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema.Sanitize()); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("drop schema: %v", err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})

	// search_path is a run-time parameter of every connection of the pool.
	q := u.Query()
	q.Set("search_path", schema[0])
	u.RawQuery = q.Encode()
	return u.String()
}

package storage

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// openTestDB opens a fresh SQLite database in a temporary directory: a real
// database file, like production, and private to the test.
func openTestDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := Open(context.Background(), "file:"+filepath.Join(t.TempDir(), "nested", "test.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestOpenRejectsNonSQLiteURLs(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"", "postgres://u:p@localhost/db", "file:"} {
		_, err := Open(context.Background(), raw)
		if err == nil || !strings.Contains(err.Error(), "want file:PATH") {
			t.Errorf("Open(%q): got %v, want a DATABASE_URL error", raw, err)
		}
	}
	for _, raw := range []string{"file:x.db?mode=ro", "file::memory:"} {
		if _, err := Open(context.Background(), raw); err == nil || !strings.Contains(err.Error(), "plain file path") {
			t.Errorf("Open(%q): got %v, want it refused", raw, err)
		}
	}
}

func TestWithTxRollsBackOnError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTestDB(t)
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (v INTEGER)"); err != nil {
		t.Fatal(err)
	}
	errBoom := errors.New("boom")
	err := WithTx(ctx, db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("WithTx: got %v, want the function's error", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("rows after rollback: %d", n)
	}
}

// schema returns the database's schema, less goose's own bookkeeping.
func schema(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query("SELECT sql FROM sqlite_master WHERE name NOT LIKE 'goose%' AND name NOT LIKE 'sqlite%' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(s.String + ";\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestMigrationsUpDownUp applies the migrations one at a time, checks that
// each one's down restores the schema its up changed, and that the whole set
// applies again after a rollback to zero.
func TestMigrationsUpDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTestDB(t)
	m, err := NewMigrator(db)
	if err != nil {
		t.Fatal(err)
	}
	if m.provider == nil {
		t.Skip("this service has no migrations yet")
	}
	for range m.provider.ListSources() {
		before := schema(t, db)
		r, err := m.provider.UpByOne(ctx)
		if err != nil {
			t.Fatalf("up: %v", err)
		}
		if _, err := m.provider.Down(ctx); err != nil {
			t.Fatalf("down %s: %v", r.Source.Path, err)
		}
		if after := schema(t, db); after != before {
			t.Errorf("down of %s left\n%s\nwant\n%s", r.Source.Path, after, before)
		}
		if _, err := m.provider.UpByOne(ctx); err != nil {
			t.Fatalf("up again: %v", err)
		}
	}
	if _, err := m.provider.DownTo(ctx, 0); err != nil {
		t.Fatalf("down to zero: %v", err)
	}
	if s := schema(t, db); s != "" {
		t.Errorf("schema after down to zero:\n%s", s)
	}
	if _, err := m.provider.Up(ctx); err != nil {
		t.Fatalf("up after down: %v", err)
	}
	var status strings.Builder
	if err := m.Status(ctx, &status); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(status.String(), "pending") {
		t.Errorf("pending migrations after up:\n%s", status.String())
	}
}

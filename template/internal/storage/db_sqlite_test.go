package storage

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"
)

// testPool is the pool of the service's defaults.
var testPool = Pool{MaxConns: 4, MaxIdleConns: 4, ConnMaxLifetime: 30 * time.Minute, ConnMaxIdleTime: 5 * time.Minute, QueryTimeout: 5 * time.Second}

// schema returns the database's schema, less goose's own bookkeeping.
func schema(t *testing.T, db *DB) string {
	t.Helper()
	rows, err := db.sql.Query("SELECT sql FROM sqlite_master WHERE name NOT LIKE 'goose%' AND name NOT LIKE 'sqlite%' ORDER BY name")
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

func TestOpenRejectsNonSQLiteURLs(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"", "postgres://u:secret@localhost/db", "file:"} {
		_, err := Open(context.Background(), raw, testPool)
		if err == nil || !strings.Contains(err.Error(), "want file:PATH") {
			t.Errorf("Open(%q): got %v, want a DATABASE_URL error", raw, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q): the error shows the password: %v", raw, err)
		}
	}
	for _, raw := range []string{"file:x.db?mode=ro", "file::memory:"} {
		if _, err := Open(context.Background(), raw, testPool); err == nil || !strings.Contains(err.Error(), "plain file path") {
			t.Errorf("Open(%q): got %v, want it refused", raw, err)
		}
	}
}

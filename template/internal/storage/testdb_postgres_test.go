//go:build integration

package storage

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// testPool is the pool of the service's defaults.
var testPool = Pool{MaxConns: 10, ConnMaxLifetime: 30 * time.Minute, ConnMaxIdleTime: 5 * time.Minute, QueryTimeout: 5 * time.Second}

// schema returns the tables and columns of the test's schema, less goose's
// own bookkeeping.
func schema(t *testing.T, db *DB) string {
	t.Helper()
	rows, err := db.pool.Query(context.Background(), `
		SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '')
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name NOT LIKE 'goose%'
		ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var table, column, typ, nullable, def string
		if err := rows.Scan(&table, &column, &typ, &nullable, &def); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s.%s %s null=%s default=%s\n", table, column, typ, nullable, def)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

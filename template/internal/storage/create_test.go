package storage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCreateNumbersAfterTheLastMigration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "00007_first.sql"), []byte("-- +goose Up\n-- +goose Down\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Create(dir, "add tags"); err != nil {
		t.Fatalf("Create: %v", err)
	}
	body, err := os.ReadFile(filepath.Join(dir, "00008_add_tags.sql"))
	if err != nil {
		t.Fatalf("the new migration is not numbered after the last one: %v", err)
	}
	if !strings.Contains(string(body), "-- +goose Up") || !strings.Contains(string(body), "-- +goose Down") {
		t.Errorf("the new migration lacks its sections:\n%s", body)
	}
}

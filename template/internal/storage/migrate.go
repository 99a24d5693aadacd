package storage

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"text/tabwriter"
	"text/template"
	"time"

	"github.com/pressly/goose/v3"
)

// migrations holds the SQL migrations, compiled into the binary so that a
// release carries exactly the schema it was tested with.
//
//go:embed migrations
var migrations embed.FS

// Migrator applies the embedded migrations to a database.
type Migrator struct {
	provider *goose.Provider // nil when there are no migrations yet
}

// NewMigrator returns a Migrator for db.
func NewMigrator(db *DB) (*Migrator, error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(dialect, db.migrationDB(), fsys)
	if errors.Is(err, goose.ErrNoMigrations) {
		return &Migrator{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return &Migrator{provider: p}, nil
}

// Up applies every pending migration, each in its own transaction.
func (m *Migrator) Up(ctx context.Context, logger *slog.Logger) error {
	if m.provider == nil {
		logger.InfoContext(ctx, "no migrations to apply")
		return nil
	}
	results, err := m.provider.Up(ctx)
	logResults(ctx, logger, results)
	if err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	if len(results) == 0 {
		logger.InfoContext(ctx, "database schema is up to date")
	}
	return nil
}

// Down rolls back the most recent steps migrations, one at a time, each in
// its own transaction; it stops early when none is left.
func (m *Migrator) Down(ctx context.Context, logger *slog.Logger, steps int) error {
	if steps < 1 {
		return fmt.Errorf("migrate down: the number of migrations to roll back must be at least 1, got %d", steps)
	}
	if m.provider == nil {
		logger.InfoContext(ctx, "no migrations to roll back")
		return nil
	}
	for range steps {
		result, err := m.provider.Down(ctx)
		if errors.Is(err, goose.ErrNoNextVersion) {
			logger.InfoContext(ctx, "no applied migration to roll back")
			return nil
		}
		if result != nil {
			logResults(ctx, logger, []*goose.MigrationResult{result})
		}
		if err != nil {
			return fmt.Errorf("migrate down: %w", err)
		}
	}
	return nil
}

// Status writes a table of the migrations and whether each is applied.
func (m *Migrator) Status(ctx context.Context, w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tMIGRATION\tAPPLIED AT")
	if m.provider != nil {
		statuses, err := m.provider.Status(ctx)
		if err != nil {
			return fmt.Errorf("migrate status: %w", err)
		}
		for _, s := range statuses {
			applied := "pending"
			if s.State == goose.StateApplied {
				applied = s.AppliedAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\n", s.Source.Version, s.Source.Path, applied)
		}
	}
	return tw.Flush()
}

func logResults(ctx context.Context, logger *slog.Logger, results []*goose.MigrationResult) {
	for _, r := range results {
		attrs := []any{"version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration}
		if r.Error != nil {
			logger.ErrorContext(ctx, "migration "+r.Direction+" failed", append(attrs, "error", r.Error)...)
			continue
		}
		logger.InfoContext(ctx, "migration "+r.Direction, attrs...)
	}
}

// migrationTemplate is the skeleton of a new migration. Both sections run in
// a transaction (on MySQL, DDL statements commit on their own: keep one
// schema change per migration there).
var migrationTemplate = template.Must(template.New("migration").Parse(`-- +goose Up
-- What this migration changes, e.g. CREATE TABLE ... or ALTER TABLE ...

-- +goose Down
-- The statements that undo the Up section exactly.
`))

// Create writes a new, empty SQL migration named after name into dir (the
// service's internal/storage/migrations when run from its root), numbered
// after the last one; goose logs its path. Migrations are compiled into the
// binary: rebuild to apply it.
func Create(dir, name string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("migrate create: %w", err)
	}
	// Sequential versions (00002_...) rather than timestamps keep the order
	// of migrations obvious in review; goose keeps the setting globally.
	goose.SetSequential(true)
	if err := goose.CreateWithTemplate(nil, dir, migrationTemplate, name, "sql"); err != nil {
		return fmt.Errorf("migrate create: %w", err)
	}
	return nil
}

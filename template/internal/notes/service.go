package notes

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Store persists notes. It is declared here, by its consumer;
// internal/storage implements it for the service's database.
type Store interface {
	Create(ctx context.Context, n Note) error
	Get(ctx context.Context, id string) (Note, error)
	// List returns up to limit notes whose id sorts after the given one
	// ("" for the first page), in id order.
	List(ctx context.Context, after string, limit int) ([]Note, error)
	// Update loads a note, applies fn to it and saves the result, all in one
	// transaction; it returns ErrNotFound for an unknown id, and ErrConflict
	// when another writer saved the note between the load and the save.
	Update(ctx context.Context, id string, fn func(*Note) error) (Note, error)
	Delete(ctx context.Context, id string) error
}

// Service applies the rules of the notes resource on top of a Store.
type Service struct {
	store Store
	now   func() time.Time
}

// NewService returns a Service storing notes in store.
func NewService(store Store) *Service {
	return &Service{store: store, now: time.Now}
}

// NewNote is the input of Create.
type NewNote struct {
	Title string
	Body  string
}

// Patch is the input of Update: nil fields are left as they are. Version,
// when set, is the version the caller last read: the update is refused with
// ErrConflict if the note has changed since (optimistic concurrency).
type Patch struct {
	Title   *string
	Body    *string
	Version *int64
}

// PageRequest asks for one page of a listing: Limit notes at most (1 to
// MaxPageSize; DefaultPageSize is the usual choice), after Cursor, which is
// "" for the first page or the NextCursor of the page before.
type PageRequest struct {
	Cursor string
	Limit  int
}

// Page is one page of notes; NextCursor is "" on the last page.
type Page struct {
	Items      []Note
	NextCursor string
}

// Create validates and stores a new note. Ids are UUIDv7: unique without
// coordination between replicas, and sorted by creation time, which keeps
// listings in a stable, meaningful order.
func (s *Service) Create(ctx context.Context, in NewNote) (Note, error) {
	title := strings.TrimSpace(in.Title)
	if err := errorIfAny(append(checkTitle(title), checkBody(in.Body)...)); err != nil {
		return Note{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Note{}, fmt.Errorf("new note id: %w", err)
	}
	now := s.timestamp()
	n := Note{ID: id.String(), Title: title, Body: in.Body, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.store.Create(ctx, n); err != nil {
		return Note{}, fmt.Errorf("create note: %w", err)
	}
	return n, nil
}

// Get returns the note with the given id, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id string) (Note, error) {
	return s.store.Get(ctx, id)
}

// List returns one page of notes in creation order. Paging by cursor (the
// last id seen) rather than by offset stays correct while notes are added.
func (s *Service) List(ctx context.Context, req PageRequest) (Page, error) {
	var problems []FieldError
	limit := req.Limit
	if limit < 1 || limit > MaxPageSize {
		problems = append(problems, FieldError{Field: "limit", Message: fmt.Sprintf("must be between 1 and %d", MaxPageSize)})
	}
	after, err := decodeCursor(req.Cursor)
	if err != nil {
		problems = append(problems, FieldError{Field: "cursor", Message: "is not a cursor returned by this API"})
	}
	if err := errorIfAny(problems); err != nil {
		return Page{}, err
	}

	// One extra row tells whether another page follows.
	items, err := s.store.List(ctx, after, limit+1)
	if err != nil {
		return Page{}, fmt.Errorf("list notes: %w", err)
	}
	var page Page
	if len(items) > limit {
		items = items[:limit]
		page.NextCursor = encodeCursor(items[limit-1].ID)
	}
	page.Items = items
	return page, nil
}

// Update applies a patch to a note in one transaction and counts the write in
// its Version.
func (s *Service) Update(ctx context.Context, id string, p Patch) (Note, error) {
	var problems []FieldError
	if p.Title != nil {
		title := strings.TrimSpace(*p.Title)
		p.Title = &title
		problems = append(problems, checkTitle(title)...)
	}
	if p.Body != nil {
		problems = append(problems, checkBody(*p.Body)...)
	}
	if err := errorIfAny(problems); err != nil {
		return Note{}, err
	}
	return s.store.Update(ctx, id, func(n *Note) error {
		if p.Version != nil && *p.Version != n.Version {
			return fmt.Errorf("%w: version %d was read, the note is at version %d", ErrConflict, *p.Version, n.Version)
		}
		if p.Title != nil {
			n.Title = *p.Title
		}
		if p.Body != nil {
			n.Body = *p.Body
		}
		n.Version++
		n.UpdatedAt = s.timestamp()
		return nil
	})
}

// Delete removes a note, or returns ErrNotFound.
func (s *Service) Delete(ctx context.Context, id string) error {
	return s.store.Delete(ctx, id)
}

// timestamp is the current time as every supported database stores it: in
// UTC, to the microsecond (PostgreSQL and MySQL keep no more), so that a note
// reads back exactly as it was written.
func (s *Service) timestamp() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// Cursors are opaque to clients, so that the paging key can change without
// breaking them.
func encodeCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(id))
}

func decodeCursor(cursor string) (string, error) {
	if cursor == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return "", err
	}
	if _, err := uuid.Parse(string(b)); err != nil {
		return "", err
	}
	return string(b), nil
}

package notes

import (
	"context"

	"github.com/google/uuid"
)

// Cache keeps notes by id in front of a Store; internal/cache implements it
// in the process or in Redis. The Store stays the source of truth.
type Cache interface {
	// GetOrLoad returns the note cached under id, or calls load, caches what
	// it returns (ErrNotFound included) and returns it.
	GetOrLoad(ctx context.Context, id string, load func(context.Context) (Note, error)) (Note, error)
	// Delete drops id's entry, in every replica's copy.
	Delete(ctx context.Context, id string)
}

// CachedStore returns store with its reads by id served from cache
// (cache-aside). Every update and delete drops the note's entry once the
// store has committed it, whatever the outcome: an error may hide a commit
// (a connection lost during COMMIT), and a needless drop costs one load.
// Dropping rather than writing the new note keeps two racing writers from
// leaving the older of their notes in the cache.
//
// A read between the commit and the drop may still get the previous note:
// that window, a round trip to the cache, is all the staleness a write
// leaves behind. Create needs no drop: a new id is a fresh UUIDv7, which no
// read can have cached before, not even as missing.
func CachedStore(store Store, cache Cache) Store {
	return &cachedStore{Store: store, cache: cache}
}

type cachedStore struct {
	Store
	cache Cache
}

func (s *cachedStore) Get(ctx context.Context, id string) (Note, error) {
	// Only ids this service makes are cached: any other string names no
	// note, and caching it would let clients fill the cache with keys.
	if u, err := uuid.Parse(id); err != nil || u.String() != id {
		return s.Store.Get(ctx, id)
	}
	return s.cache.GetOrLoad(ctx, id, func(ctx context.Context) (Note, error) {
		return s.Store.Get(ctx, id)
	})
}

func (s *cachedStore) Update(ctx context.Context, id string, fn func(*Note) error) (Note, error) {
	n, err := s.Store.Update(ctx, id, fn)
	s.cache.Delete(ctx, id)
	return n, err
}

func (s *cachedStore) Delete(ctx context.Context, id string) error {
	err := s.Store.Delete(ctx, id)
	s.cache.Delete(ctx, id)
	return err
}

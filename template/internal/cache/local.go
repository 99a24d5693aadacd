package cache

import (
	"context"
	"fmt"
	"time"

	"github.com/maypok86/otter/v2"
)

// local is an in-process tier: the whole cache of Memory, or the L1 in
// front of Redis. Otter bounds its size (evicting the entries least likely
// to be read again), expires entries, and makes concurrent loads of one key
// share a single call of the loader. An invalidation of a key while it is
// being loaded discards the loaded value, so a load that read the old value
// before a write committed cannot store it after the write's invalidation.
type local[V any] struct {
	cache *otter.Cache[string, entry[V]]
}

func newLocal[V any](maxEntries int, ttl, negativeTTL time.Duration, o options, observer observer) (*local[V], error) {
	c, err := otter.New(&otter.Options[string, entry[V]]{
		MaximumSize: maxEntries,
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, entry[V]]) time.Duration {
			if e.Value.found {
				return ttl
			}
			return negativeTTL
		}),
		OnDeletion: func(e otter.DeletionEvent[string, entry[V]]) {
			if e.Cause == otter.CauseOverflow {
				observer.evicted()
			}
		},
		Clock: o.clock,
	})
	if err != nil {
		return nil, fmt.Errorf("in-process cache: %w", err)
	}
	return &local[V]{cache: c}, nil
}

// peek returns key's entry if the tier holds it, without loading.
func (l *local[V]) peek(key string) (entry[V], bool) {
	e, ok := l.cache.GetIfPresent(key)
	if ok {
		e.tier = tierLocal
	}
	return e, ok
}

// get returns key's entry, loading it with load when it is absent.
func (l *local[V]) get(ctx context.Context, key string, load func(context.Context) (entry[V], error)) (entry[V], error) {
	return l.cache.Get(ctx, key, otter.LoaderFunc[string, entry[V]](func(ctx context.Context, _ string) (entry[V], error) {
		return load(ctx)
	}))
}

func (l *local[V]) invalidate(key string) {
	l.cache.Invalidate(key)
}

// close stops the tier's background goroutines.
func (l *local[V]) close() {
	l.cache.StopAllGoroutines()
}

package cache

import "context"

// Memory is a cache in the process's memory. Each replica has its own: a
// write through one replica drops the entry there at once, and reaches the
// other replicas' copies only when they expire, TTL later at most.
type Memory[V any] struct {
	core[V]
	local *local[V]
}

// NewMemory returns an empty Memory cache.
func NewMemory[V any](cfg Config, opts ...Option) (*Memory[V], error) {
	o := newOptions(opts)
	c := newCore[V](cfg, o)
	l, err := newLocal[V](cfg.MaxEntries, cfg.TTL, min(cfg.NegativeTTL, cfg.TTL), o, c.observer)
	if err != nil {
		return nil, err
	}
	return &Memory[V]{core: c, local: l}, nil
}

// GetOrLoad returns the value cached under key, or calls load, caches what
// it returns (a NotFound error included) and returns it. Concurrent calls
// for one key share one load.
func (m *Memory[V]) GetOrLoad(ctx context.Context, key string, load func(context.Context) (V, error)) (V, error) {
	e, ok := m.local.peek(key)
	if !ok {
		var err error
		e, err = m.local.get(ctx, key, func(ctx context.Context) (entry[V], error) {
			return m.load(ctx, load)
		})
		if err != nil {
			m.observer.miss()
			var zero V
			return zero, err
		}
	}
	m.count(e)
	return e.result(m.cfg.NotFound)
}

// Delete drops key's entry; a load of key under way is discarded.
func (m *Memory[V]) Delete(_ context.Context, key string) {
	m.local.invalidate(key)
}

// Close stops the cache's background work.
func (m *Memory[V]) Close() error {
	m.local.close()
	return nil
}

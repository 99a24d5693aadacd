package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// errNotFound is the test sources' NotFound.
var errNotFound = errors.New("not found")

// source is what the tests cache: versioned values by key, and a count of
// the loads that read it. A key without a value is not found.
type source struct {
	mu     sync.Mutex
	values map[string]int
	loads  atomic.Int64
	// gate, when set, holds each load until it is closed.
	gate chan struct{}
}

func newSource() *source {
	return &source{values: map[string]int{}}
}

func (s *source) set(key string, v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values[key] = v
}

// loader returns the load of key, as a cache's caller passes it.
func (s *source) loader(key string) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		s.loads.Add(1)
		s.mu.Lock()
		v, ok := s.values[key]
		gate := s.gate
		s.mu.Unlock()
		if gate != nil {
			select {
			case <-gate:
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
		if !ok {
			return 0, errNotFound
		}
		return v, nil
	}
}

// hold makes the loads wait until release is called.
func (s *source) hold() (release func()) {
	gate := make(chan struct{})
	s.mu.Lock()
	s.gate = gate
	s.mu.Unlock()
	return sync.OnceFunc(func() {
		s.mu.Lock()
		s.gate = nil
		s.mu.Unlock()
		close(gate)
	})
}

// testCache is what the tests need of Memory and Redis.
type testCache interface {
	GetOrLoad(ctx context.Context, key string, load func(context.Context) (int, error)) (int, error)
	Delete(ctx context.Context, key string)
}

func testConfig() Config {
	return Config{Name: "test", TTL: time.Minute, NegativeTTL: 5 * time.Second, NotFound: errNotFound, MaxEntries: 100}
}

func mustGet(t *testing.T, c testCache, s *source, key string) int {
	t.Helper()
	v, err := c.GetOrLoad(context.Background(), key, s.loader(key))
	if err != nil {
		t.Fatalf("GetOrLoad(%q): %v", key, err)
	}
	return v
}

// testCacheAside checks what every cache does, whatever its backend.
func testCacheAside(t *testing.T, newCache func(t *testing.T, cfg Config) testCache) {
	// setup returns a source whose key "k" holds v, and a new cache.
	setup := func(t *testing.T, v int) (*source, testCache) {
		s := newSource()
		s.set("k", v)
		return s, newCache(t, testConfig())
	}

	t.Run("a value is loaded once, then served from the cache", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t, 1)
		for range 3 {
			if v := mustGet(t, c, s, "k"); v != 1 {
				t.Fatalf("got %d, want 1", v)
			}
		}
		if n := s.loads.Load(); n != 1 {
			t.Errorf("%d loads, want 1", n)
		}
	})

	t.Run("not found is cached and returned as the loader's error", func(t *testing.T) {
		t.Parallel()
		s := newSource()
		c := newCache(t, testConfig())
		for range 3 {
			if _, err := c.GetOrLoad(context.Background(), "missing", s.loader("missing")); !errors.Is(err, errNotFound) {
				t.Fatalf("got %v, want errNotFound", err)
			}
		}
		if n := s.loads.Load(); n != 1 {
			t.Errorf("%d loads, want 1", n)
		}
	})

	t.Run("errors are returned, never cached", func(t *testing.T) {
		t.Parallel()
		c := newCache(t, testConfig())
		boom := errors.New("boom")
		var loads int
		for range 2 {
			_, err := c.GetOrLoad(context.Background(), "k", func(context.Context) (int, error) {
				loads++
				return 0, boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("got %v, want boom", err)
			}
		}
		if loads != 2 {
			t.Errorf("%d loads, want 2", loads)
		}
	})

	t.Run("delete makes the next read load the new value", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t, 1)
		mustGet(t, c, s, "k")
		s.set("k", 2)
		c.Delete(context.Background(), "k")
		if v := mustGet(t, c, s, "k"); v != 2 {
			t.Errorf("after Delete: got %d, want 2", v)
		}
	})

	t.Run("200 concurrent reads of a cold key load it once", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t, 1)
		release := s.hold()
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for range 200 {
			wg.Go(func() {
				if v, err := c.GetOrLoad(context.Background(), "k", s.loader("k")); err != nil || v != 1 {
					errs <- errors.Join(err, errors.New("wrong value"))
				}
			})
		}
		// The first load waits at the gate while the others pile up.
		waitFor(t, func() bool { return s.loads.Load() > 0 })
		time.Sleep(50 * time.Millisecond)
		release()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n := s.loads.Load(); n != 1 {
			t.Errorf("%d loads for 200 reads, want 1", n)
		}
	})

	t.Run("a delete during a load wins over the loaded value", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t, 1)
		release := s.hold()
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = c.GetOrLoad(context.Background(), "k", s.loader("k"))
		}()
		// The read has loaded 1 and waits; a write commits 2, then drops
		// the key, as CachedStore does.
		waitFor(t, func() bool { return s.loads.Load() > 0 })
		s.set("k", 2)
		c.Delete(context.Background(), "k")
		release()
		<-done
		if v := mustGet(t, c, s, "k"); v != 2 {
			t.Errorf("after the racing write: the cache serves %d, want 2", v)
		}
	})

	t.Run("racing writes and reads end with the last value or nothing", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t, 0)
		var wg sync.WaitGroup
		const writes = 50
		wg.Go(func() {
			for v := 1; v <= writes; v++ {
				s.set("k", v)
				c.Delete(context.Background(), "k")
			}
		})
		for range 8 {
			wg.Go(func() {
				for range 100 {
					_, _ = c.GetOrLoad(context.Background(), "k", s.loader("k"))
				}
			})
		}
		wg.Wait()
		// Holding the last value and holding nothing (the read loads it)
		// are both right; any older value is not.
		if v := mustGet(t, c, s, "k"); v != writes {
			t.Errorf("after the race the cache serves %d, want %d (the last write)", v, writes)
		}
	})
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(time.Millisecond)
	}
}

package cache

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/maypok86/otter/v2"
)

func newTestMemory(t *testing.T, cfg Config, opts ...Option) *Memory[int] {
	t.Helper()
	m, err := NewMemory[int](cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// newTestCache is the cache of this service's backend, for the tests of
// what every backend does.
func newTestCache(t *testing.T, cfg Config, opts ...Option) testCache {
	t.Helper()
	return newTestMemory(t, cfg, opts...)
}

func TestMemory(t *testing.T) {
	t.Parallel()
	testCacheAside(t, func(t *testing.T, cfg Config) testCache { return newTestCache(t, cfg) })
}

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	now atomic.Int64
}

func (c *fakeClock) NowNano() int64 {
	return c.now.Load()
}

// Tick returns no ticks: expired entries are found when read.
func (c *fakeClock) Tick(time.Duration) <-chan time.Time {
	return nil
}

func (c *fakeClock) advance(d time.Duration) {
	c.now.Add(int64(d))
}

func withClock(c otter.Clock) Option {
	return func(o *options) { o.clock = c }
}

func TestMemoryServesAValueForTTL(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{}
	s := newSource()
	s.set("k", 1)
	m := newTestMemory(t, testConfig(), withClock(clock))
	mustGet(t, m, s, "k")
	s.set("k", 2)
	clock.advance(time.Minute - time.Second)
	if v := mustGet(t, m, s, "k"); v != 1 {
		t.Errorf("before TTL: got %d, want the cached 1", v)
	}
	clock.advance(2 * time.Second)
	if v := mustGet(t, m, s, "k"); v != 2 {
		t.Errorf("after TTL: got %d, want the reloaded 2", v)
	}
}

func TestMemoryRemembersNotFoundForNegativeTTL(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{}
	s := newSource()
	m := newTestMemory(t, testConfig(), withClock(clock))
	if _, err := m.GetOrLoad(context.Background(), "k", s.loader("k")); err == nil {
		t.Fatal("a missing key was found")
	}
	s.set("k", 1)
	clock.advance(4 * time.Second)
	if _, err := m.GetOrLoad(context.Background(), "k", s.loader("k")); err == nil {
		t.Error("within NegativeTTL: the remembered not found should be returned")
	}
	clock.advance(2 * time.Second)
	if v := mustGet(t, m, s, "k"); v != 1 {
		t.Errorf("after NegativeTTL: got %d, want 1", v)
	}
	if n := s.loads.Load(); n != 2 {
		t.Errorf("%d loads, want 2", n)
	}
}

func TestMemoryStaysWithinMaxEntries(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.MaxEntries = 10
	s := newSource()
	m := newTestMemory(t, cfg)
	for i := range 1000 {
		key := fmt.Sprint(i)
		s.set(key, i)
		mustGet(t, m, s, key)
	}
	m.local.cache.CleanUp()
	if n := m.local.cache.EstimatedSize(); n > cfg.MaxEntries {
		t.Errorf("%d entries, want at most %d", n, cfg.MaxEntries)
	}
}

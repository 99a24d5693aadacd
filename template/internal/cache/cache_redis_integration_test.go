//go:build integration

package cache

import (
	"context"
	"testing"
	"time"
)

// Redis, not the cache, expires entries: only a real server shows that an
// entry is gone after its TTL (the in-process Redis of the unit tests does
// not let time pass).
func TestRedisEntriesExpireOnTheServer(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.TTL, cfg.NegativeTTL, cfg.MaxEntries = time.Second, time.Second, 0
	r := newTestRedis(t).open(t, cfg)
	s := newSource()
	s.set("k", 1)
	mustGet(t, r, s, "k")
	s.set("k", 2) // a change the cache is not told about
	if v := mustGet(t, r, s, "k"); v != 1 {
		t.Fatalf("within TTL: got %d, want the cached 1", v)
	}
	deadline := time.Now().Add(cfg.TTL + 500*time.Millisecond)
	for r.client.Exists(context.Background(), r.prefix+"k").Val() == 1 {
		if time.Now().After(deadline) {
			t.Fatal("the entry outlived its TTL in Redis")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if v := mustGet(t, r, s, "k"); v != 2 {
		t.Errorf("after TTL: got %d, want the reloaded 2", v)
	}
}

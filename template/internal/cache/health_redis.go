package cache

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// probeInterval is how often an unreachable Redis is tried again.
	probeInterval = 500 * time.Millisecond
	// maxPending bounds the invalidations kept for retry while Redis is
	// unreachable; past it they are dropped, and those entries may be
	// stale for up to TTL.
	maxPending = 10_000
	// flushBatch is how many kept invalidations one round trip retries.
	flushBatch = 500
)

// redisObserver is told what only a cache in Redis does; metrics_redis.go
// records it.
type redisObserver interface {
	// failed counts a failed operation on Redis.
	failed(op string)
	backendUp(up bool)
}

type nopRedisObserver struct{}

func (nopRedisObserver) failed(string)  {}
func (nopRedisObserver) backendUp(bool) {}

// health tracks whether Redis answers. The first failed call turns the
// cache down: reads skip Redis and go to the loader at once, instead of
// each waiting for the timeout, and invalidations are kept. A probe then
// tries Redis every probeInterval; when it answers, the kept invalidations
// are sent and the cache turns up again. Each change is logged once and
// shown by the cache_backend_up metric.
type health struct {
	ok         atomic.Bool
	logger     *slog.Logger
	observer   redisObserver
	ping       func(context.Context) error
	invalidate func(context.Context, ...string) error
	recovered  func() // before the cache turns up again

	mu      sync.Mutex
	pending map[string]struct{}
	dropped int
}

func newHealth[V any](r *Redis[V]) *health {
	return &health{
		logger:   r.logger,
		observer: r.backend,
		ping: func(ctx context.Context) error {
			ctx, cancel := context.WithTimeout(ctx, r.timeout)
			defer cancel()
			return r.client.Ping(ctx).Err()
		},
		invalidate: r.invalidate,
		// The L1 may hold values that other replicas' writes changed while
		// their invalidations could not be published.
		recovered: func() {
			if r.l1 != nil {
				r.l1.invalidateAll()
			}
		},
		pending: map[string]struct{}{},
	}
}

// start tries Redis once, so that a cache whose Redis answers serves from
// the first request; one that does not is logged as down.
func (h *health) start(ctx context.Context) {
	if err := h.ping(ctx); err != nil {
		h.observer.backendUp(false)
		h.logger.WarnContext(ctx, "cache unavailable: reads go to the database until it answers", "error", err)
		return
	}
	h.ok.Store(true)
	h.observer.backendUp(true)
}

func (h *health) up() bool {
	return h.ok.Load()
}

// failed records a failed call to Redis, and turns the cache down.
func (h *health) failed(op string, err error) {
	h.observer.failed(op)
	if h.ok.CompareAndSwap(true, false) {
		h.observer.backendUp(false)
		h.logger.Warn("cache unavailable: reads go to the database until it answers again", "operation", op, "error", err)
	}
}

// retryLater keeps an invalidation that could not be sent.
func (h *health) retryLater(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.pending) >= maxPending {
		h.dropped++
		return
	}
	h.pending[key] = struct{}{}
}

// watch probes Redis while it is down, until ctx is done.
func (h *health) watch(ctx context.Context) {
	tick := time.NewTicker(probeInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if !h.up() && h.ping(ctx) == nil && h.flush(ctx) {
			h.recovered()
			h.ok.Store(true)
			h.observer.backendUp(true)
			h.logger.InfoContext(ctx, "cache available again")
			// Invalidations kept while the first flush ran.
			h.flush(ctx)
		}
	}
}

// flush sends the kept invalidations, a batch per round trip; false when
// Redis fails again.
func (h *health) flush(ctx context.Context) bool {
	for {
		batch := h.nextBatch()
		if len(batch) == 0 {
			break
		}
		if h.invalidate(ctx, batch...) != nil {
			return false
		}
		h.mu.Lock()
		for _, key := range batch {
			delete(h.pending, key)
		}
		h.mu.Unlock()
	}
	h.mu.Lock()
	dropped := h.dropped
	h.dropped = 0
	h.mu.Unlock()
	if dropped > 0 {
		h.logger.WarnContext(ctx, "cache invalidations dropped while Redis was unavailable: those entries may be stale until they expire", "dropped", dropped)
	}
	return true
}

func (h *health) nextBatch() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	batch := make([]string, 0, min(len(h.pending), flushBatch))
	for key := range h.pending {
		if len(batch) == flushBatch {
			break
		}
		batch = append(batch, key)
	}
	return batch
}

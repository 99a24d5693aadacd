package cache

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// pingInterval is how long the invalidation channel may stay silent before
// it is pinged: a connection that died without a word is noticed within
// two intervals.
const pingInterval = time.Second

// l1 is the in-process copy of a Redis cache. Other replicas drop its
// entries by publishing invalidated keys, so it is read only while this
// replica follows the channel: from the subscription's confirmation until
// the connection fails, since a message published in between is lost. It
// is emptied at each new subscription, and whenever Redis answers again
// after an outage.
type l1[V any] struct {
	*local[V]
	ready  atomic.Bool
	mu     sync.Mutex
	pubsub *redis.PubSub // the current subscription, closed by interrupt
}

// usable reports whether the L1 may be read: it exists, follows the
// invalidations, and Redis answers.
func (l *l1[V]) usable(h *health) bool {
	return l != nil && l.ready.Load() && h.up()
}

// follow subscribes to the invalidation channel and applies what it
// receives, subscribing again after each failure, until ctx is done.
func (l *l1[V]) follow(ctx context.Context, r *Redis[V]) {
	for {
		ps := r.client.Subscribe(ctx, r.channel)
		l.mu.Lock()
		l.pubsub = ps
		l.mu.Unlock()
		err := l.receive(ctx, ps, r)
		_ = ps.Close()
		if ctx.Err() != nil {
			return
		}
		l.lost(r, err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(probeInterval):
		}
	}
}

func (l *l1[V]) receive(ctx context.Context, ps *redis.PubSub, r *Redis[V]) error {
	pinged := false
	for ctx.Err() == nil {
		msg, err := ps.ReceiveTimeout(ctx, pingInterval)
		if err != nil {
			var netErr net.Error
			if !errors.As(err, &netErr) || !netErr.Timeout() || pinged {
				return err
			}
			if err := ps.Ping(ctx); err != nil {
				return err
			}
			pinged = true
			continue
		}
		pinged = false
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				l.invalidateAll()
				if !l.ready.Swap(true) {
					r.logger.InfoContext(ctx, "cache L1 follows the invalidations of every replica")
				}
			}
		case *redis.Message:
			l.invalidate(m.Payload)
		}
	}
	return ctx.Err()
}

// lost stops reading the L1 until the next subscription.
func (l *l1[V]) lost(r *Redis[V], err error) {
	l.invalidateAll()
	if l.ready.Swap(false) {
		r.backend.failed("subscribe")
		r.logger.Warn("cache L1 bypassed: invalidations of other replicas cannot be received", "error", err)
	}
}

// interrupt ends the current subscription (for Close).
func (l *l1[V]) interrupt() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pubsub != nil {
		_ = l.pubsub.Close()
	}
}

func (l *l1[V]) invalidateAll() {
	l.cache.InvalidateAll()
}

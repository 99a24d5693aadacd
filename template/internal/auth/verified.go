package auth

import (
	"crypto/sha256"
	"time"

	"github.com/maypok86/otter/v2"
)

// A client sends the same access token with every request for minutes, and
// checking its signature costs several times what the request itself does
// (BenchmarkVerify, BenchmarkAuthentication): the principals of tokens
// verified recently are remembered, by a hash of the token, until the
// token expires and for verifiedTTL at most. Only verified tokens are
// remembered, so forged ones cannot fill the cache.
const (
	verifiedTTL     = time.Minute
	verifiedEntries = 10_000
)

// verified is the principal of a verified token, and when it stops being
// accepted (its exp plus the leeway).
type verified struct {
	principal Principal
	until     time.Time
}

type verifiedTokens struct {
	cache *otter.Cache[[sha256.Size]byte, verified]
}

func newVerifiedTokens() verifiedTokens {
	return verifiedTokens{cache: otter.Must(&otter.Options[[sha256.Size]byte, verified]{
		MaximumSize: verifiedEntries,
		ExpiryCalculator: otter.ExpiryCreatingFunc(func(e otter.Entry[[sha256.Size]byte, verified]) time.Duration {
			return min(time.Until(e.Value.until), verifiedTTL)
		}),
	})}
}

// get returns the principal of raw if it was verified recently and is
// still within its lifetime.
func (v verifiedTokens) get(raw string) (Principal, bool) {
	entry, ok := v.cache.GetIfPresent(sha256.Sum256([]byte(raw)))
	if !ok || !time.Now().Before(entry.until) {
		return Principal{}, false
	}
	return entry.principal, true
}

func (v verifiedTokens) put(raw string, p Principal, until time.Time) {
	v.cache.Set(sha256.Sum256([]byte(raw)), verified{principal: p, until: until})
}

// stop ends the cache's background work.
func (v verifiedTokens) stop() {
	v.cache.StopAllGoroutines()
}

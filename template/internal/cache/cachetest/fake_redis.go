//go:build !integration

package cachetest

import (
	"testing"

	"github.com/alicebob/miniredis/v2"
)

// URL returns the URL of an in-process Redis (miniredis) private to the
// test; the integration tests run the same tests on the real one of
// CACHE_URL.
func URL(t testing.TB) string {
	t.Helper()
	return "redis://" + miniredis.RunT(t).Addr() + "/0"
}

//go:build integration

package cachetest

import (
	"os"
	"testing"
)

// URL returns the CACHE_URL of the Redis the integration tests share. Tests
// keep apart by the namespace of their keys. It fails the test when
// CACHE_URL is unset.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("CACHE_URL")
	if u == "" {
		t.Fatal("CACHE_URL must name a Redis for the integration tests, such as redis://localhost:6379/0")
	}
	return u
}

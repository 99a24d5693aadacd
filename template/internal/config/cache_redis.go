package config

import (
	"net/url"
	"strconv"
	"strings"
)

// isRedisURL reports whether raw is a URL of a Redis server:
// redis://[USER:PASSWORD@]HOST[:PORT][/DB], or rediss:// for TLS, with the
// client's options as query parameters.
func isRedisURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Hostname() == "" {
		return false
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" {
		return true
	}
	n, err := strconv.Atoi(db)
	return err == nil && n >= 0
}

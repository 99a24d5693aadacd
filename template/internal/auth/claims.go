package auth

import (
	"strings"
)

// ClaimPaths names where a token lists strings such as roles: claim paths
// separated by commas, each a claim name or a dotted path into nested
// claims ("realm_access.roles"). A name that itself contains dots, such as
// Auth0's namespaced "https://example.com/roles", is looked up whole first.
type ClaimPaths []string

// ParseClaimPaths splits a comma-separated list of claim paths; empty
// entries are dropped.
func ParseClaimPaths(list string) ClaimPaths {
	var paths ClaimPaths
	for p := range strings.SplitSeq(list, ",") {
		if p = strings.TrimSpace(p); p != "" {
			paths = append(paths, p)
		}
	}
	return paths
}

// strings returns the strings found at every path of claims: a JSON array
// of strings, or one string of space-separated values (as OAuth's scope
// is). Anything else at a path is ignored: a token cannot grant itself a
// role through a claim of the wrong shape.
func (paths ClaimPaths) strings(claims map[string]any) []string {
	var found []string
	for _, path := range paths {
		switch v := lookup(claims, path).(type) {
		case []any:
			for _, item := range v {
				if s, ok := item.(string); ok && s != "" {
					found = append(found, s)
				}
			}
		case string:
			found = append(found, strings.Fields(v)...)
		}
	}
	return found
}

// lookup returns the value at path, or nil.
func lookup(claims map[string]any, path string) any {
	if v, ok := claims[path]; ok {
		return v
	}
	var v any = claims
	for name := range strings.SplitSeq(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[name]
	}
	return v
}

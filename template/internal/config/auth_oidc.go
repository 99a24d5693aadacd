package config

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// Algorithms are the signature algorithms accepted on access tokens.
type Algorithms []string

// asymmetricAlgorithms are the JWS algorithms whose verification key is
// public. The others are refused: "none" signs nothing, and an HMAC key
// would have to be a secret shared with the provider, while the service
// fetches its keys from a public URL.
var asymmetricAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// UnmarshalText reads a comma-separated list of asymmetric algorithms.
func (a *Algorithms) UnmarshalText(text []byte) error {
	var algs Algorithms
	for alg := range strings.SplitSeq(string(text), ",") {
		alg = strings.TrimSpace(alg)
		if !slices.Contains(asymmetricAlgorithms, alg) {
			return fmt.Errorf("%q is not one of %s", alg, strings.Join(asymmetricAlgorithms, ", "))
		}
		algs = append(algs, alg)
	}
	*a = algs
	return nil
}

// isHTTPURL reports whether raw is an absolute http:// or https:// URL.
func isHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// isSecureURL reports whether raw is an https:// URL, or an http:// one on
// a loopback host, where nobody can tamper with what it serves.
func isSecureURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	return u.Scheme == "http" && (host == "localhost" || ip != nil && ip.IsLoopback())
}

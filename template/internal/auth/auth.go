// Package auth says who is calling and what they may do. A verifier turns a
// bearer access token into a Principal: its subject, its roles, and the
// permissions those roles grant (permissions.go). The HTTP layer asks for a
// permission per route and puts the principal into the request's context,
// where handlers, the access log and the traces read it.
package auth

import (
	"context"
	"errors"
	"slices"
)

// ErrInvalidToken is the error of a token that must not be trusted:
// malformed, signed with an unknown key or a refused algorithm, expired, or
// meant for another issuer or audience. The wrapped error says which, for
// the logs; callers are told only that the token is invalid.
var ErrInvalidToken = errors.New("invalid token")

// ErrUnavailable is the error of a verifier that cannot check any token yet:
// it has no keys, because the provider has not answered since start-up.
var ErrUnavailable = errors.New("token verification unavailable")

// Principal is the caller a verified token stands for. Treat it as read
// only: the principal of a token is shared by the requests that carry it.
type Principal struct {
	// Subject identifies the caller at the issuer (the token's sub).
	Subject string
	// TokenID is the token's jti, when it has one: it names one token in
	// logs and audit records without revealing it.
	TokenID string
	// Roles are the token's roles, as the issuer named them.
	Roles []string
	// Permissions are what the roles grant, and any permissions the token
	// grants directly, sorted and without duplicates.
	Permissions []Permission
}

// Can reports whether p holds permission.
func (p Principal) Can(permission Permission) bool {
	_, found := slices.BinarySearch(p.Permissions, permission)
	return found
}

type principalKey struct{}

// WithPrincipal returns a copy of ctx that carries p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of an authenticated request, and false
// when the request was not authenticated.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MaxTokenBytes bounds the tokens a verifier reads: a real access token
// is a few kilobytes at most, and a bigger one is refused before it is
// decoded.
const MaxTokenBytes = 8 << 10

// Rules are what every token must satisfy besides its signature.
type Rules struct {
	// Issuer is the only accepted iss.
	Issuer string
	// Audience must be one of the token's aud.
	Audience string
	// Algorithms are the only accepted signature algorithms (alg). "none"
	// and the HMAC ones are never among them: a public key is not a secret.
	Algorithms []string
	// Leeway is the clock skew allowed on exp, nbf and iat.
	Leeway time.Duration
	// RolesClaim and PermissionsClaim say where the token lists its roles,
	// and the permissions it grants directly.
	RolesClaim, PermissionsClaim ClaimPaths
}

// tokenChecker verifies tokens against Rules with the keys of a key
// function.
type tokenChecker struct {
	parser *jwt.Parser
	rules  Rules
}

func newTokenChecker(rules Rules) tokenChecker {
	return tokenChecker{
		rules: rules,
		parser: jwt.NewParser(
			jwt.WithValidMethods(rules.Algorithms),
			jwt.WithIssuer(rules.Issuer),
			jwt.WithAudience(rules.Audience),
			jwt.WithLeeway(rules.Leeway),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
		),
	}
}

// check verifies raw with the key that keys picks for it, and returns the
// principal it stands for. Every failure wraps ErrInvalidToken.
func (c tokenChecker) check(ctx context.Context, raw string, keys func(context.Context) jwt.Keyfunc) (Principal, error) {
	if len(raw) > MaxTokenBytes {
		return Principal{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidToken, MaxTokenBytes)
	}
	claims := jwt.MapClaims{}
	if _, err := c.parser.ParseWithClaims(raw, claims, keys(ctx)); err != nil {
		return Principal{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	sub, err := claims.GetSubject()
	if err != nil || sub == "" {
		return Principal{}, fmt.Errorf("%w: no subject", ErrInvalidToken)
	}
	// jti is optional; a token without one has no id to log.
	jti, _ := claims["jti"].(string)
	roles := c.rules.RolesClaim.strings(claims)
	return Principal{
		Subject:     sub,
		TokenID:     jti,
		Roles:       roles,
		Permissions: permissionsOf(roles, c.rules.PermissionsClaim.strings(claims)),
	}, nil
}

package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"
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
// principal it stands for, and until when the token is accepted (its exp
// plus the leeway). Every failure wraps ErrInvalidToken. Verify has
// refused tokens over MaxTokenBytes already.
func (c tokenChecker) check(ctx context.Context, raw string, keys func(context.Context) jwt.Keyfunc) (Principal, time.Time, error) {
	claims := jwt.MapClaims{}
	// A token signed with a key not known yet makes the key set fetch the
	// keys again, within the request: not cancelled with it, so that a
	// client hanging up cannot cancel the one fetch the rate limit allows.
	if _, err := c.parser.ParseWithClaims(raw, claims, keys(context.WithoutCancel(ctx))); err != nil {
		return Principal{}, time.Time{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	sub, err := claims.GetSubject()
	if err != nil || sub == "" {
		return Principal{}, time.Time{}, fmt.Errorf("%w: no subject", ErrInvalidToken)
	}
	// An ID or refresh token of the same issuer is not an access token,
	// whatever its audience (Keycloak names the kind in typ; others leave
	// it out).
	if typ, ok := claims["typ"].(string); ok && !strings.EqualFold(typ, "Bearer") {
		return Principal{}, time.Time{}, fmt.Errorf("%w: a %s token, not an access token", ErrInvalidToken, typ)
	}
	// Required and checked by the parser: present and in the future.
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		return Principal{}, time.Time{}, fmt.Errorf("%w: no expiry", ErrInvalidToken)
	}
	// jti is optional; a token without one has no id to log.
	jti, _ := claims["jti"].(string)
	roles := c.rules.RolesClaim.strings(claims)
	// Clipped: the principal of a remembered token is shared by the
	// requests that carry it, and an append must not write into another's.
	return Principal{
		Subject:     sub,
		TokenID:     jti,
		Roles:       slices.Clip(roles),
		Permissions: slices.Clip(permissionsOf(roles, c.rules.PermissionsClaim.strings(claims))),
	}, exp.Add(c.rules.Leeway), nil
}

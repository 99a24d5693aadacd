package auth

import "context"

// VerifySignature verifies raw as Verify does, without the tokens verified
// recently: what the first request with a token costs.
func (o *OIDC) VerifySignature(ctx context.Context, raw string) (Principal, error) {
	keys := o.keys.Load()
	if keys == nil {
		return Principal{}, ErrUnavailable
	}
	p, _, err := o.checker.check(ctx, raw, (*keys).KeyfuncCtx)
	return p, err
}

// Remembers reports whether raw is among the tokens verified recently.
func (o *OIDC) Remembers(raw string) bool {
	_, ok := o.verified.get(raw)
	return ok
}

package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/cenkalti/backoff/v5"
	"golang.org/x/time/rate"
)

// unknownKeyWait is how long a token signed with an unknown key may wait
// for its turn to refresh the keys (OIDCConfig.MinKeyRefresh), and how long
// that refresh may take. Tokens that would wait longer are refused at once:
// a flood of them neither queues up nor reaches the provider.
const unknownKeyWait = 2 * time.Second

// OIDCConfig says which provider issues the tokens and what they must
// satisfy.
type OIDCConfig struct {
	Rules
	// MinKeyRefresh is the least time between two fetches of the provider's
	// keys caused by tokens signed with a key the verifier does not know.
	MinKeyRefresh time.Duration
	// Client makes the calls to the provider (discovery and keys).
	Client *http.Client
	Logger *slog.Logger
}

// OIDC verifies the access tokens of an OpenID Connect provider, with the
// keys its discovery document points to (jwks_uri). The keys are fetched
// again every hour, and when a token names a key id the verifier does not
// know: the provider has rotated its keys.
type OIDC struct {
	cfg      OIDCConfig
	checker  tokenChecker
	verified verifiedTokens
	// keys is nil until the provider has answered once; from then on it
	// stays set, even while the provider is unreachable: the keys fetched
	// last still verify tokens.
	keys    atomic.Pointer[keyfunc.Keyfunc]
	lastErr atomic.Pointer[error]
}

// NewOIDC returns a verifier for the provider of cfg.Rules.Issuer. It
// fetches the provider's discovery document and keys in the background,
// retrying until they come or ctx is done; until then, Verify returns
// ErrUnavailable and Ready an error, so that the service starts and reports
// itself not ready, instead of failing, while the provider is down.
func NewOIDC(ctx context.Context, cfg OIDCConfig) *OIDC {
	o := &OIDC{cfg: cfg, checker: newTokenChecker(cfg.Rules), verified: newVerifiedTokens()}
	context.AfterFunc(ctx, o.verified.stop)
	go o.fetchKeys(ctx)
	return o
}

// Verify returns the principal that raw stands for.
func (o *OIDC) Verify(ctx context.Context, raw string) (Principal, error) {
	if len(raw) > MaxTokenBytes {
		return Principal{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidToken, MaxTokenBytes)
	}
	if p, ok := o.verified.get(raw); ok {
		return p, nil
	}
	keys := o.keys.Load()
	if keys == nil {
		return Principal{}, ErrUnavailable
	}
	p, until, err := o.checker.check(ctx, raw, (*keys).KeyfuncCtx)
	if err != nil {
		return Principal{}, err
	}
	o.verified.put(raw, p, until)
	return p, nil
}

// Ready reports whether the verifier has keys: an error until the provider
// first answered, nil ever after.
func (o *OIDC) Ready(context.Context) error {
	if o.keys.Load() != nil {
		return nil
	}
	if err := o.lastErr.Load(); err != nil {
		return fmt.Errorf("no keys from the OIDC provider yet: %w", *err)
	}
	return errors.New("no keys from the OIDC provider yet")
}

// fetchKeys discovers the provider's keys and fetches them, retrying with
// backoff.
func (o *OIDC) fetchKeys(ctx context.Context) {
	keys, err := backoff.Retry(ctx, func() (keyfunc.Keyfunc, error) {
		keys, err := o.discover(ctx)
		if err != nil {
			o.lastErr.Store(&err)
			o.cfg.Logger.WarnContext(ctx, "OIDC provider unreachable; retrying", "issuer", o.cfg.Issuer, "error", err)
		}
		return keys, err
	}, backoff.WithMaxElapsedTime(0), backoff.WithBackOff(&backoff.ExponentialBackOff{
		InitialInterval:     500 * time.Millisecond,
		RandomizationFactor: 0.5,
		Multiplier:          2,
		MaxInterval:         30 * time.Second,
	}))
	if err != nil {
		return // ctx is done: the service is stopping
	}
	o.keys.Store(&keys)
	o.cfg.Logger.InfoContext(ctx, "OIDC provider keys fetched", "issuer", o.cfg.Issuer)
}

// discover reads the provider's discovery document, checks that it is the
// configured issuer's, and fetches the keys it points to. The keys are
// refreshed in the background until ctx is done.
func (o *OIDC) discover(ctx context.Context) (keyfunc.Keyfunc, error) {
	jwksURI, err := o.jwksURI(ctx)
	if err != nil {
		return nil, err
	}
	// The key set starts its refreshing before its first fetch: an attempt
	// that fails must stop it, or every retry would leave one behind.
	attempt, cancel := context.WithCancel(ctx)
	firstMustSucceed := false
	keys, err := keyfunc.NewDefaultOverrideCtx(attempt, []string{jwksURI}, keyfunc.Override{
		Client:                    o.cfg.Client,
		HTTPTimeout:               10 * time.Second,
		NoErrorReturnFirstHTTPReq: &firstMustSucceed,
		RateLimitWaitMax:          unknownKeyWait,
		RefreshUnknownKID:         rate.NewLimiter(rate.Every(o.cfg.MinKeyRefresh), 1),
		RefreshErrorHandlerFunc: func(url string) func(context.Context, error) {
			return func(ctx context.Context, err error) {
				o.cfg.Logger.WarnContext(ctx, "fetching the OIDC provider's keys", "url", url, "error", err)
			}
		},
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("fetching the keys at %s: %w", jwksURI, err)
	}
	context.AfterFunc(ctx, cancel)
	return keys, nil
}

// jwksURI reads jwks_uri from the issuer's discovery document.
func (o *OIDC) jwksURI(ctx context.Context) (string, error) {
	url := strings.TrimSuffix(o.cfg.Issuer, "/") + "/.well-known/openid-configuration"
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := o.cfg.Client.Do(req)
	if err != nil {
		return "", fmt.Errorf("discovery: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("discovery: %s answered %s", url, resp.Status)
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return "", fmt.Errorf("discovery: %s: %w", url, err)
	}
	// OpenID Connect Discovery 1.0, section 4.3: the document must name the
	// issuer it was fetched for, exactly, or its keys are not that issuer's.
	if doc.Issuer != o.cfg.Issuer {
		return "", fmt.Errorf("discovery: %s names the issuer %q, not %q", url, doc.Issuer, o.cfg.Issuer)
	}
	if doc.JWKSURI == "" {
		return "", fmt.Errorf("discovery: %s names no jwks_uri", url)
	}
	return doc.JWKSURI, nil
}

// Package authtest is an OpenID Connect provider in the test process: an
// httptest server that serves a discovery document and a JWKS, and signs
// tokens with the matching private keys, or with anything an attacker
// would try. Integration tests use a real provider (keycloaktest).
package authtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// Audience is the aud of the tokens that Claims makes.
const Audience = "api"

// Issuer is the in-process provider.
type Issuer struct {
	// URL is the issuer, as tokens name it in iss.
	URL    string
	alg    string
	server *httptest.Server

	mu       sync.Mutex
	keys     []signingKey // the last one signs
	fetches  atomic.Int64
	failKeys atomic.Bool
}

// signingKey is one key pair of the issuer, named by its kid.
type signingKey struct {
	kid     string
	private crypto.Signer
}

// NewIssuer starts a provider that signs with alg (EdDSA, ES256 or RS256)
// for the duration of the test.
func NewIssuer(t testing.TB, alg string) *Issuer {
	t.Helper()
	iss, err := Start(alg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	return iss
}

// Start starts a provider that signs with alg, until Close: for tests that
// share one provider.
func Start(alg string) (*Issuer, error) {
	iss := &Issuer{alg: alg}
	if err := iss.rotate(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	iss.server = httptest.NewServer(mux)
	iss.URL = iss.server.URL + "/realms/test"
	mux.HandleFunc("GET /realms/test/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]string{"issuer": iss.URL, "jwks_uri": iss.URL + "/certs"})
	})
	mux.HandleFunc("GET /realms/test/certs", func(w http.ResponseWriter, _ *http.Request) {
		iss.fetches.Add(1)
		if iss.failKeys.Load() {
			http.Error(w, "keys unavailable", http.StatusServiceUnavailable)
			return
		}
		set, err := iss.jwks()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, set)
	})
	return iss, nil
}

// Close stops the provider.
func (iss *Issuer) Close() {
	iss.server.Close()
}

// Rotate adds a new key, which signs the tokens from now on. The old keys
// stay published, as providers keep them until the tokens they signed expire.
func (iss *Issuer) Rotate(t testing.TB) {
	t.Helper()
	if err := iss.rotate(); err != nil {
		t.Fatal(err)
	}
}

func (iss *Issuer) rotate() error {
	key, err := newKey(iss.alg)
	if err != nil {
		return err
	}
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.keys = append(iss.keys, signingKey{kid: rand.Text(), private: key})
	return nil
}

// FailKeys makes the JWKS answer 503 (fail) or the keys again.
func (iss *Issuer) FailKeys(fail bool) {
	iss.failKeys.Store(fail)
}

// KeyFetches counts the requests for the JWKS so far.
func (iss *Issuer) KeyFetches() int64 {
	return iss.fetches.Load()
}

// Claims returns the claims of a valid token of subject with roles in
// Keycloak's realm_access.roles, valid for five minutes.
func (iss *Issuer) Claims(subject string, roles ...string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss":          iss.URL,
		"aud":          Audience,
		"sub":          subject,
		"jti":          rand.Text(),
		"iat":          now.Unix(),
		"nbf":          now.Unix(),
		"exp":          now.Add(5 * time.Minute).Unix(),
		"realm_access": map[string]any{"roles": roles},
	}
}

// Token signs claims with the current key.
func (iss *Issuer) Token(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	key := iss.current()
	return Sign(t, jwt.GetSigningMethod(iss.alg), key.private, key.kid, claims)
}

// PublicKey returns the current key's public half, which an attacker knows.
func (iss *Issuer) PublicKey() crypto.PublicKey {
	return iss.current().private.Public()
}

func (iss *Issuer) current() signingKey {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	return iss.keys[len(iss.keys)-1]
}

// Sign signs claims with method and key, under kid: any token at all,
// valid or forged.
func Sign(t testing.TB, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	token := jwt.NewWithClaims(method, claims)
	if kid != "" {
		token.Header["kid"] = kid
	}
	raw, err := token.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// NewKey returns a fresh private key for alg: EdDSA, ES256 or RS256.
func NewKey(t testing.TB, alg string) crypto.Signer {
	t.Helper()
	key, err := newKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func newKey(alg string) (crypto.Signer, error) {
	switch alg {
	case "EdDSA":
		_, key, err := ed25519.GenerateKey(rand.Reader)
		return key, err
	case "ES256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "RS256":
		return rsa.GenerateKey(rand.Reader, 2048)
	}
	return nil, fmt.Errorf("authtest: no keys for %q", alg)
}

// jwks is the issuer's JWK Set: the public keys, each with its kid and alg.
func (iss *Issuer) jwks() (jwkset.JWKSMarshal, error) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	var set jwkset.JWKSMarshal
	for _, k := range iss.keys {
		jwk, err := jwkset.NewJWKFromKey(k.private.Public(), jwkset.JWKOptions{
			Metadata: jwkset.JWKMetadataOptions{KID: k.kid, ALG: jwkset.ALG(iss.alg), USE: jwkset.UseSig},
		})
		if err != nil {
			return set, err
		}
		set.Keys = append(set.Keys, jwk.Marshal())
	}
	return set, nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

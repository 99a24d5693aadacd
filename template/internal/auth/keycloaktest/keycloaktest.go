//go:build integration

// Package keycloaktest gives integration tests a realm of their own in a real
// Keycloak, the one KEYCLOAK_URL names, through its admin REST API: users and
// roles, a client that obtains tokens with both the password and the client
// credentials grants, and key rotation. Tests keep apart by realm, so they
// may run in parallel against one Keycloak. Unit tests use the in-process
// provider (authtest) instead.
package keycloaktest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ClientID is the confidential client of every realm, which the tests
// obtain their tokens with.
const ClientID = "tests"

// Admin is a session with the admin REST API, as the admin that
// KEYCLOAK_URL names.
type Admin struct {
	base     string // scheme://host:port, without the credentials
	user     string
	password string
	client   *http.Client

	mu     sync.Mutex
	token  string
	expiry time.Time
}

// Connect logs in to the Keycloak that KEYCLOAK_URL names,
// http://USER:PASSWORD@HOST:PORT with the credentials of an admin of its
// master realm. It fails the test when KEYCLOAK_URL is unset or the login
// fails.
func Connect(t testing.TB) *Admin {
	t.Helper()
	raw := os.Getenv("KEYCLOAK_URL")
	if raw == "" {
		t.Fatal("KEYCLOAK_URL must name a Keycloak for the integration tests, with the credentials of " +
			"an admin of its master realm, such as http://admin:password@localhost:8180")
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil || u.Host == "" {
		t.Fatalf("KEYCLOAK_URL must look like http://admin:password@localhost:8180, not %q", raw)
	}
	password, _ := u.User.Password()
	a := &Admin{
		base:     u.Scheme + "://" + u.Host + strings.TrimSuffix(u.Path, "/"),
		user:     u.User.Username(),
		password: password,
		client:   &http.Client{Timeout: 30 * time.Second},
	}
	if _, err := a.accessToken(); err != nil {
		t.Fatalf("logging in to Keycloak at %s as %s: %v", a.base, a.user, err)
	}
	return a
}

// accessToken returns the admin's token, obtained again shortly before it
// expires: the master realm's tokens live one minute, less than many tests.
func (a *Admin) accessToken() (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token != "" && time.Now().Before(a.expiry) {
		return a.token, nil
	}
	tok, err := a.grant(a.base+"/realms/master", url.Values{
		"grant_type": {"password"},
		"client_id":  {"admin-cli"},
		"username":   {a.user},
		"password":   {a.password},
	})
	if err != nil {
		return "", err
	}
	a.token = tok.AccessToken
	a.expiry = time.Now().Add(time.Duration(tok.ExpiresIn)*time.Second - 10*time.Second)
	return a.token, nil
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
}

// grant asks the token endpoint of issuer for a token.
func (a *Admin) grant(issuer string, form url.Values) (tokenResponse, error) {
	var tok tokenResponse
	// Not the test's context: the cleanup, which runs after it is
	// cancelled, calls Keycloak too. The client's timeout bounds each call.
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost,
		issuer+"/protocol/openid-connect/token", strings.NewReader(form.Encode()))
	if err != nil {
		return tok, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	err = a.send(req, &tok)
	if err == nil && tok.AccessToken == "" {
		err = fmt.Errorf("%s %s: no access_token in the answer", req.Method, req.URL)
	}
	return tok, err
}

// send sends req and decodes the answer's JSON into out, if not nil.
func (a *Admin) send(req *http.Request, out any) error {
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s %s: %s: %s", req.Method, req.URL.Path, resp.Status, body)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(body, out)
}

// call sends a request to the admin REST API (path under /admin/realms)
// with in as its JSON body, if not nil, and decodes the answer into out.
func (a *Admin) call(method, path string, in, out any) error {
	token, err := a.accessToken()
	if err != nil {
		return err
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, a.base+"/admin/realms"+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return a.send(req, out)
}

// RealmSpec is what a realm holds besides its client.
type RealmSpec struct {
	// Audience is the API's audience: a client of that name (bearer-only,
	// it only receives tokens), which the access tokens of the tests'
	// client name in aud. Empty: no such client, no such aud.
	Audience string
	// Roles are the realm roles.
	Roles []string
	Users []User
	// ServiceAccountRoles are the realm roles of the client's service
	// account: the roles of its client credentials tokens.
	ServiceAccountRoles []string
	// AccessTokenLifespan is how long access tokens are valid (whole
	// seconds); 0 keeps Keycloak's default, five minutes.
	AccessTokenLifespan time.Duration
}

// User is a user of a realm, with a password and realm roles.
type User struct {
	Name     string
	Password string
	Roles    []string
}

// Realm is a realm of one test, deleted when the test ends.
type Realm struct {
	Name string
	// ClientSecret is the secret of the client ClientID.
	ClientSecret string
	admin        *Admin
}

// NewRealm creates a realm of a unique name, as spec says, which the test's
// cleanup deletes.
func (a *Admin) NewRealm(t testing.TB, spec RealmSpec) *Realm {
	t.Helper()
	r := &Realm{
		Name:         "test-" + strings.ToLower(rand.Text()[:12]),
		ClientSecret: rand.Text(),
		admin:        a,
	}
	client := map[string]any{
		"clientId":                  ClientID,
		"secret":                    r.ClientSecret,
		"publicClient":              false,
		"standardFlowEnabled":       false,
		"directAccessGrantsEnabled": true,
		"serviceAccountsEnabled":    true,
	}
	clients := []any{client}
	if spec.Audience != "" {
		clients = append(clients, map[string]any{"clientId": spec.Audience, "bearerOnly": true})
		client["protocolMappers"] = []any{map[string]any{
			"name":           "audience",
			"protocol":       "openid-connect",
			"protocolMapper": "oidc-audience-mapper",
			"config": map[string]string{
				"included.client.audience": spec.Audience,
				"access.token.claim":       "true",
			},
		}}
	}
	roles := []any{}
	for _, name := range spec.Roles {
		roles = append(roles, map[string]string{"name": name})
	}
	users := []any{}
	for _, u := range spec.Users {
		users = append(users, map[string]any{
			"username": u.Name,
			"enabled":  true,
			// Keycloak's user profile requires these: without them a
			// password grant fails ("Account is not fully set up").
			"email":         u.Name + "@example.com",
			"emailVerified": true,
			"firstName":     u.Name,
			"lastName":      "Test",
			"credentials":   []any{map[string]any{"type": "password", "value": u.Password, "temporary": false}},
			"realmRoles":    u.Roles,
		})
	}
	// The service account's user, as Keycloak exports it: the import gives
	// it its roles.
	users = append(users, map[string]any{
		"username":               "service-account-" + ClientID,
		"enabled":                true,
		"serviceAccountClientId": ClientID,
		"realmRoles":             spec.ServiceAccountRoles,
	})
	realm := map[string]any{
		// The id is the name, which key components name as their parent.
		"id":      r.Name,
		"realm":   r.Name,
		"enabled": true,
		// Plain HTTP also when Keycloak is not on loopback.
		"sslRequired": "none",
		"roles":       map[string]any{"realm": roles},
		"clients":     clients,
		"users":       users,
	}
	if spec.AccessTokenLifespan > 0 {
		realm["accessTokenLifespan"] = int(spec.AccessTokenLifespan.Seconds())
	}
	if err := a.call(http.MethodPost, "", realm, nil); err != nil {
		t.Fatalf("creating realm %s: %v", r.Name, err)
	}
	t.Cleanup(func() {
		if err := a.call(http.MethodDelete, "/"+r.Name, nil, nil); err != nil {
			t.Errorf("deleting realm %s: %v", r.Name, err)
		}
	})
	return r
}

// Issuer returns the realm's issuer URL, as its tokens name it in iss (when
// they are obtained through the same address).
func (r *Realm) Issuer() string {
	return r.admin.base + "/realms/" + r.Name
}

// PasswordToken returns an access token of user, obtained with the password
// grant.
func (r *Realm) PasswordToken(t testing.TB, user, password string) string {
	t.Helper()
	return r.token(t, url.Values{"grant_type": {"password"}, "username": {user}, "password": {password}})
}

// ClientToken returns an access token of the client's service account,
// obtained with the client credentials grant.
func (r *Realm) ClientToken(t testing.TB) string {
	t.Helper()
	return r.token(t, url.Values{"grant_type": {"client_credentials"}})
}

func (r *Realm) token(t testing.TB, form url.Values) string {
	t.Helper()
	form.Set("client_id", ClientID)
	form.Set("client_secret", r.ClientSecret)
	tok, err := r.admin.grant(r.Issuer(), form)
	if err != nil {
		t.Fatalf("realm %s: %s grant: %v", r.Name, form.Get("grant_type"), err)
	}
	return tok.AccessToken
}

// RotateKey adds an RSA signing key with a higher priority than any other,
// and returns its kid: the realm signs new tokens with it, while the
// previous keys stay active, in the JWKS, so tokens they signed still
// verify (as after a rotation in production, until they expire).
func (r *Realm) RotateKey(t testing.TB) string {
	t.Helper()
	var top int64
	for _, k := range r.keys(t).Keys {
		top = max(top, k.Priority)
	}
	priority := strconv.FormatInt(top+1, 10)
	component := map[string]any{
		"name":         "rotated-" + priority,
		"providerId":   "rsa-generated",
		"providerType": "org.keycloak.keys.KeyProvider",
		"parentId":     r.Name,
		"config": map[string][]string{
			"priority":  {priority},
			"enabled":   {"true"},
			"active":    {"true"},
			"algorithm": {"RS256"},
			"keySize":   {"2048"},
		},
	}
	if err := r.admin.call(http.MethodPost, "/"+r.Name+"/components", component, nil); err != nil {
		t.Fatalf("realm %s: adding a key: %v", r.Name, err)
	}
	return r.keys(t).Active["RS256"]
}

// realmKeys is the admin API's view of a realm's keys: every key, and the
// kid that signs for each algorithm.
type realmKeys struct {
	Active map[string]string `json:"active"`
	Keys   []struct {
		KID      string `json:"kid"`
		Priority int64  `json:"providerPriority"`
	} `json:"keys"`
}

func (r *Realm) keys(t testing.TB) realmKeys {
	t.Helper()
	var keys realmKeys
	if err := r.admin.call(http.MethodGet, "/"+r.Name+"/keys", nil, &keys); err != nil {
		t.Fatalf("realm %s: listing keys: %v", r.Name, err)
	}
	return keys
}

// KeyIDs returns the kids of the signing keys in the realm's JWKS, which
// verifiers fetch.
func (r *Realm) KeyIDs(t testing.TB) []string {
	t.Helper()
	var set struct {
		Keys []struct {
			KID string `json:"kid"`
			Use string `json:"use"`
		} `json:"keys"`
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet,
		r.Issuer()+"/protocol/openid-connect/certs", nil)
	if err == nil {
		err = r.admin.send(req, &set)
	}
	if err != nil {
		t.Fatalf("realm %s: fetching the JWKS: %v", r.Name, err)
	}
	var kids []string
	for _, k := range set.Keys {
		if k.Use == "" || k.Use == "sig" {
			kids = append(kids, k.KID)
		}
	}
	return kids
}

// SetAccessTokenLifespan changes how long the realm's new access tokens are
// valid (whole seconds, at least one).
func (r *Realm) SetAccessTokenLifespan(t testing.TB, d time.Duration) {
	t.Helper()
	update := map[string]any{"accessTokenLifespan": max(1, int(d.Seconds()))}
	if err := r.admin.call(http.MethodPut, "/"+r.Name, update, nil); err != nil {
		t.Fatalf("realm %s: setting the access token lifespan: %v", r.Name, err)
	}
}

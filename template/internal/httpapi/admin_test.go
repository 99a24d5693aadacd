package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func adminGet(h http.Handler, path, authorization string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestProfilerNeedsTheTokenWhenOneIsSet(t *testing.T) {
	t.Parallel()
	// ProfilerOpen does not lift the token: a token set in dev is required too.
	admin := NewAdmin(Admin{ProfilerToken: "0123456789abcdef", ProfilerOpen: true})
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/symbol"} {
		for _, auth := range []string{"", "Bearer wrong-token-0123456", "Basic MDEyMzQ1Njc4OWFiY2RlZg==", "Bearer 0123456789abcdef0"} {
			rec := adminGet(admin, path, auth)
			if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("%s with %q: got %d, want 401 with WWW-Authenticate", path, auth, rec.Code)
			}
		}
		if rec := adminGet(admin, path, "Bearer 0123456789abcdef"); rec.Code != http.StatusOK {
			t.Errorf("%s with the token: got %d %s", path, rec.Code, rec.Body)
		}
	}
}

func TestProfilerOpenOnlyWhenAskedFor(t *testing.T) {
	t.Parallel()
	if rec := adminGet(NewAdmin(Admin{ProfilerOpen: true}), "/debug/pprof/", ""); rec.Code != http.StatusOK {
		t.Errorf("open profiler: got %d", rec.Code)
	}
	if rec := adminGet(NewAdmin(Admin{}), "/debug/pprof/", ""); rec.Code != http.StatusNotFound {
		t.Errorf("profiler neither open nor with a token: got %d, want 404", rec.Code)
	}
}

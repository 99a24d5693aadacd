package httpapi

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"
)

// checkTimeout bounds each readiness check, so that one stuck dependency
// cannot hold the probe past the orchestrator's own timeout.
const checkTimeout = time.Second

// Check is one named dependency check of /readyz.
type Check struct {
	Name  string
	Check func(context.Context) error
}

// Readiness answers /readyz: ready while every check passes, and not ready
// from the moment shutdown begins: during SHUTDOWN_DELAY load balancers see
// the 503 and stop sending new requests before the listener closes.
type Readiness struct {
	checks   []Check
	draining atomic.Bool
}

// NewReadiness returns a Readiness running the given checks.
func NewReadiness(checks ...Check) *Readiness {
	return &Readiness{checks: checks}
}

// Drain marks the service as shutting down: /readyz answers 503 from now on.
func (rd *Readiness) Drain() {
	rd.draining.Store(true)
}

type checkResult struct {
	Name       string  `json:"name"`
	Status     string  `json:"status"`
	DurationMS float64 `json:"duration_ms"`
	Error      string  `json:"error,omitempty"`
}

type readinessReport struct {
	Status string        `json:"status"`
	Checks []checkResult `json:"checks"`
}

// report runs every check, each under its own timeout.
func (rd *Readiness) report(ctx context.Context) (readinessReport, bool) {
	if rd.draining.Load() {
		return readinessReport{Status: "shutting down", Checks: []checkResult{}}, false
	}
	ready := true
	results := make([]checkResult, 0, len(rd.checks))
	for _, c := range rd.checks {
		checkCtx, cancel := context.WithTimeout(ctx, checkTimeout)
		start := time.Now()
		err := c.Check(checkCtx)
		cancel()
		res := checkResult{Name: c.Name, Status: "ok", DurationMS: float64(time.Since(start).Microseconds()) / 1000}
		if err != nil {
			ready = false
			res.Status, res.Error = "failing", err.Error()
		}
		results = append(results, res)
	}
	status := "ready"
	if !ready {
		status = "not ready"
	}
	return readinessReport{Status: status, Checks: results}, ready
}

// handleHealthz answers the liveness probe: the process is up and serving.
// It checks no dependency, so a database outage never gets the service
// restarted in a loop.
func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		encode(w, r, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// handleReadyz answers the readiness probe with every check's result.
func handleReadyz(rd *Readiness) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		report, ready := rd.report(r.Context())
		status := http.StatusOK
		if !ready {
			status = http.StatusServiceUnavailable
		}
		encode(w, r, status, report)
	})
}

package httpapi

import (
	"context"
	"log/slog"
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
//
// The response names the failing checks but never says why: any client of
// the API port can read it, and a driver's error names hosts and ports. The
// cause goes to the log instead, once when a check starts failing and once
// when it passes again, so that a probe every few seconds does not flood it.
type Readiness struct {
	logger   *slog.Logger
	checks   []Check
	failing  []atomic.Bool // per check: whether its last run failed
	draining atomic.Bool
}

// NewReadiness returns a Readiness running the given checks and logging
// their changes of state to logger.
func NewReadiness(logger *slog.Logger, checks ...Check) *Readiness {
	return &Readiness{logger: logger, checks: checks, failing: make([]atomic.Bool, len(checks))}
}

// Drain marks the service as shutting down: /readyz answers 503 from now on.
func (rd *Readiness) Drain() {
	rd.draining.Store(true)
}

type checkResult struct {
	Name       string  `json:"name"`
	Status     string  `json:"status"`
	DurationMS float64 `json:"duration_ms"`
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
	for i, c := range rd.checks {
		checkCtx, cancel := context.WithTimeout(ctx, checkTimeout)
		start := time.Now()
		err := c.Check(checkCtx)
		cancel()
		res := checkResult{Name: c.Name, Status: "ok", DurationMS: float64(time.Since(start).Microseconds()) / 1000}
		if err != nil {
			ready = false
			res.Status = "failing"
		}
		// A probe whose client gave up first says nothing of the dependency.
		if ctx.Err() == nil {
			rd.logChange(ctx, i, err)
		}
		results = append(results, res)
	}
	status := "ready"
	if !ready {
		status = "not ready"
	}
	return readinessReport{Status: status, Checks: results}, ready
}

// logChange logs check i's result when it differs from the previous one.
// Concurrent probes may both see the same change; one of them logs it.
func (rd *Readiness) logChange(ctx context.Context, i int, err error) {
	if rd.failing[i].Swap(err != nil) == (err != nil) {
		return
	}
	name := rd.checks[i].Name
	if err != nil {
		rd.logger.WarnContext(ctx, "readiness check failing", "check", name, "error", err)
		return
	}
	rd.logger.InfoContext(ctx, "readiness check passing again", "check", name)
}

// handleHealthz answers the liveness probe: the process is up and serving.
// It checks no dependency, so a database outage never gets the service
// restarted in a loop. Its answer never changes, so it is encoded once.
func handleHealthz() http.Handler {
	body := []byte(`{"status":"ok"}` + "\n")
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body) // a failed write means the client left
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

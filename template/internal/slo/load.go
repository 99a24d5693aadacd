package slo

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Result is one request of a load test.
type Result struct {
	Code    int // the HTTP status; 0 when no response arrived
	Latency time.Duration
	Error   string
}

// Verdict is one objective, measured by a load test.
type Verdict struct {
	Objective string // availability or latency
	Good      int    // requests that met it
	Total     int
	Target    Objective
	// What a good request is, for people.
	Meaning string
}

// Met reports whether the load test met the objective.
func (v Verdict) Met() bool {
	return v.Target.Met(v.Good, v.Total)
}

// Measured is the share of good requests, in percent.
func (v Verdict) Measured() float64 {
	if v.Total == 0 {
		return 0
	}
	return 100 * float64(v.Good) / float64(v.Total)
}

func (v Verdict) String() string {
	state := "met"
	if !v.Met() {
		state = "MISSED"
	}
	return fmt.Sprintf("%s objective %s: %s of %d requests %s (objective %s)",
		v.Objective, state, measured(v.Measured()), v.Total, v.Meaning, v.Target)
}

// Check measures the objectives of s on the results of a load test. A
// request that got no response (refused, timed out) counts against both.
func (s Spec) Check(results []Result) []Verdict {
	available, fast := 0, 0
	for _, r := range results {
		if r.Code == 0 {
			continue
		}
		if r.Code < 500 {
			available++
		}
		if r.Latency <= s.Threshold {
			fast++
		}
	}
	return []Verdict{
		{
			Objective: "availability", Good: available, Total: len(results), Target: s.Availability,
			Meaning: "answered without a 5xx status",
		},
		{
			Objective: "latency", Good: fast, Total: len(results), Target: s.Latency,
			Meaning: "answered within " + s.Threshold.String(),
		},
	}
}

// Quantiles returns the latencies at the quantiles qs (0.5, 0.99, 1) of
// the results that got a response.
func Quantiles(results []Result, qs ...float64) []time.Duration {
	var latencies []time.Duration
	for _, r := range results {
		if r.Code != 0 {
			latencies = append(latencies, r.Latency)
		}
	}
	out := make([]time.Duration, len(qs))
	if len(latencies) == 0 {
		return out
	}
	slices.Sort(latencies)
	for i, q := range qs {
		// The nearest-rank quantile: the smallest latency that q of the
		// requests do not exceed.
		rank := int(math.Ceil(q * float64(len(latencies))))
		out[i] = latencies[max(rank, 1)-1]
	}
	return out
}

// measured formats a measured share without claiming more precision than
// the count has: 99.95% stays below 100%.
func measured(pct float64) string {
	s := fmt.Sprintf("%.2f%%", pct)
	if s == "100.00%" && pct < 100 {
		return "99.99%"
	}
	return s
}

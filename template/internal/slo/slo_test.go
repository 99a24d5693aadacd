package slo

import (
	"strings"
	"testing"
	"time"
)

const testSpec = `
job: svc
period: 30d
objectives:
  availability:
    target: 99.9
  latency:
    target: 99
    threshold: 300ms
alerts:
  - {long: 1h, short: 5m, burn_rate: 14.4, for: 2m, severity: critical}
  - {long: 3d, short: 6h, burn_rate: 1, for: 3h, severity: warning}
load:
  targets:
    - GET /healthz
  profiles:
    default: {rate: 50, duration: 1m30s}
`

func TestTheServiceSLOFileParses(t *testing.T) {
	spec, err := Read("../../slo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := spec.Profile("smoke"); err != nil {
		t.Error(err)
	}
}

func TestParse(t *testing.T) {
	spec, err := Parse([]byte(testSpec))
	if err != nil {
		t.Fatal(err)
	}
	if spec.Job != "svc" || spec.Period.Value != 30*24*time.Hour || spec.Threshold != 300*time.Millisecond {
		t.Errorf("job %q, period %v, threshold %v", spec.Job, spec.Period, spec.Threshold)
	}
	if got := spec.Availability.Budget(); got != 0.001 {
		t.Errorf("availability budget = %v, want 0.001", got)
	}
	if got := spec.Alerts[1]; got.Long.Text != "3d" || got.Short.Value != 6*time.Hour || got.BurnRate != 1 {
		t.Errorf("second alert = %+v", got)
	}
	if got := spec.Load.Targets; len(got) != 1 || got[0] != (Target{Method: "GET", Path: "/healthz"}) {
		t.Errorf("targets = %+v", got)
	}
	profile, err := spec.Profile("default")
	if err != nil || profile != (Profile{Rate: 50, Duration: 90 * time.Second}) {
		t.Errorf("default profile = %+v, %v", profile, err)
	}
	if _, err := spec.Profile("soak"); err == nil || !strings.Contains(err.Error(), "it has default") {
		t.Errorf("unknown profile: %v", err)
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	bad := strings.NewReplacer(
		"job: svc", "job: ''",
		"target: 99.9", "target: 100",
		"threshold: 300ms", "threshold: 300",
		"short: 5m", "short: 2h",
		"GET /healthz", "/healthz",
		"rate: 50", "rate: 0",
	).Replace(testSpec)
	_, err := Parse([]byte(bad))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"job: must name",
		"objectives.availability.target: must be a percentage",
		`objectives.latency.threshold: "300" is not a duration`,
		"alerts[0].short: must be shorter than long",
		`load.targets[0]: "/healthz" is not "METHOD /path"`,
		"load.profiles.default.rate: must be a positive number",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q: %v", want, err)
		}
	}
}

func TestParseRejectsUnknownFields(t *testing.T) {
	if _, err := Parse([]byte(testSpec + "extra: 1\n")); err == nil {
		t.Error("an unknown field was accepted")
	}
}

func TestParseDuration(t *testing.T) {
	for text, want := range map[string]time.Duration{
		"300ms": 300 * time.Millisecond,
		"5m":    5 * time.Minute,
		"1h30m": 90 * time.Minute,
		"3d":    72 * time.Hour,
		"1w":    7 * 24 * time.Hour,
	} {
		if got, err := parseDuration(text); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", text, got, err, want)
		}
	}
	for _, text := range []string{"", "5", "m", "1.5h", "0s", "5x"} {
		if _, err := parseDuration(text); err == nil {
			t.Errorf("parseDuration(%q) succeeded", text)
		}
	}
}

func TestCheck(t *testing.T) {
	spec, err := Parse([]byte(testSpec))
	if err != nil {
		t.Fatal(err)
	}
	// Of 1000 requests, one fast 503 (99.9% available: met) and 11 slow
	// 200s (98.9% within 300ms: missed).
	results := make([]Result, 0, 1000)
	for range 988 {
		results = append(results, Result{Code: 200, Latency: 10 * time.Millisecond})
	}
	results = append(results, Result{Code: 503, Latency: time.Millisecond})
	for range 11 {
		results = append(results, Result{Code: 200, Latency: 301 * time.Millisecond})
	}
	availability, latency := verdicts(t, spec, results)
	if availability.Good != 999 || !availability.Met() {
		t.Errorf("availability: %v", availability)
	}
	if latency.Good != 989 || latency.Met() {
		t.Errorf("latency: %v", latency)
	}
	want := "latency objective MISSED: 98.90% of 1000 requests answered within 300ms (objective 99%)"
	if latency.String() != want {
		t.Errorf("got  %s\nwant %s", latency, want)
	}

	// A request without an answer counts against both objectives.
	results[0] = Result{Error: "connection refused"}
	availability, latency = verdicts(t, spec, results)
	if availability.Good != 998 || availability.Met() || latency.Good != 988 {
		t.Errorf("without an answer: %v; %v", availability, latency)
	}
}

func verdicts(t *testing.T, spec Spec, results []Result) (availability, latency Verdict) {
	t.Helper()
	v := spec.Check(results)
	if len(v) != 2 {
		t.Fatalf("%d verdicts", len(v))
	}
	return v[0], v[1]
}

func TestQuantiles(t *testing.T) {
	var results []Result
	for i := 1; i <= 100; i++ {
		results = append(results, Result{Code: 200, Latency: time.Duration(i) * time.Millisecond})
	}
	results = append(results, Result{Error: "timeout", Latency: time.Hour})
	got := Quantiles(results, 0.5, 0.99, 1)
	want := []time.Duration{50 * time.Millisecond, 99 * time.Millisecond, 100 * time.Millisecond}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("quantiles = %v, want %v", got, want)
			break
		}
	}
}

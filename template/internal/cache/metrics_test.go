package cache

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// samples reads reg as "name{label=value,...}" -> value (counters and
// gauges; histograms by their count).
func samples(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			sort.Strings(labels)
			key := f.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.GetCounter() != nil:
				out[key] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				out[key] = m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				out[key] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

func TestMetricsCountHitsMissesAndLoads(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	c := newTestCache(t, testConfig(), WithMetrics(reg))
	s := newSource()
	s.set("k", 1)
	for range 3 {
		mustGet(t, c, s, "k")
	}
	_, _ = c.GetOrLoad(context.Background(), "missing", s.loader("missing"))

	got := samples(t, reg)
	hits := got["cache_hits_total{cache=test,tier=local}"] + got["cache_hits_total{cache=test,tier=redis}"]
	for name, want := range map[string]float64{
		"cache_misses_total{cache=test}":                 2,
		"cache_loads_total{cache=test,result=ok}":        1,
		"cache_loads_total{cache=test,result=not_found}": 1,
		"cache_load_duration_seconds{cache=test}":        2,
	} {
		if got[name] != want {
			t.Errorf("%s = %v, want %v", name, got[name], want)
		}
	}
	if hits != 2 {
		t.Errorf("hits = %v, want 2", hits)
	}
}

func TestMetricsCountEvictions(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	cfg := testConfig()
	cfg.MaxEntries = 5
	c := newTestCache(t, cfg, WithMetrics(reg))
	s := newSource()
	waitFor(t, func() bool {
		for i := range 100 {
			key := fmt.Sprint(i)
			s.set(key, i)
			mustGet(t, c, s, key)
		}
		return samples(t, reg)["cache_evictions_total{cache=test}"] > 0
	})
}

func TestMetricsOfSeveralCachesShareTheRegistry(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	a := newTestCache(t, Config{Name: "a", TTL: testConfig().TTL, NegativeTTL: testConfig().NegativeTTL, NotFound: errNotFound, MaxEntries: 10}, WithMetrics(reg))
	b := newTestCache(t, Config{Name: "b", TTL: testConfig().TTL, NegativeTTL: testConfig().NegativeTTL, NotFound: errNotFound, MaxEntries: 10}, WithMetrics(reg))
	s := newSource()
	s.set("k", 1)
	mustGet(t, a, s, "k")
	mustGet(t, b, s, "k")
	got := samples(t, reg)
	if got["cache_misses_total{cache=a}"] != 1 || got["cache_misses_total{cache=b}"] != 1 {
		t.Errorf("misses by cache: %v", got)
	}
}

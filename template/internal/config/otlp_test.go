package config

import (
	"slices"
	"testing"
)

func TestSamplerFollowsTheProfile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		vars map[string]string
		want TracesSampler
	}{
		{map[string]string{}, ParentBasedAlwaysOn},
		{map[string]string{"APP_ENV": "stage"}, ParentBasedTraceIDRatio},
		{map[string]string{"APP_ENV": "prod"}, ParentBasedTraceIDRatio},
		{map[string]string{"APP_ENV": "prod", "OTEL_TRACES_SAMPLER": "always_on"}, AlwaysOn},
		{map[string]string{"OTEL_TRACES_SAMPLER": "parentbased_always_off"}, ParentBasedAlwaysOff},
		{map[string]string{"OTEL_TRACES_SAMPLER": " TraceIDRatio "}, TraceIDRatio},
	}
	for _, tt := range tests {
		cfg, err := Load(lookup(t, tt.vars), "")
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Sampler(); got != tt.want {
			t.Errorf("%v: sampler %q, want %q", tt.vars, got, tt.want)
		}
	}
}

func TestSamplerRatioIsAShare(t *testing.T) {
	t.Parallel()
	for _, ratio := range []string{"-0.1", "1.5"} {
		got, err := problems(t, map[string]string{"OTEL_TRACES_SAMPLER_ARG": ratio})
		if !slices.Equal(got, []string{"OTEL_TRACES_SAMPLER_ARG"}) {
			t.Errorf("%s: problems %v\n%v", ratio, got, err)
		}
	}
	for _, ratio := range []string{"0", "0.25", "1"} {
		if _, err := Load(lookup(t, map[string]string{"OTEL_TRACES_SAMPLER_ARG": ratio}), ""); err != nil {
			t.Errorf("%s: %v", ratio, err)
		}
	}
}

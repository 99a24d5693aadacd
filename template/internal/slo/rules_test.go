package slo

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// The rules that Prometheus loads are the ones slo.yaml gives: whoever
// changes an objective runs make generate, or this fails.
func TestRulesFileIsGenerated(t *testing.T) {
	spec, err := Read("../../slo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := WriteRules(&want, spec); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../deploy/prometheus/slo-rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Error("deploy/prometheus/slo-rules.yml is not what slo.yaml gives: run make generate")
	}
}

func TestRulesFollowTheSpec(t *testing.T) {
	spec, err := Parse([]byte(strings.ReplaceAll(strings.ReplaceAll(testSpec,
		"target: 99.9", "target: 99.5"), "threshold: 300ms", "threshold: 1s")))
	if err != nil {
		t.Fatal(err)
	}
	var rules bytes.Buffer
	if err := WriteRules(&rules, spec); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`le="1"`,
		"(14.4 * 0.005)",
		"the 0.5% error budget of the 99.5% availability SLO",
		"took longer than 1000 ms",
		"At 14.4x, a 30-day budget is spent in 2 days.",
		"- record: job:http_request_errors:ratio_rate3d",
		"- alert: LatencyBudgetBurn3d",
	} {
		if !strings.Contains(rules.String(), want) {
			t.Errorf("the rules lack %q", want)
		}
	}
}

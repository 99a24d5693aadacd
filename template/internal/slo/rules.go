package slo

import (
	"bytes"
	"cmp"
	_ "embed" // the rules template
	"io"
	"math"
	"slices"
	"strconv"
	"text/template"
	"time"
)

//go:generate go run ../../cmd/slo rules -slo ../../slo.yaml -o ../../deploy/prometheus/slo-rules.yml

//go:embed rules.yml.tmpl
var rulesTemplate string

var rules = template.Must(template.New("slo-rules.yml").Parse(rulesTemplate))

// WriteRules writes the Prometheus recording and alerting rules of the
// objectives: the share of bad requests over every window the alerts
// read, and one alert per objective and burn-rate alert of the spec.
func WriteRules(w io.Writer, s Spec) error {
	// Into a buffer first: a template error must not leave half a file.
	var buf bytes.Buffer
	if err := rules.Execute(&buf, newRulesData(s)); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// rulesData is what the rules template reads.
type rulesData struct {
	Job, Period   string
	Availability  sloData
	Latency       sloData
	SLOs          []sloData // both, for the alerts
	Le            string    // the histogram bucket of the latency threshold, in seconds
	ThresholdText string
	PeriodDays    string
	Windows       []Duration
	Burns         []burnData
	// Value is Prometheus's own template of an alert's value, which the
	// rules template must write as it is.
	Value string
}

type burnData struct {
	BurnAlert
	Factor string // the burn rate, as written
	Spent  string // the share of the budget spent in the long window
	Days   string // how long a whole budget lasts at this rate
}

type sloData struct {
	Alert, Record, Name   string
	Objective             string
	Budget, BudgetPercent string
	Bad                   string
}

func newRulesData(s Spec) rulesData {
	threshold := millis(s.Threshold)
	d := rulesData{
		Job:           s.Job,
		Period:        s.Period.Text,
		Availability:  newSLO("Availability", "job:http_request_errors", "availability", s.Availability, "were answered with a 5xx status"),
		Latency:       newSLO("Latency", "job:http_request_slow", "latency", s.Latency, "took longer than "+threshold),
		Le:            strconv.FormatFloat(s.Threshold.Seconds(), 'g', -1, 64),
		ThresholdText: threshold,
		PeriodDays:    number(s.Period.Value.Hours() / 24),
		Value:         "{{ humanizePercentage .Value }}",
	}
	d.SLOs = []sloData{d.Availability, d.Latency}
	for _, a := range s.Alerts {
		days := s.Period.Value.Hours() / 24 / a.BurnRate
		if days >= 1 {
			days = math.Round(days)
		}
		d.Burns = append(d.Burns, burnData{
			BurnAlert: a,
			Factor:    number(a.BurnRate),
			Spent:     percent(100 * a.BurnRate * float64(a.Long.Value) / float64(s.Period.Value)),
			Days:      number(days),
		})
		for _, w := range []Duration{a.Long, a.Short} {
			if !slices.Contains(d.Windows, w) {
				d.Windows = append(d.Windows, w)
			}
		}
	}
	slices.SortStableFunc(d.Windows, func(a, b Duration) int { return cmp.Compare(a.Value, b.Value) })
	return d
}

func newSLO(alert, record, name string, o Objective, bad string) sloData {
	return sloData{
		Alert:         alert,
		Record:        record,
		Name:          name,
		Objective:     o.String(),
		Budget:        number(o.Budget()),
		BudgetPercent: percent(100 * o.Budget()),
		Bad:           bad,
	}
}

// number formats x as briefly as it reads: 14.4, 6, 0.001.
func number(x float64) string {
	return strconv.FormatFloat(round(x), 'f', -1, 64)
}

// millis formats a latency threshold for people: "300 ms".
func millis(d time.Duration) string {
	return number(float64(d)/float64(time.Millisecond)) + " ms"
}

// Package slo reads slo.yaml, the service level objectives of the service:
// the one source of the thresholds that the load test checks (make load)
// and, in a service with metrics, of the Prometheus alert rules that watch
// them in production (written by make generate).
package slo

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"
)

// Spec is what slo.yaml says.
type Spec struct {
	// Job is the Prometheus job label of the service's metrics.
	Job string
	// Period is the window the objectives are counted over (30d).
	Period Duration
	// Availability is the share of requests not answered with a 5xx status.
	Availability Objective
	// Latency is the share of requests answered within Threshold.
	Latency Objective
	// Threshold is how fast a request must be answered to count as fast.
	Threshold time.Duration
	// Alerts are the multiwindow, multi-burn-rate alerts on both objectives.
	Alerts []BurnAlert
	// Load is what the load test sends.
	Load Load
}

// Objective is a target share of good requests, in percent (99.9).
type Objective struct {
	Percent float64
}

// Met reports whether good out of total requests meet the objective.
func (o Objective) Met(good, total int) bool {
	return total > 0 && round(100*float64(good)/float64(total)) >= o.Percent
}

// Budget is the share of requests that may be bad: 0.001 for 99.9%.
func (o Objective) Budget() float64 {
	return round((100 - o.Percent) / 100)
}

// String is the objective in percent: "99.9%".
func (o Objective) String() string {
	return percent(o.Percent)
}

// BurnAlert fires while the bad share of requests over both Long and Short
// exceeds BurnRate times the budget: the Google SRE workbook's
// multiwindow, multi-burn-rate alert.
type BurnAlert struct {
	Long, Short Duration
	BurnRate    float64
	For         Duration
	Severity    string
}

// Load is the traffic of the load test: the requests it sends, over and
// over, and its profiles, by name.
type Load struct {
	Targets  []Target
	Profiles map[string]Profile
}

// Target is one request of the load test.
type Target struct {
	Method, Path string
}

// Profile is how hard and how long the load test runs.
type Profile struct {
	Rate     int // requests per second
	Duration time.Duration
}

// Duration is a duration as Prometheus writes it ("5m", "1h", "3d"), kept
// as written for the rules.
type Duration struct {
	Text  string
	Value time.Duration
}

func (d Duration) String() string { return d.Text }

// file is the layout of slo.yaml.
type file struct {
	Job        string `yaml:"job"`
	Period     string `yaml:"period"`
	Objectives struct {
		Availability struct {
			Target float64 `yaml:"target"`
		} `yaml:"availability"`
		Latency struct {
			Target    float64 `yaml:"target"`
			Threshold string  `yaml:"threshold"`
		} `yaml:"latency"`
	} `yaml:"objectives"`
	Alerts []struct {
		Long     string  `yaml:"long"`
		Short    string  `yaml:"short"`
		BurnRate float64 `yaml:"burn_rate"`
		For      string  `yaml:"for"`
		Severity string  `yaml:"severity"`
	} `yaml:"alerts"`
	Load struct {
		Targets  []string `yaml:"targets"`
		Profiles map[string]struct {
			Rate     int    `yaml:"rate"`
			Duration string `yaml:"duration"`
		} `yaml:"profiles"`
	} `yaml:"load"`
}

// Read reads and checks the SLO file at path.
func Read(path string) (Spec, error) {
	data, err := os.ReadFile(path) //nolint:gosec // G304: the path is the developer's own SLO file
	if err != nil {
		return Spec{}, err
	}
	spec, err := Parse(data)
	if err != nil {
		return Spec{}, fmt.Errorf("%s: %w", path, err)
	}
	return spec, nil
}

// Parse parses and checks an SLO file, reporting every problem at once.
func Parse(data []byte) (Spec, error) {
	var f file
	if err := yaml.Load(data, &f, yaml.WithKnownFields()); err != nil {
		return Spec{}, err
	}
	var p problems
	spec := Spec{
		Job:          f.Job,
		Period:       p.duration("period", f.Period),
		Availability: p.objective("objectives.availability.target", f.Objectives.Availability.Target),
		Latency:      p.objective("objectives.latency.target", f.Objectives.Latency.Target),
		Threshold:    p.duration("objectives.latency.threshold", f.Objectives.Latency.Threshold).Value,
		Load:         Load{Profiles: map[string]Profile{}},
	}
	if spec.Job == "" {
		p.add("job", "must name the Prometheus job of the service's metrics")
	}
	if len(f.Alerts) == 0 {
		p.add("alerts", "must list at least one alert")
	}
	for i, a := range f.Alerts {
		at := fmt.Sprintf("alerts[%d].", i)
		alert := BurnAlert{
			Long:     p.duration(at+"long", a.Long),
			Short:    p.duration(at+"short", a.Short),
			BurnRate: a.BurnRate,
			For:      p.duration(at+"for", a.For),
			Severity: a.Severity,
		}
		if alert.Short.Value >= alert.Long.Value {
			p.add(at+"short", "must be shorter than long")
		}
		if a.BurnRate <= 0 {
			p.add(at+"burn_rate", "must be positive")
		}
		if a.Severity == "" {
			p.add(at+"severity", "must be set (critical pages, warning opens a ticket)")
		}
		spec.Alerts = append(spec.Alerts, alert)
	}
	if len(f.Load.Targets) == 0 {
		p.add("load.targets", `must list at least one request, such as "GET /healthz"`)
	}
	for i, t := range f.Load.Targets {
		method, path, ok := strings.Cut(t, " ")
		if !ok || method == "" || !strings.HasPrefix(path, "/") {
			p.add(fmt.Sprintf("load.targets[%d]", i), fmt.Sprintf(`%q is not "METHOD /path"`, t))
		}
		spec.Load.Targets = append(spec.Load.Targets, Target{Method: method, Path: path})
	}
	if _, ok := f.Load.Profiles[DefaultProfile]; !ok {
		p.add("load.profiles", "must have a profile named "+DefaultProfile)
	}
	for name, prof := range f.Load.Profiles {
		at := "load.profiles." + name + "."
		if prof.Rate <= 0 {
			p.add(at+"rate", "must be a positive number of requests per second")
		}
		spec.Load.Profiles[name] = Profile{Rate: prof.Rate, Duration: p.duration(at+"duration", prof.Duration).Value}
	}
	return spec, p.err()
}

// DefaultProfile is the load profile used when none is named.
const DefaultProfile = "default"

// Profile returns the load profile called name.
func (s Spec) Profile(name string) (Profile, error) {
	prof, ok := s.Load.Profiles[name]
	if !ok {
		names := make([]string, 0, len(s.Load.Profiles))
		for n := range s.Load.Profiles {
			names = append(names, n)
		}
		slices.Sort(names)
		return Profile{}, fmt.Errorf("no load profile %q in the SLO file (it has %s)", name, strings.Join(names, ", "))
	}
	return prof, nil
}

// problems collects what is wrong with an SLO file.
type problems []string

func (p *problems) add(field, problem string) {
	*p = append(*p, field+": "+problem)
}

func (p *problems) err() error {
	if len(*p) == 0 {
		return nil
	}
	return errors.New(strings.Join(*p, "; "))
}

func (p *problems) objective(field string, pct float64) Objective {
	if pct <= 0 || pct >= 100 {
		p.add(field, "must be a percentage between 0 and 100, such as 99.9")
	}
	return Objective{Percent: pct}
}

// duration parses a positive duration in Prometheus's notation: one or
// more numbers with a unit of ms, s, m, h, d or w ("300ms", "1h30m").
func (p *problems) duration(field, text string) Duration {
	d, err := parseDuration(text)
	if err != nil {
		p.add(field, err.Error())
	}
	return Duration{Text: text, Value: d}
}

type unit struct {
	name string
	size time.Duration
}

var units = []unit{
	// "ms" before "m", so that the longest unit matches.
	{"ms", time.Millisecond},
	{"s", time.Second},
	{"m", time.Minute},
	{"h", time.Hour},
	{"d", 24 * time.Hour},
	{"w", 7 * 24 * time.Hour},
}

func parseDuration(text string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a duration such as 300ms, 5m, 1h or 3d", text)
	var total time.Duration
	for rest := text; rest != ""; {
		digits := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
		n, err := strconv.Atoi(rest[:digits])
		if err != nil {
			return 0, bad
		}
		rest = rest[digits:]
		i := slices.IndexFunc(units, func(u unit) bool { return strings.HasPrefix(rest, u.name) })
		if i < 0 {
			return 0, bad
		}
		total += time.Duration(n) * units[i].size
		rest = rest[len(units[i].name):]
	}
	if total <= 0 {
		return 0, bad
	}
	return total, nil
}

// round drops the noise of binary floating point: 1 - 0.999 is 0.001.
func round(x float64) float64 {
	return math.Round(x*1e9) / 1e9
}

// percent formats a percentage as written: 99.9 as "99.9%".
func percent(x float64) string {
	return strconv.FormatFloat(round(x), 'f', -1, 64) + "%"
}

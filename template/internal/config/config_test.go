package config

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/joho/godotenv"
)

// lookup is a getenv backed by vars, so tests never touch the process
// environment and can run in parallel. A required variable that vars lacks
// gets the value .env.example suggests for it.
func lookup(t *testing.T, vars map[string]string) func(string) string {
	t.Helper()
	examples := requiredExamples(t)
	return func(key string) string {
		if v, ok := vars[key]; ok {
			return v
		}
		return examples[key]
	}
}

// requiredExamples are the variables without a default, as .env.example
// sets them.
func requiredExamples(t *testing.T) map[string]string {
	t.Helper()
	example, err := godotenv.Read(filepath.Join("..", "..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	params, err := env.GetFieldParams(&Config{})
	if err != nil {
		t.Fatal(err)
	}
	examples := map[string]string{}
	for _, p := range params {
		if p.Required {
			examples[p.Key] = example[p.Key]
		}
	}
	return examples
}

// fields are the fields of Config, each read from one variable.
func fields() []reflect.StructField {
	return reflect.VisibleFields(reflect.TypeFor[Config]())
}

// defaults is the configuration of an empty environment.
func defaults(t *testing.T) Config {
	t.Helper()
	cfg, err := Load(lookup(t, nil), "")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cfg
}

func TestEveryFieldIsAVariable(t *testing.T) {
	t.Parallel()
	upperSnake := regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	seen := map[string]string{}
	for _, f := range fields() {
		key := variable(f)
		if !upperSnake.MatchString(key) {
			t.Errorf("%s: env tag %q does not name a variable", f.Name, f.Tag.Get("env"))
		}
		if other, dup := seen[key]; dup {
			t.Errorf("%s and %s both read %s", other, f.Name, key)
		}
		seen[key] = f.Name
		if secret, ok := f.Tag.Lookup("secret"); ok && (f.Type.Kind() != reflect.String || (secret != "url" && secret != "full")) {
			t.Errorf("%s: secret tag %q: want \"url\" or \"full\" on a string", f.Name, secret)
		}
	}
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := Load(lookup(t, nil), filepath.Join(t.TempDir(), ".env"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.AppEnv != Dev || cfg.Port != 8080 || cfg.LogLevel != slog.LevelInfo {
		t.Errorf("defaults: got env=%q port=%d level=%v", cfg.AppEnv, cfg.Port, cfg.LogLevel)
	}
	if cfg.LogFormat != LogText {
		t.Errorf("dev log format: got %q, want text", cfg.LogFormat)
	}
	if cfg.ShutdownTimeout != 15*time.Second || cfg.RequestTimeout != 10*time.Second {
		t.Errorf("timeouts: got shutdown=%v request=%v", cfg.ShutdownTimeout, cfg.RequestTimeout)
	}
	if got := cfg.Address(); got != ":8080" {
		t.Errorf("Address: got %q, want :8080", got)
	}
}

func TestLoadProdDefaultsToJSONLogs(t *testing.T) {
	t.Parallel()
	cfg, err := Load(lookup(t, map[string]string{"APP_ENV": "prod"}), "")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.LogFormat != LogJSON {
		t.Errorf("prod log format: got %q, want json", cfg.LogFormat)
	}
}

// problems returns the variables that Load reports, sorted.
func problems(t *testing.T, vars map[string]string) ([]string, error) {
	t.Helper()
	_, err := Load(lookup(t, vars), "")
	var cfgErr *Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("Load: got %v, want *Error", err)
	}
	var got []string
	for _, p := range cfgErr.Problems {
		got = append(got, p.Var)
	}
	slices.Sort(got)
	return got, err
}

func TestLoadReportsEveryBadVariable(t *testing.T) {
	t.Parallel()
	got, err := problems(t, map[string]string{
		"APP_ENV":          "qa",
		"PORT":             "eighty",
		"LOG_LEVEL":        "loud",
		"LOG_FORMAT":       "xml",
		"REQUEST_TIMEOUT":  "-1s",
		"SHUTDOWN_TIMEOUT": "soon",
		"MAX_BODY_BYTES":   "0",
	})
	want := []string{"APP_ENV", "LOG_FORMAT", "LOG_LEVEL", "MAX_BODY_BYTES", "PORT", "REQUEST_TIMEOUT", "SHUTDOWN_TIMEOUT"}
	if !slices.Equal(got, want) {
		t.Errorf("problems: got %v, want %v\n%v", got, want, err)
	}
	if !strings.Contains(err.Error(), `PORT: invalid value "eighty"`) {
		t.Errorf("message does not name the bad value: %v", err)
	}
}

// TestInvalidValuesAreReportedByVariable sets every variable whose type can
// fail to parse (numbers, durations, booleans, the enumerations) to a value
// none of them accepts: each one must be reported, by its name.
func TestInvalidValuesAreReportedByVariable(t *testing.T) {
	t.Parallel()
	textUnmarshaler := reflect.TypeFor[encoding.TextUnmarshaler]()
	vars := map[string]string{}
	var want []string
	for _, f := range fields() {
		if f.Type.Kind() == reflect.String && !reflect.PointerTo(f.Type).Implements(textUnmarshaler) {
			continue // any text is a valid string
		}
		vars[variable(f)] = "not-a-value"
		want = append(want, variable(f))
	}
	got, err := problems(t, vars)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("problems: got %v, want %v\n%v", got, want, err)
	}
}

func TestLoadRequiresVariablesWithoutDefault(t *testing.T) {
	t.Parallel()
	vars := map[string]string{}
	var want []string
	for key := range requiredExamples(t) {
		vars[key] = ""
		want = append(want, key)
	}
	if len(want) == 0 {
		t.Skip("every variable has a default")
	}
	got, err := problems(t, vars)
	slices.Sort(want)
	if !slices.Equal(got, want) || !strings.Contains(err.Error(), "must be set") {
		t.Errorf("problems: got %v, want %v unset\n%v", got, want, err)
	}
}

func TestLoadPortOutOfRange(t *testing.T) {
	t.Parallel()
	_, err := Load(lookup(t, map[string]string{"PORT": "70000"}), "")
	if err == nil || !strings.Contains(err.Error(), "PORT: must be between 0 and 65535") {
		t.Fatalf("Load: got %v, want a PORT range error", err)
	}
}

func TestLoadAdminPortDiffersFromPort(t *testing.T) {
	t.Parallel()
	got, err := problems(t, map[string]string{"PORT": "8000", "ADMIN_PORT": "8000"})
	if !slices.Equal(got, []string{"ADMIN_PORT"}) || !strings.Contains(err.Error(), "must differ from PORT") {
		t.Errorf("problems: got %v, want ADMIN_PORT\n%v", got, err)
	}
}

func TestRulesAreAboutVariables(t *testing.T) {
	t.Parallel()
	cfg := defaults(t)
	for _, r := range cfg.rules() {
		if key := cfg.variableAt(r.field); key == "" {
			t.Errorf("a rule (%q) is about a field without a variable", r.problem)
		}
	}
}

func TestDotenvReadInDevOnlyAndEnvironmentWins(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte("PORT=9191\nLOG_LEVEL=debug\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	cfg, err := Load(lookup(t, map[string]string{"LOG_LEVEL": "warn"}), path)
	if err != nil {
		t.Fatalf("Load dev: %v", err)
	}
	if cfg.Port != 9191 || cfg.LogLevel != slog.LevelWarn {
		t.Errorf("dev: got port=%d level=%v, want 9191 from .env and warn from the environment", cfg.Port, cfg.LogLevel)
	}

	cfg, err = Load(lookup(t, map[string]string{"APP_ENV": "prod"}), path)
	if err != nil {
		t.Fatalf("Load prod: %v", err)
	}
	if cfg.Port != 8080 {
		t.Errorf("prod read .env: got port %d, want the default 8080", cfg.Port)
	}
}

// logConfig logs cfg as the service does at start-up, with a JSON handler and
// a text handler. It returns the JSON record's config group, the JSON record
// and the text record.
func logConfig(t *testing.T, cfg Config) (group map[string]any, jsonText, text string) {
	t.Helper()
	var j, txt bytes.Buffer
	slog.New(slog.NewJSONHandler(&j, nil)).Info("config", "config", cfg)
	slog.New(slog.NewTextHandler(&txt, nil)).Info("config", "config", cfg)
	var record struct{ Config map[string]any }
	if err := json.Unmarshal(j.Bytes(), &record); err != nil {
		t.Fatalf("%v\n%s", err, j.String())
	}
	return record.Config, j.String(), txt.String()
}

func TestLogValueListsEveryVariable(t *testing.T) {
	t.Parallel()
	cfg := defaults(t)
	group, _, text := logConfig(t, cfg)
	for _, f := range fields() {
		key := variable(f)
		if _, ok := group[key]; !ok {
			t.Errorf("the JSON record lacks %s: %v", key, group)
		}
		if !strings.Contains(text, " config."+key+"=") {
			t.Errorf("the text record lacks %s: %s", key, text)
		}
	}
	if len(group) != len(fields()) {
		t.Errorf("the JSON record has %d variables, Config %d: %v", len(group), len(fields()), group)
	}
}

func TestLoggedDurationsReadAsDurations(t *testing.T) {
	t.Parallel()
	cfg := defaults(t)
	group, _, text := logConfig(t, cfg)
	v := reflect.ValueOf(cfg)
	for _, f := range fields() {
		d, ok := v.FieldByIndex(f.Index).Interface().(time.Duration)
		if !ok {
			continue
		}
		key := variable(f)
		if got := group[key]; got != d.String() {
			t.Errorf("JSON %s: got %v, want %q", key, got, d.String())
		}
		if !strings.Contains(text, " config."+key+"="+d.String()) {
			t.Errorf("text %s: want %s: %s", key, d, text)
		}
	}
}

func TestSecretsAreNeverLogged(t *testing.T) {
	t.Parallel()
	const secret = "s3cret-value-of-the-test"
	cfg := defaults(t)
	v := reflect.ValueOf(&cfg).Elem()
	var secrets []string
	for _, f := range fields() {
		switch f.Tag.Get("secret") {
		case "url":
			v.FieldByIndex(f.Index).SetString("postgres://user:" + secret + "@db.example:5432/app")
		case "full":
			v.FieldByIndex(f.Index).SetString(secret)
		default:
			continue
		}
		secrets = append(secrets, variable(f))
	}
	if len(secrets) == 0 {
		t.Fatal("no field has a secret tag")
	}
	group, jsonText, text := logConfig(t, cfg)
	for _, out := range []string{jsonText, text} {
		if strings.Contains(out, secret) {
			t.Errorf("the logged configuration shows a secret (%v): %s", secrets, out)
		}
	}
	for _, key := range secrets {
		if group[key] == "" {
			t.Errorf("%s is set but logged empty", key)
		}
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"postgres://app:s3cret@db:5432/app": "postgres://app:xxxxx@db:5432/app",
		"mysql://root:s3cret@tcp(db)/x":     "mysql://root:xxxxx@tcp(db)/x",
		"postgres://app:s3cret@db:port/app": "[REDACTED]", // not a URL: masked whole
		"file:data/app.db":                  "file:data/app.db",
		"":                                  "",
	} {
		if got := RedactURL(raw); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", raw, got, want)
		}
	}
}

// TestEnvExampleListsEveryVariable keeps .env.example, the operator's
// reference, in step with the Config struct.
func TestEnvExampleListsEveryVariable(t *testing.T) {
	t.Parallel()
	var want []string
	for _, f := range fields() {
		want = append(want, variable(f))
	}

	f, err := os.Open(filepath.Join("..", "..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if key, _, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			got = append(got, key)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf(".env.example lists %v, Config reads %v", got, want)
	}
}

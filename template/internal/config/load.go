package config

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"strings"

	"github.com/caarlos0/env/v11"
	"github.com/joho/godotenv"
)

// Load reads the configuration through getenv, which stands for os.Getenv so
// that tests need no process environment. In the dev profile the variables
// of the dotenv file (if it exists) fill in what getenv leaves empty: the real
// environment always wins. Every invalid variable is reported in one *Error.
func Load(getenv func(string) string, dotenvPath string) (Config, error) {
	var cfg Config
	params, err := env.GetFieldParams(&cfg)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	environ := make(map[string]string, len(params))
	for _, p := range params {
		if v := getenv(p.Key); v != "" {
			environ[p.Key] = v
		}
	}
	if profile := Env(environ["APP_ENV"]); profile == "" || profile == Dev {
		if err := fillFromDotenv(environ, dotenvPath); err != nil {
			return Config{}, err
		}
	}

	var problems []Problem
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: environ}); err != nil {
		problems = parseProblems(err, environ)
	}
	problems = append(problems, cfg.validate(problems)...)
	if len(problems) > 0 {
		return Config{}, &Error{Problems: problems}
	}

	if cfg.LogFormat == "" {
		cfg.LogFormat = LogJSON
		if cfg.AppEnv == Dev {
			cfg.LogFormat = LogText
		}
	}
	return cfg, nil
}

// fillFromDotenv adds the variables of a dotenv file that environ lacks. A
// missing file is not an error: .env is a convenience of local development.
func fillFromDotenv(environ map[string]string, path string) error {
	vars, err := godotenv.Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("config: reading %s: %w", path, err)
	}
	for k, v := range vars {
		if _, set := environ[k]; !set && v != "" {
			environ[k] = v
		}
	}
	return nil
}

// validate checks what parsing cannot: ranges. Variables that already failed
// to parse are not reported twice.
func (c Config) validate(failed []Problem) []Problem {
	var problems []Problem
	check := func(ok bool, key, msg string) {
		for _, f := range failed {
			if f.Var == key {
				return
			}
		}
		if !ok {
			problems = append(problems, Problem{Var: key, Message: msg})
		}
	}
	check(c.Port >= 0 && c.Port <= 65535, "PORT", "must be between 0 and 65535")
	check(c.AdminPort >= 0 && c.AdminPort <= 65535, "ADMIN_PORT", "must be between 0 and 65535")
	check(c.AdminPort == 0 || c.AdminPort != c.Port, "ADMIN_PORT", "must differ from PORT: the admin server is never public")
	check(c.RequestTimeout > 0, "REQUEST_TIMEOUT", "must be a positive duration such as 10s")
	check(c.ShutdownTimeout > 0, "SHUTDOWN_TIMEOUT", "must be a positive duration such as 15s")
	check(c.ShutdownDelay >= 0, "SHUTDOWN_DELAY", "must not be negative")
	check(c.MaxBodyBytes > 0, "MAX_BODY_BYTES", "must be a positive number of bytes")
	return problems
}

// Problem is one invalid environment variable.
type Problem struct {
	Var     string
	Message string
}

// Error lists every invalid environment variable at once, so that an operator
// fixes them in one go rather than one restart at a time.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("invalid configuration:")
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s: %s", p.Var, p.Message)
	}
	return b.String()
}

// parseProblems turns the parser's errors, which name struct fields, into
// problems that name the environment variables an operator sets.
func parseProblems(err error, environ map[string]string) []Problem {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return []Problem{{Var: "environment", Message: err.Error()}}
	}
	problems := make([]Problem, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var perr env.ParseError
		if errors.As(e, &perr) {
			key := envKey(perr.Name)
			problems = append(problems, Problem{
				Var:     key,
				Message: fmt.Sprintf("invalid value %q: %v", environ[key], perr.Err),
			})
			continue
		}
		problems = append(problems, Problem{Var: "environment", Message: e.Error()})
	}
	return problems
}

// envKey returns the environment variable of a Config field.
func envKey(field string) string {
	f, ok := reflect.TypeFor[Config]().FieldByName(field)
	if !ok {
		return field
	}
	key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
	return key
}

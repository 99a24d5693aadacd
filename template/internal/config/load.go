package config

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
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

// rule is a check on a parsed Config that parsing cannot make (see
// Config.rules).
type rule struct {
	field   any    // points to the Config field the rule is about
	ok      bool   // whether the field's value is acceptable
	problem string // what the operator reads when it is not
}

// validate reports the broken rules of c under their fields' variables. A
// variable that already failed to parse is not reported twice.
func (c *Config) validate(failed []Problem) []Problem {
	var problems []Problem
	for _, r := range c.rules() {
		key := c.variableAt(r.field)
		if r.ok || slices.ContainsFunc(failed, func(p Problem) bool { return p.Var == key }) {
			continue
		}
		problems = append(problems, Problem{Var: key, Message: r.problem})
	}
	return problems
}

// variableAt returns the environment variable of the field of c that ptr
// points to.
func (c *Config) variableAt(ptr any) string {
	target := reflect.ValueOf(ptr)
	v := reflect.ValueOf(c).Elem()
	for i := range v.NumField() {
		field := v.Field(i).Addr()
		if field.Type() == target.Type() && field.Pointer() == target.Pointer() {
			return variable(v.Type().Field(i))
		}
	}
	panic(fmt.Sprintf("config: a rule points to a %T that is no field of Config", ptr))
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
		whole := Problem{Var: "environment", Message: err.Error()}
		return []Problem{whole}
	}
	problems := make([]Problem, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var (
			perr  env.ParseError
			unset env.VarIsNotSetError
		)
		if errors.As(e, &unset) {
			problems = append(problems, Problem{Var: unset.Key, Message: "must be set: it has no default"})
			continue
		}
		if errors.As(e, &perr) {
			field, _ := reflect.TypeFor[Config]().FieldByName(perr.Name)
			key := variable(field)
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

// variable returns the environment variable a Config field is read from:
// the name in its env tag.
func variable(field reflect.StructField) string {
	key, _, _ := strings.Cut(field.Tag.Get("env"), ",")
	return key
}

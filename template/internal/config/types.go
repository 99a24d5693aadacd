package config

import "errors"

// Env is the deployment profile. It changes defaults only (log format, .env,
// migrations on start, trace sampling), never code paths that tests cannot
// reach.
type Env string

// The deployment profiles.
const (
	Dev   Env = "dev"
	Stage Env = "stage"
	Prod  Env = "prod"
)

// UnmarshalText accepts the known profiles only.
func (e *Env) UnmarshalText(text []byte) error {
	switch v := Env(text); v {
	case Dev, Stage, Prod:
		*e = v
		return nil
	}
	return errors.New("must be dev, stage or prod")
}

// LogFormat is how log records are written: text for people, json for
// machines.
type LogFormat string

// The log formats; Load replaces an empty format with the profile's default.
const (
	LogText LogFormat = "text"
	LogJSON LogFormat = "json"
)

// UnmarshalText accepts the known formats only.
func (f *LogFormat) UnmarshalText(text []byte) error {
	switch v := LogFormat(text); v {
	case LogText, LogJSON:
		*f = v
		return nil
	}
	return errors.New("must be text or json")
}

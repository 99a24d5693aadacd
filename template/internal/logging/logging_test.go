package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestRequestIDOnEveryRecord(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := New(&buf, "json", slog.LevelInfo).With("component", "test").WithGroup("g")

	ctx := WithRequestID(context.Background(), "req-42")
	logger.InfoContext(ctx, "handled", "n", 1)

	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("not JSON: %v: %s", err, buf.String())
	}
	if rec["component"] != "test" {
		t.Errorf("lost attrs of With: %v", rec)
	}
	if rec["request_id"] != "req-42" {
		t.Errorf("no request id at the top level: %s", buf.String())
	}
	if g, _ := rec["g"].(map[string]any); g["n"] != 1.0 {
		t.Errorf("the record's attrs left their group: %s", buf.String())
	}
}

func TestRequestIDStaysOutOfNestedGroups(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := New(&buf, "json", slog.LevelInfo).WithGroup("a").With("x", 1).WithGroup("b").With("y", 2)

	logger.InfoContext(WithRequestID(context.Background(), "req-7"), "handled", "z", 3)

	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("not JSON: %v: %s", err, buf.String())
	}
	a, _ := rec["a"].(map[string]any)
	b, _ := a["b"].(map[string]any)
	if rec["request_id"] != "req-7" || a["x"] != 1.0 || b["y"] != 2.0 || b["z"] != 3.0 {
		t.Errorf("got %s", buf.String())
	}
	if _, ok := b["request_id"]; ok {
		t.Errorf("request id inside the group: %s", buf.String())
	}
}

func TestTextFormatAndLevel(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := New(&buf, "text", slog.LevelWarn)
	logger.Info("hidden")
	logger.Warn("shown")
	out := buf.String()
	if strings.Contains(out, "hidden") || !strings.Contains(out, "level=WARN msg=shown") {
		t.Errorf("got %q", out)
	}
}

func TestNoRequestIDOutsideRequests(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	New(&buf, "text", slog.LevelInfo).InfoContext(context.Background(), "boot")
	if strings.Contains(buf.String(), "request_id") {
		t.Errorf("unexpected request id: %q", buf.String())
	}
}

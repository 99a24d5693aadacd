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
	if !strings.Contains(buf.String(), `"request_id":"req-42"`) {
		t.Errorf("no request id: %s", buf.String())
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

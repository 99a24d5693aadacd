"""The ceiling of any handler: a bare net/http server answering fixed bytes.

The benchmarks run it beside the service under the same load, and report the
service's request rate as a share of its rate.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path

BARE_SERVER = """package main

import (
\t"net/http"
\t"os"
)

// Answers every request with the bytes of the file named by its second argument,
// as the service answers JSON: nothing a handler could leave out.
func main() {
\tbody, err := os.ReadFile(os.Args[2])
\tif err != nil {
\t\tpanic(err)
\t}
\th := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
\t\tw.Header().Set("Content-Type", "application/json")
\t\t_, _ = w.Write(body)
\t})
\tpanic(http.ListenAndServe(os.Args[1], h))
}
"""


def build_bare(work: Path) -> Path:
    """Builds the bare server in work/bare and returns its binary."""
    src = work / "bare"
    src.mkdir()
    (src / "main.go").write_text(BARE_SERVER, encoding="utf-8")
    subprocess.run(["go", "mod", "init", "bare"], cwd=src, check=True, capture_output=True)
    subprocess.run(["go", "build", "-trimpath", "-o", "bare"], cwd=src, check=True)
    return src / "bare"


def start_bare(binary: Path, body: Path, port: int) -> tuple[subprocess.Popen[bytes], str]:
    """Starts the bare server on port answering body; returns it and its URL once it answers."""
    proc = subprocess.Popen([str(binary), f"127.0.0.1:{port}", str(body)])
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_answers(url)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return proc, url


def wait_until_answers(url: str) -> None:
    for _ in range(500):
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.01)
    raise RuntimeError(f"{url} does not answer")


def create_note(base: str, title: str) -> dict[str, object]:
    """Creates a note through the API, with a body of a realistic size, and returns it."""
    req = urllib.request.Request(
        base + "/api/v1/notes",
        data=json.dumps({"title": title, "body": "a note read under load " * 4}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req) as resp:
        note: dict[str, object] = json.load(resp)
        return note

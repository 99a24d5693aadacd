"""Operations files of the metrics slice: the Prometheus scrape config, the SLO alert
rules (slo-rules.yml, which the service generates from its slo.yaml), the other alerts
and the Grafana dashboard under deploy/, checked with the real Prometheus tooling.

The fast layer reads the files: they exist exactly when ``metrics`` is on, every alert
carries a severity and summary/description annotations, and every query uses only
metrics of the service's contract (below). The slow layer runs promtool (pinned under
test_tools in extensions/go_deps.yml; conftest.py's fixture): ``promtool check config``,
``promtool check rules``, every dashboard query through the PromQL parser, and
``promtool test rules`` with unit tests written here: traffic shaped like a healthy
service, an outage, slow responses, a slow error leak and a dead target, each with
the alerts it must (and must not) fire, and when.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Render
from variants import Variant, valid_variants

VARIANTS = valid_variants()
WITH_METRICS = [v for v in VARIANTS if v["metrics"]]

# The metrics contract of a generated service (the Go side exposes exactly these).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.3, 0.5, 1, 2.5, 5, 10)
HTTP_METRICS = {
    "http_requests_total",  # counter {method, route, status}
    "http_request_duration_seconds_bucket",  # histogram {method, route, status}
    "http_request_duration_seconds_sum",
    "http_request_duration_seconds_count",
    "http_requests_in_flight",  # gauge
    "service_build_info",  # gauge = 1 {version, commit, go_version}
}
# client_golang's default Go and process collectors.
RUNTIME_METRICS = {
    "go_gc_duration_seconds",
    "go_gc_duration_seconds_sum",
    "go_gc_duration_seconds_count",
    "go_gc_gogc_percent",
    "go_gc_gomemlimit_bytes",
    "go_goroutines",
    "go_info",
    "go_sched_gomaxprocs_threads",
    "go_threads",
    *(
        f"go_memstats_{name}"
        for name in (
            "alloc_bytes",
            "alloc_bytes_total",
            "buck_hash_sys_bytes",
            "frees_total",
            "gc_sys_bytes",
            "heap_alloc_bytes",
            "heap_idle_bytes",
            "heap_inuse_bytes",
            "heap_objects",
            "heap_released_bytes",
            "heap_sys_bytes",
            "last_gc_time_seconds",
            "mallocs_total",
            "mcache_inuse_bytes",
            "mcache_sys_bytes",
            "mspan_inuse_bytes",
            "mspan_sys_bytes",
            "next_gc_bytes",
            "other_sys_bytes",
            "stack_inuse_bytes",
            "stack_sys_bytes",
            "sys_bytes",
        )
    ),
    *(
        f"process_{name}"
        for name in (
            "cpu_seconds_total",
            "max_fds",
            "network_receive_bytes_total",
            "network_transmit_bytes_total",
            "open_fds",
            "resident_memory_bytes",
            "start_time_seconds",
            "virtual_memory_bytes",
            "virtual_memory_max_bytes",
        )
    ),
}
# client_golang's DBStatsCollector (label db_name), with a database only.
DB_METRICS = {
    f"go_sql_{name}"
    for name in (
        "idle_connections",
        "in_use_connections",
        "max_idle_closed_total",
        "max_idle_time_closed_total",
        "max_lifetime_closed_total",
        "max_open_connections",
        "open_connections",
        "wait_count_total",
        "wait_duration_seconds_total",
    )
}
# The cache's metrics (internal/cache/metrics.go), with a cache; and those of a cache in
# Redis (metrics_redis.go).
CACHE_METRICS = {
    "cache_hits_total",  # counter {cache, tier}
    "cache_misses_total",  # counter {cache}
    "cache_loads_total",  # counter {cache, result}
    "cache_load_duration_seconds_bucket",  # histogram {cache}
    "cache_load_duration_seconds_sum",
    "cache_load_duration_seconds_count",
    "cache_evictions_total",  # counter {cache}
}
REDIS_CACHE_METRICS = {
    "cache_errors_total",  # counter {cache, operation}
    "cache_backend_up",  # gauge {cache}
    *(
        f"cache_redis_pool_{name}"
        for name in (
            "connections",
            "idle_connections",
            "hits_total",
            "misses_total",
            "timeouts_total",
        )
    ),
}
CACHE_PANEL_METRICS = CACHE_METRICS - {
    "cache_load_duration_seconds_sum",
    "cache_load_duration_seconds_count",
}
REDIS_PANEL_METRICS = REDIS_CACHE_METRICS - {
    "cache_redis_pool_hits_total",
    "cache_redis_pool_misses_total",
}
# Series that Prometheus itself makes.
PROMETHEUS_METRICS = {"up", "ALERTS"}

ADMIN_TARGET = "localhost:9090"
INSTANCE = ADMIN_TARGET
ROUTE = "/api/v1/notes/{id}"

# What slo-rules.yml implements (from the slo.yaml the template writes): the SLOs' error
# budgets, and the Google SRE workbook's multiwindow, multi-burn-rate alerts: {long
# window: (short window, burn rate, for, severity)}. An alert {Slo}BudgetBurn{long} fires
# while the bad share over both windows exceeds burn rate x budget.
BUDGETS = {"Availability": 0.001, "Latency": 0.01}
BURNS = {
    "1h": ("5m", 14.4, "2m", "critical"),
    "6h": ("30m", 6.0, "15m", "critical"),
    "1d": ("2h", 3.0, "1h", "warning"),
    "3d": ("6h", 1.0, "3h", "warning"),
}

# Grafana's variables, as a query would see them in a dashboard (values parse as PromQL).
GRAFANA_VARIABLES = {
    "$__rate_interval": "1m",
    "$__interval": "30s",
    "$__range": "6h",
    '"$instance"': '".*"',
}


def contract(variant: Variant) -> set[str]:
    names = HTTP_METRICS | RUNTIME_METRICS | PROMETHEUS_METRICS
    if variant["database"] != "none":
        names |= DB_METRICS
    if variant["cache"] != "none":
        names |= CACHE_METRICS
    if variant["cache"] == "redis":
        names |= REDIS_CACHE_METRICS
    return names


def cache_alerts(variant: Variant) -> set[str]:
    """The alerts of the cache: its hit ratio, and its Redis answering."""
    return {
        "none": set(),
        "memory": {"CacheHitRatioLow"},
        "redis": {"CacheHitRatioLow", "CacheRedisUnavailable"},
    }[variant["cache"]]


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        cmd, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


# --- reading the files ---------------------------------------------------------------


@dataclass(frozen=True)
class Ops:
    root: Path
    job: str

    @property
    def prometheus(self) -> Path:
        return self.root / "deploy" / "prometheus" / "prometheus.yml"

    @property
    def alerts(self) -> Path:
        return self.root / "deploy" / "prometheus" / "alerts.yml"

    @property
    def rule_files(self) -> list[Path]:
        """The SLO rules (generated from slo.yaml by the service) and the other alerts."""
        return [self.root / "deploy" / "prometheus" / "slo-rules.yml", self.alerts]

    @property
    def dashboard(self) -> Path:
        return self.root / "deploy" / "grafana" / "dashboard.json"

    def rules(self) -> list[dict[str, Any]]:
        groups = [
            group
            for path in self.rule_files
            for group in yaml.safe_load(path.read_text())["groups"]
        ]
        return [rule for group in groups for rule in group["rules"]]

    def alert(self, name: str) -> dict[str, Any]:
        (rule,) = (r for r in self.rules() if r.get("alert") == name)
        return rule


def ops_of(root: Path) -> Ops:
    config = yaml.safe_load((root / "deploy" / "prometheus" / "prometheus.yml").read_text())
    (scrape,) = config["scrape_configs"]
    return Ops(root, scrape["job_name"])


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel, those inside collapsed rows included."""
    found: list[dict[str, Any]] = []
    for panel in dashboard["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))
    return found


def dashboard_queries(dashboard: dict[str, Any], job: str) -> dict[str, str]:
    """Every PromQL query of the dashboard by a name, Grafana's variables substituted."""
    queries = {
        f"panel_{panel['id']}_{target['refId']}": target["expr"]
        for panel in panels(dashboard)
        for target in panel.get("targets", [])
    }
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            match = re.fullmatch(r"label_values\((.+),\s*\w+\)", variable["query"])
            assert match, f"variable {variable['name']}: {variable['query']!r}"
            queries[f"variable_{variable['name']}"] = match[1]
    substituted = {}
    for name, expr in queries.items():
        for variable, value in {**GRAFANA_VARIABLES, "$job": job}.items():
            expr = expr.replace(variable, value)
        assert "$" not in expr, f"{name}: unknown Grafana variable in {expr!r}"
        substituted[name] = expr
    return substituted


PROMQL_WORDS = {"and", "or", "unless", "bool", "by", "without", "offset", "inf", "nan"}


def metric_names(expr: str) -> set[str]:
    """The metric names that a PromQL expression selects (a small lexer, enough for the
    queries here: functions, aggregations, label lists and matchers are skipped)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)
    expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", expr)
    expr = re.sub(
        r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr, flags=re.I
    )
    tokens = re.findall(r"(?<![\w.:])([a-zA-Z_:][\w:]*)(?![\w:]|\s*\()", expr)
    return {t for t in tokens if t.lower() not in PROMQL_WORDS}


def test_metric_names_reads_promql() -> None:
    expr = (
        "histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket"
        '{job="a", le=~"0.3|1e3"}[5m] offset 1h))) / on (job) group_left (x) sum(up) > bool 1e3'
        " and ignoring(instance) job:http_request_errors:ratio_rate5m unless vector(0)"
    )
    assert metric_names(expr) == {
        "http_request_duration_seconds_bucket",
        "up",
        "job:http_request_errors:ratio_rate5m",
    }


# --- fast layer: the files and what they reference ------------------------------------


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.id)
def test_ops_files_exist_exactly_with_metrics(variant: Variant, rendered: Render) -> None:
    root = rendered(variant)
    deploy = root / "deploy"
    expected = [
        deploy / "prometheus" / "prometheus.yml",
        deploy / "prometheus" / "alerts.yml",
        deploy / "prometheus" / "slo-rules.yml",
        deploy / "grafana" / "dashboard.json",
    ]
    for path in expected:
        assert path.is_file() == variant["metrics"], path.relative_to(root)
    # The operator's guide is there whenever deploy/ holds anything: the monitoring
    # files, or the deployment files of a deploy answer (tests/test_deploy.py).
    assert (deploy / "README.md").is_file() == (variant["metrics"] or variant["deploy"] != "none")
    if not variant["metrics"] and variant["deploy"] == "none":
        assert not deploy.exists(), "deploy/ holds nothing here: no empty directory"


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.id)
def test_every_service_states_its_objectives_in_slo_yaml(
    variant: Variant, rendered: Render
) -> None:
    """slo.yaml, with or without metrics: the objectives and burn-rate alerts that the rules
    implement (BUDGETS, BURNS), and load targets that the service serves."""
    slo = yaml.safe_load((rendered(variant) / "slo.yaml").read_text())
    assert slo["job"] == "notes-service"
    objectives = slo["objectives"]
    budgets = {
        "Availability": round(1 - objectives["availability"]["target"] / 100, 9),
        "Latency": round(1 - objectives["latency"]["target"] / 100, 9),
    }
    assert budgets == BUDGETS
    assert objectives["latency"]["threshold"] == "300ms"
    burns = {
        a["long"]: (a["short"], float(a["burn_rate"]), a["for"], a["severity"])
        for a in slo["alerts"]
    }
    assert burns == BURNS
    notes = ["GET /api/v1/notes"] if variant["example_resource"] else []
    assert slo["load"]["targets"] == [*notes, "GET /openapi.yaml"]
    assert set(slo["load"]["profiles"]) == {"smoke", "default"}


@pytest.mark.parametrize("variant", WITH_METRICS, ids=lambda v: v.id)
def test_prometheus_scrapes_the_admin_listener(variant: Variant, rendered: Render) -> None:
    ops = ops_of(rendered(variant))
    config = yaml.safe_load(ops.prometheus.read_text())
    assert config["rule_files"] == ["slo-rules.yml", "alerts.yml"]
    (scrape,) = config["scrape_configs"]
    assert scrape["job_name"] == "notes-service"
    assert scrape["metrics_path"] == "/metrics"
    assert scrape["static_configs"] == [{"targets": [ADMIN_TARGET]}]


@pytest.mark.parametrize("variant", WITH_METRICS, ids=lambda v: v.id)
def test_alert_rules_are_complete_and_use_the_contract(variant: Variant, rendered: Render) -> None:
    ops = ops_of(rendered(variant))
    rules = ops.rules()
    recorded = {rule["record"] for rule in rules if "record" in rule}
    alerts = [rule for rule in rules if "alert" in rule]
    names = {rule["alert"] for rule in alerts}
    slo_alerts = {f"{slo}BudgetBurn{w}" for slo in BUDGETS for w in BURNS}
    assert names == slo_alerts | {"TargetDown"} | cache_alerts(variant)
    sli = {"Availability": "errors", "Latency": "slow"}
    for slo, budget in BUDGETS.items():
        for long, (short, factor, hold, severity) in BURNS.items():
            rule = ops.alert(f"{slo}BudgetBurn{long}")
            assert (rule["for"], rule["labels"]) == (
                hold,
                {"severity": severity, "slo": slo.lower()},
            )
            record = f"job:http_request_{sli[slo]}:ratio_rate"
            conditions = [
                re.escape(f'{record}{w}{{job="{ops.job}"}}') + r" > \((\S+) \* (\S+)\)"
                for w in (long, short)
            ]
            match = re.fullmatch(rf"{conditions[0]}\s+and\s+{conditions[1]}\s*", rule["expr"])
            assert match, f"{rule['alert']}: {rule['expr']}"
            assert {float(match[1]), float(match[3])} == {factor}, rule["alert"]
            assert {float(match[2]), float(match[4])} == {budget}, rule["alert"]
    for rule in alerts:
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        for annotation in ("summary", "description"):
            assert rule["annotations"][annotation].strip(), (rule["alert"], annotation)
    for rule in rules:
        expr = rule["expr"]
        assert f'job="{ops.job}"' in expr, f"{rule.get('alert') or rule['record']} is not scoped"
        unknown = metric_names(expr) - contract(variant) - recorded
        assert not unknown, f"{rule.get('alert') or rule['record']} uses {unknown}"
        for le in re.findall(r'le="([^"]*)"', expr):
            assert float(le) in BUCKETS, f"le={le} is not a bucket of the histogram"


@pytest.mark.parametrize("variant", WITH_METRICS, ids=lambda v: v.id)
def test_dashboard_is_grafana_json_on_the_contract(variant: Variant, rendered: Render) -> None:
    ops = ops_of(rendered(variant))
    dashboard = json.loads(ops.dashboard.read_text())
    assert 36 <= dashboard["schemaVersion"] <= 41
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert variables["job"]["current"]["value"] == ops.job

    all_panels = panels(dashboard)
    ids = [panel["id"] for panel in all_panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    cells: set[tuple[int, int]] = set()
    for panel in all_panels:
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24, panel["title"]
        mine = {
            (x, y)
            for x in range(pos["x"], pos["x"] + pos["w"])
            for y in range(pos["y"], pos["y"] + pos["h"])
        }
        assert not mine & cells, f"panel {panel['title']!r} overlaps another"
        cells |= mine
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            assert panel["targets"], panel["title"]

    queries = dashboard_queries(dashboard, ops.job)
    used: set[str] = set()
    for name, expr in queries.items():
        names = metric_names(expr)
        assert names, f"{name} selects no metric: {expr!r}"
        unknown = names - contract(variant)
        assert not unknown, f"{name} uses metrics outside the contract: {unknown}"
        used |= names
    # The RED panels, the runtime and the build info are all there.
    assert {
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "http_requests_in_flight",
        "service_build_info",
        "go_goroutines",
        "go_memstats_heap_alloc_bytes",
    } <= used
    assert bool(used & DB_METRICS) == (variant["database"] != "none")
    # The cache's panels: ratio, tiers, loads, latency, evictions; Redis and its pool.
    cache_panels = {
        "none": set(),
        "memory": CACHE_PANEL_METRICS,
        "redis": CACHE_PANEL_METRICS | REDIS_PANEL_METRICS,
    }[variant["cache"]]
    assert used & (CACHE_METRICS | REDIS_CACHE_METRICS) == cache_panels
    exprs = "\n".join(queries.values())
    for quantile in ("0.5", "0.95", "0.99"):
        assert f"histogram_quantile({quantile}, sum by (method, route, le)" in exprs


# --- slow layer: promtool -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("variant", WITH_METRICS, ids=lambda v: v.id)
def test_promtool_checks_config_and_rules(
    variant: Variant, rendered: Render, promtool: Path
) -> None:
    ops = ops_of(rendered(variant))
    lint = ["--lint=all", "--lint-fatal"]
    out = run([str(promtool), "check", "config", *lint, str(ops.prometheus)], ops.root)
    assert "SUCCESS: 2 rule files found" in out, out
    out = run([str(promtool), "check", "rules", *lint, *map(str, ops.rule_files)], ops.root)
    assert out.count("SUCCESS:") == 2, out
    counts = [int(n) for n in re.findall(r"SUCCESS: (\d+) rules found", out)]
    assert sum(counts) == len(ops.rules()), out


@pytest.mark.slow
def test_promtool_rejects_a_scrape_config_it_does_not_know(promtool: Path, tmp_path: Path) -> None:
    """The check is strict: promtool is built with only some service discoveries
    (extensions/go_deps.yml), and a key it does not know fails instead of passing."""
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "scrape_configs:\n  - job_name: j\n    made_up_sd_configs:\n      - server: x\n"
    )
    done = subprocess.run(
        [str(promtool), "check", "config", str(config)], capture_output=True, text=True
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "field made_up_sd_configs not found" in done.stdout + done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("variant", WITH_METRICS, ids=lambda v: v.id)
def test_dashboard_queries_parse_as_promql(
    variant: Variant, rendered: Render, promtool: Path, tmp_path: Path
) -> None:
    """Each query, as Grafana sends it, becomes a recording rule that promtool parses."""
    ops = ops_of(rendered(variant))
    queries = dashboard_queries(json.loads(ops.dashboard.read_text()), ops.job)
    rules = [{"record": f"dashboard:{name}", "expr": expr} for name, expr in queries.items()]
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    out = run([str(promtool), "check", "rules", str(path)], tmp_path)
    assert f"SUCCESS: {len(rules)} rules found" in out, out


# The rule unit tests. Traffic is modelled per minute on one route; when an alert must
# fire follows from BUDGETS and BURNS (the workbook's detection time, plus `for`).
PER_MINUTE = 10_000
HEALTHY_ERRORS = 5  # 0.05% of requests answer 500: half the availability budget
HEALTHY_SLOW = 50  # 0.5% of requests take 0.5 s: half the latency budget
FAST_SECONDS, SLOW_SECONDS = 0.05, 0.5


Requests = dict[float, int]  # requests a minute by how long they took, in seconds


@dataclass(frozen=True)
class Traffic:
    """``minutes`` of traffic: PER_MINUTE requests a minute, ``errors`` of them answered
    500 (fast), ``slow`` of them answered 200 in SLOW_SECONDS, the rest 200 in FAST_SECONDS."""

    minutes: int
    errors: int = HEALTHY_ERRORS
    slow: int = HEALTHY_SLOW

    def per_minute(self, status: str) -> Requests:
        if status == "500":
            return {FAST_SECONDS: self.errors}
        return {FAST_SECONDS: PER_MINUTE - self.errors - self.slow, SLOW_SECONDS: self.slow}


def count(requests: Requests) -> float:
    return sum(requests.values())


def seconds(requests: Requests) -> float:
    return sum(duration * n for duration, n in requests.items())


def within(le: float) -> Callable[[Requests], float]:
    return lambda requests: sum(n for duration, n in requests.items() if duration <= le)


def counter(observed: list[tuple[int, Requests]], value: Callable[[Requests], float]) -> str:
    """promtool's expanding notation for a counter that starts at 0 at minute 0 and
    grows by ``value(requests)`` each minute of each ``(minutes, requests)`` segment."""
    parts, total = ["0"], 0.0
    for length, requests in observed:
        step = value(requests)
        parts.append(f"{total + step:.12g}+{step:.12g}x{length - 1}")
        total += step * length
    return " ".join(parts)


def http_series(job: str, traffic: list[Traffic]) -> list[dict[str, str]]:
    """The input series of one route, as the service exposes them, and ``up``."""
    series = []
    for status in ("200", "500"):
        labels = (
            f'job="{job}", instance="{INSTANCE}", method="GET", route="{ROUTE}", status="{status}"'
        )
        observed = [(t.minutes, t.per_minute(status)) for t in traffic]
        shapes: list[tuple[str, str, Callable[[Requests], float]]] = [
            ("http_requests_total", labels, count),
            ("http_request_duration_seconds_count", labels, count),
            ("http_request_duration_seconds_sum", labels, seconds),
            *(
                ("http_request_duration_seconds_bucket", f'{labels}, le="{le:g}"', within(le))
                for le in BUCKETS
            ),
            ("http_request_duration_seconds_bucket", f'{labels}, le="+Inf"', count),
        ]
        series += [
            {"series": f"{name}{{{labels}}}", "values": counter(observed, value)}
            for name, labels, value in shapes
        ]
    up = f'up{{job="{job}", instance="{INSTANCE}"}}'
    series.append({"series": up, "values": f"1x{sum(t.minutes for t in traffic)}"})
    return series


def burn(slo: str, long: str) -> tuple[float, int, int]:
    """An alert's threshold (burn rate x budget), short window and `for`, in minutes."""
    short, factor, hold, _ = BURNS[long]
    return factor * BUDGETS[slo], minutes(short), minutes(hold)


def minutes(duration: str) -> int:
    value, unit = int(duration[:-1]), duration[-1]
    return value * {"m": 1, "h": 60, "d": 1440}[unit]


def detection(threshold: float, window: float, base: float, bad: float) -> float:
    """Minutes until the bad share over ``window`` passes ``threshold`` once the share
    of bad requests steps from ``base`` to ``bad`` (the workbook's detection time)."""
    return window * (threshold - base) / (bad - base)


def alerts_series(job: str, alert: str, state: str, **labels: str) -> dict[str, Any]:
    text = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return {
        "labels": f'ALERTS{{alertname="{alert}", alertstate="{state}", job="{job}", {text}}}',
        "value": 1,
    }


def ratio(job: str, sli: str, window: str, at: int, value: float) -> dict[str, Any]:
    """The recorded share of bad requests is ``value`` (give or take rounding)."""
    name = f"job:http_request_{sli}:ratio_rate{window}"
    return {
        "expr": f'abs({name}{{job="{job}"}} - {value}) < bool 1e-9',
        "eval_time": f"{at}m",
        "exp_samples": [{"labels": f'{{job="{job}"}}', "value": 1}],
    }


def no_alerts(at: int, selector: str = "") -> dict[str, Any]:
    return {"expr": f"ALERTS{selector}", "eval_time": f"{at}m", "exp_samples": []}


def firing(ops: Ops, alert: str, at: int, slo: str, severity: str) -> dict[str, Any]:
    return {
        "expr": f'ALERTS{{alertname="{alert}", alertstate="firing"}}',
        "eval_time": f"{at}m",
        "exp_samples": [alerts_series(ops.job, alert, "firing", severity=severity, slo=slo)],
    }


def quiet(alert: str, at: int) -> dict[str, Any]:
    return no_alerts(at, f'{{alertname="{alert}", alertstate="firing"}}')


def expanded(ops: Ops, alert: str, value: str, **labels: str) -> dict[str, str]:
    """The alert's annotations as Prometheus renders them, for an exact comparison."""
    out = {}
    for key, text in ops.alert(alert)["annotations"].items():
        text = text.replace("{{ humanizePercentage .Value }}", value)
        text = re.sub(r"\{\{ \.Labels\.(\w+) \}\}", lambda m: labels[m[1]], text)
        assert "{{" not in text, f"{alert}.{key}: a template the test does not know: {text}"
        out[key] = text
    return out


def rule_tests(ops: Ops) -> dict[str, Any]:
    job = ops.job
    base_errors = HEALTHY_ERRORS / PER_MINUTE
    base_slow = HEALTHY_SLOW / PER_MINUTE
    groups: list[dict[str, Any]] = []

    # A healthy service spends half of each budget: no alert fires, none is even pending.
    groups.append(
        {
            "name": "healthy service: silence",
            "input_series": http_series(job, [Traffic(8 * 60)]),
            "promql_expr_test": [
                *(no_alerts(at) for at in (10, 60, 3 * 60, 8 * 60)),
                ratio(job, "errors", "1h", at=120, value=base_errors),
                ratio(job, "slow", "1h", at=120, value=base_slow),
            ],
        }
    )

    # An outage: 5% of requests fail (50x the budget) for 90 minutes after an hour of
    # health. The 1h/5m page fires when the workbook says (the 1h error ratio passes
    # 14.4 x 0.1%, plus `for`), pages, says what it measured, leaves the latency SLO
    # alone, and resolves a few minutes after the outage thanks to the 5m window,
    # although the 1h ratio is still far above the threshold then.
    start, length, errors = 60, 90, 500
    ratio_1h = "job:http_request_errors:ratio_rate1h"
    threshold, short, hold = burn("Availability", "1h")
    due = start + detection(threshold, 60, base_errors, errors / PER_MINUTE) + hold
    resolved = (
        start
        + length
        + short * (1 - (threshold - base_errors) / (errors / PER_MINUTE - base_errors))
    )
    groups.append(
        {
            "name": "outage: 5% errors page within the hour",
            "input_series": http_series(
                job, [Traffic(start), Traffic(length, errors=errors), Traffic(60)]
            ),
            "promql_expr_test": [
                quiet("AvailabilityBudgetBurn1h", math.floor(due) - 2),
                firing(
                    ops, "AvailabilityBudgetBurn1h", math.ceil(due) + 1, "availability", "critical"
                ),
                no_alerts(start + 70, '{slo="latency"}'),
                no_alerts(math.ceil(resolved) + 1, '{alertname="AvailabilityBudgetBurn1h"}'),
                {
                    "expr": f'{ratio_1h}{{job="{job}"}} > bool {threshold:g}',
                    "eval_time": f"{math.ceil(resolved) + 1}m",
                    "exp_samples": [{"labels": f'{{job="{job}"}}', "value": 1}],
                },
            ],
            "alert_rule_test": [
                {
                    "alertname": "AvailabilityBudgetBurn1h",
                    "eval_time": f"{start + 70}m",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "job": job,
                                "severity": "critical",
                                "slo": "availability",
                            },
                            "exp_annotations": expanded(ops, "AvailabilityBudgetBurn1h", "5%"),
                        }
                    ],
                }
            ],
        }
    )

    # Slow responses: half of the requests take 0.5 s (50x the latency budget), none
    # fails. The latency page fires on time; no availability alert does.
    start, slow = 60, PER_MINUTE // 2
    threshold, short, hold = burn("Latency", "1h")
    due = start + detection(threshold, 60, base_slow, slow / PER_MINUTE) + hold
    groups.append(
        {
            "name": "slow responses page on latency",
            "input_series": http_series(job, [Traffic(start), Traffic(90, slow=slow)]),
            "promql_expr_test": [
                quiet("LatencyBudgetBurn1h", math.floor(due) - 2),
                firing(ops, "LatencyBudgetBurn1h", math.ceil(due) + 1, "latency", "critical"),
                no_alerts(start + 90, '{slo="availability"}'),
            ],
            "alert_rule_test": [
                {
                    "alertname": "LatencyBudgetBurn1h",
                    "eval_time": f"{start + 70}m",
                    "exp_alerts": [
                        {
                            "exp_labels": {"job": job, "severity": "critical", "slo": "latency"},
                            "exp_annotations": expanded(ops, "LatencyBudgetBurn1h", "50%"),
                        }
                    ],
                }
            ],
        }
    )

    # A slow leak: 0.4% of requests fail (4x the budget) from the start. That is a
    # ticket (1d/2h at 3x, after its hour of `for`), never a page.
    leak = 40
    _, _, hold = burn("Availability", "1d")
    groups.append(
        {
            "name": "slow leak: a ticket, no page",
            "input_series": http_series(job, [Traffic(4 * 60, errors=leak)]),
            "promql_expr_test": [
                quiet("AvailabilityBudgetBurn1d", hold - 5),
                firing(ops, "AvailabilityBudgetBurn1d", hold + 5, "availability", "warning"),
                *(no_alerts(at, '{severity="critical"}') for at in (30, 2 * 60, 4 * 60)),
            ],
            "alert_rule_test": [
                {
                    "alertname": "AvailabilityBudgetBurn1d",
                    "eval_time": "3h",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "job": job,
                                "severity": "warning",
                                "slo": "availability",
                            },
                            "exp_annotations": expanded(ops, "AvailabilityBudgetBurn1d", "0.4%"),
                        }
                    ],
                }
            ],
        }
    )

    # A target that stops answering scrapes at minute 11: TargetDown after its `for`.
    down, hold = 11, minutes(ops.alert("TargetDown")["for"])
    groups.append(
        {
            "name": "target down",
            "input_series": [
                {
                    "series": f'up{{job="{job}", instance="{INSTANCE}"}}',
                    "values": f"1x{down - 1} 0x30",
                }
            ],
            "alert_rule_test": [
                {"alertname": "TargetDown", "eval_time": f"{down + hold - 1}m", "exp_alerts": []},
                {
                    "alertname": "TargetDown",
                    "eval_time": f"{down + hold + 1}m",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "job": job,
                                "instance": INSTANCE,
                                "severity": "critical",
                            },
                            "exp_annotations": expanded(ops, "TargetDown", "", instance=INSTANCE),
                        }
                    ],
                },
            ],
        }
    )
    return {
        "rule_files": [str(path) for path in ops.rule_files],
        "evaluation_interval": "1m",
        "tests": [{"interval": "1m", **group} for group in groups],
    }


# The cache's reads, per minute: a warm cache answers 90% of them.
CACHE_READS, WARM_HITS = 1_000, 900


def cache_series(job: str, minutes: list[tuple[int, int, int]]) -> list[dict[str, str]]:
    """The cache's hit and miss counters over segments of (minutes, reads a minute, hits
    a minute)."""
    labels = f'job="{job}", instance="{INSTANCE}", cache="notes"'
    hits = [(length, {0.0: hit}) for length, _, hit in minutes]
    misses = [(length, {0.0: reads - hit}) for length, reads, hit in minutes]
    return [
        {"series": f'cache_hits_total{{{labels}, tier="local"}}', "values": counter(hits, count)},
        {"series": f"cache_misses_total{{{labels}}}", "values": counter(misses, count)},
    ]


def cache_rule_groups(ops: Ops, cache: str) -> list[dict[str, Any]]:
    """Unit tests of the cache's alerts: a warm cache is silent, a cold one warns after
    its window and `for`, a quiet one never does; a Redis that stops answering warns."""
    if cache == "none":
        return []
    job, alert = ops.job, "CacheHitRatioLow"
    # 60 warm minutes, then 90 at 20%: the 30m ratio falls below 50% once 4/7 of its
    # window is cold, about 17 minutes in; the alert fires 30 minutes after that.
    start, cold = 60, 200
    due = start + 30 * (WARM_HITS / CACHE_READS - 0.5) / (
        WARM_HITS / CACHE_READS - cold / CACHE_READS
    )
    hold = minutes(ops.alert(alert)["for"])
    labels = {"job": job, "cache": "notes", "severity": "warning"}
    groups: list[dict[str, Any]] = [
        {
            "name": "warm cache: silence",
            "input_series": cache_series(job, [(4 * 60, CACHE_READS, WARM_HITS)]),
            "alert_rule_test": [{"alertname": alert, "eval_time": "3h", "exp_alerts": []}],
        },
        {
            "name": "cold cache: a warning",
            "input_series": cache_series(
                job, [(start, CACHE_READS, WARM_HITS), (90, CACHE_READS, cold)]
            ),
            "alert_rule_test": [
                {
                    "alertname": alert,
                    "eval_time": f"{math.floor(due + hold) - 2}m",
                    "exp_alerts": [],
                },
                {
                    "alertname": alert,
                    "eval_time": f"{math.ceil(due + hold) + 2}m",
                    "exp_alerts": [
                        {
                            "exp_labels": labels,
                            "exp_annotations": expanded(ops, alert, "20%", cache="notes"),
                        }
                    ],
                },
            ],
        },
        {
            "name": "a quiet cache (under a read a second): silence",
            "input_series": cache_series(job, [(3 * 60, 30, 0)]),
            "alert_rule_test": [{"alertname": alert, "eval_time": "2h", "exp_alerts": []}],
        },
    ]
    if cache == "redis":
        down, alert = 11, "CacheRedisUnavailable"
        hold = minutes(ops.alert(alert)["for"])
        up = f'cache_backend_up{{job="{job}", instance="{INSTANCE}", cache="notes"}}'
        groups.append(
            {
                "name": "Redis stops answering: a warning",
                "input_series": [{"series": up, "values": f"1x{down - 1} 0x30"}],
                "alert_rule_test": [
                    {"alertname": alert, "eval_time": f"{down + hold - 1}m", "exp_alerts": []},
                    {
                        "alertname": alert,
                        "eval_time": f"{down + hold + 1}m",
                        "exp_alerts": [
                            {
                                "exp_labels": {**labels, "instance": INSTANCE},
                                "exp_annotations": expanded(
                                    ops, alert, "", instance=INSTANCE, cache="notes"
                                ),
                            }
                        ],
                    },
                ],
            }
        )
    return [{"interval": "1m", **group} for group in groups]


@pytest.mark.slow
@pytest.mark.parametrize("variant", WITH_METRICS, ids=lambda v: v.id)
def test_alert_rules_fire_when_they_should(
    variant: Variant, rendered: Render, promtool: Path, tmp_path: Path
) -> None:
    ops = ops_of(rendered(variant))
    unit_tests = rule_tests(ops)
    unit_tests["tests"] += cache_rule_groups(ops, variant["cache"])
    tests = tmp_path / "alerts_test.yml"
    tests.write_text(yaml.safe_dump(unit_tests, sort_keys=False, width=200))
    out = run([str(promtool), "test", "rules", str(tests)], tmp_path)
    assert "SUCCESS" in out, out


@pytest.mark.slow
def test_the_rules_follow_slo_yaml(
    render_with: Callable[[dict[str, Any]], Path], promtool: Path
) -> None:
    """An objective changed in slo.yaml: `make check-generated` fails until `make generate`
    rewrites slo-rules.yml from it, and the new rules pass promtool."""
    root = render_with({})
    env = {"GOFLAGS": "-mod=readonly"}
    slo = root / "slo.yaml"
    slo.write_text(slo.read_text().replace("target: 99.9", "target: 99.5", 1))
    done = subprocess.run(
        ["make", "check-generated"],
        cwd=root,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode != 0
    assert "slo-rules.yml is not what slo.yaml gives: run make generate" in done.stderr
    run(["make", "generate"], root, env)
    run(["make", "check-generated"], root, env)
    ops = ops_of(root)
    alert = ops.alert("AvailabilityBudgetBurn1h")
    assert "> (14.4 * 0.005)" in alert["expr"]
    assert (
        "the 0.5% error budget of the 99.5% availability SLO" in alert["annotations"]["description"]
    )
    out = run([str(promtool), "check", "rules", *map(str, ops.rule_files)], root)
    assert out.count("SUCCESS:") == 2, out

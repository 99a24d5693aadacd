"""The deploy slice (chapter 14, and the release of chapter 17): compose.yaml, the
Kubernetes manifests and the Helm chart of every deploy answer of the matrix, checked
with the tools that read them for real. The image itself (Dockerfile, hadolint, podman
build and run) is tested elsewhere.

Fast layer (Python only):

* compose.yaml validates against the Compose specification's JSON schema (the copy
  that check-jsonschema ships, ``vendor.compose-spec``; an unknown key fails), and it
  runs exactly the servers the answers need, each awaited healthy when it can be, with
  its data in named volumes and the service's settings from .env;
* the release configuration: binaries, checksums and SBOMs, and with a deploy answer the
  image for linux/amd64 and linux/arm64 (``goreleaser check``, actionlint and the GitLab
  CI schema run over every variant in test_tooling.py's slow layer);
* deploy/README.md says what the manifests do: SQLite's single replica, the monitoring
  namespace, and the configuration error a missing secret stops the service with.

Slow layer (kustomize and Helm, pinned under test_tools in extensions/go_deps.yml and
built once per machine by tests/tools.py): ``kustomize build`` of every overlay,
``helm lint --strict`` and ``helm template`` with the chart's values and with
values-prod.yaml; every object is validated strictly against the Kubernetes JSON
schemas (kubernetes-validate: an unknown field fails), then read for what it must say
(probes, shutdown timing, security settings, secrets by reference, the ConfigMap's
variables, the network policy, replicas and the migration Job). values.schema.json
must refuse bad values with its own message.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml
from conftest import Render
from jinja2 import Environment, StrictUndefined
from variants import REPO_ROOT, Variant, valid_variants

from extensions.template_extension import EnvVar, GofactoryExtension, duration_seconds

VARIANTS = valid_variants()
CONTAINER = [v for v in VARIANTS if v["deploy"] != "none"]
KUSTOMIZE = [v for v in VARIANTS if v["deploy"] == "kubernetes"]
HELM = [v for v in VARIANTS if v["deploy"] == "helm"]
CLUSTER = KUSTOMIZE + HELM

BIN = Path(sys.executable).parent
# The Kubernetes release whose schemas the objects must satisfy: the newest that the
# pinned kubernetes-validate ships.
KUBERNETES = kubernetes_validate.latest_version()
OVERLAYS = ("dev", "stage", "prod")
# The namespace whose pods may reach the admin listener (deploy/README.md says so).
MONITORING = "monitoring"
# What the service's configuration says when a variable without a default is unset
# (internal/config/load.go): what a pod without its Secret's key logs before it exits.
UNSET_MESSAGE = "must be set: it has no default"
SERVER_DATABASES = ("postgres", "mysql")


def cases(variants: Iterable[Variant], want: Iterable[str]) -> list[Any]:
    """The variants, each with its id; fails collection when the matrix lacks a choice,
    so that no check passes for want of a variant to run on."""
    variants = list(variants)
    missing = set(want) - {v["deploy"] for v in variants}
    assert not missing, f"the matrix has no variant with deploy={sorted(missing)}"
    return [pytest.param(v, id=v.id) for v in variants]


def run(cmd: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, cmd))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


def answers(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / ".copier-answers.yml").read_text("utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def env_vars(root: Path) -> list[EnvVar]:
    """The service's variables, from the one list the template renders everything from
    (the slices' declarations, through the extension's env_vars())."""
    env = Environment(extensions=[GofactoryExtension], undefined=StrictUndefined)
    found: list[EnvVar] = json.loads(
        env.from_string("{{ env_vars() | tojson }}").render(**answers(root))
    )
    return found


def cluster_value(var: EnvVar) -> str:
    """The value a cluster runs a variable with: its declaration's, else its default."""
    return var["cluster"] or var["default"]


# --------------------------------------------------------------------------------------------
# compose.yaml
# --------------------------------------------------------------------------------------------


def compose_servers(variant: Variant) -> set[str]:
    """The servers beside the service that the answers need on a developer's machine."""
    servers = set()
    if variant["database"] == "postgres":
        servers.add("postgres")
    if variant["database"] == "mysql":
        servers.add("mariadb")
    if variant["cache"] == "redis":
        servers.add("redis")
    if variant["tracing"]:
        servers.add("otel-collector")
    if variant["metrics"]:
        servers.add("prometheus")
    if variant["auth"] == "oidc" and variant["auth_provider"] == "keycloak":
        servers.add("keycloak")
    return servers


# Servers that keep data, and where; and those that can report their health.
SERVER_DATA = {
    "postgres": "/var/lib/postgresql/data",
    "mariadb": "/var/lib/mysql",
    "prometheus": "/prometheus",
}
HEALTH_CHECKED = {"postgres", "mariadb", "redis"}
# Servers in the service's network namespace, which start after it.
SHARING = {"prometheus", "keycloak"}


@pytest.mark.parametrize("variant", cases(VARIANTS, ["none", "docker"]))
def test_container_files_exist_exactly_with_a_deploy_answer(
    variant: Variant, rendered: Render
) -> None:
    root = rendered(variant)
    deploy = variant["deploy"]
    assert (root / "compose.yaml").is_file() == (deploy != "none")
    assert (root / "deploy" / "kubernetes").is_dir() == (deploy == "kubernetes")
    assert (root / "deploy" / "helm").is_dir() == (deploy == "helm")
    collector = root / "deploy" / "otel-collector.yaml"
    assert collector.is_file() == (deploy != "none" and variant["tracing"])


@pytest.mark.parametrize("variant", cases(CONTAINER, ["docker", "kubernetes", "helm"]))
def test_compose_file_is_valid_and_runs_what_the_answers_need(
    variant: Variant, rendered: Render
) -> None:
    root = rendered(variant)
    compose = root / "compose.yaml"
    run(
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.compose-spec", compose],
        root,
    )
    spec = yaml.safe_load(compose.read_text("utf-8"))
    svc = answers(root)["service_name"]
    services: dict[str, Any] = spec["services"]
    servers = compose_servers(variant)
    assert set(services) == {svc} | servers

    service = services[svc]
    assert service["build"] == "."
    assert service["env_file"] == [{"path": ".env", "required": False}]
    variables = env_vars(root)
    # The servers' addresses on compose's network, from the variables' declarations.
    assert service.get("environment", {}) == {
        v["name"]: v["compose"] for v in variables if v["compose"]
    }
    for name, value in service.get("environment", {}).items():
        host = re.search(r"@([a-z-]+):|//([a-z-]+):", value)
        # Servers that share the service's network are at localhost.
        reachable = servers - SHARING | ({"localhost"} if servers & SHARING else set())
        assert host and (host[1] or host[2]) in reachable, f"{name}={value} names no server"
    # Ports from .env (the ${...} compose reads), the admin listener on loopback only.
    defaults = {v["name"]: v["default"] for v in variables}
    port, admin = defaults["PORT"], defaults["ADMIN_PORT"]
    published = service["ports"]
    assert f"${{PORT:-{port}}}:${{PORT:-{port}}}" in published
    assert f"127.0.0.1:${{ADMIN_PORT:-{admin}}}:${{ADMIN_PORT:-{admin}}}" in published
    for name in re.findall(r"\$\{([A-Z_]+)", compose.read_text("utf-8")):
        assert name in defaults, f"compose.yaml reads ${name}, which the service does not"

    # Every server the service needs first is awaited: healthy when it has a check.
    waited = service.get("depends_on", {})
    for name in servers - SHARING:
        has_check = "healthcheck" in services[name]
        assert has_check == (name in HEALTH_CHECKED), name
        condition = "service_healthy" if has_check else "service_started"
        assert waited.get(name) == {"condition": condition}, f"{svc} must wait for {name}"
    # Prometheus scrapes the admin listener on the service's own network; Keycloak
    # is on it so that the service and the host reach it at one address, the issuer.
    for name in servers & SHARING:
        assert services[name]["network_mode"] == f"service:{svc}"
        assert services[name]["depends_on"] == {svc: {"condition": "service_started"}}
    if "keycloak" in servers:
        assert "127.0.0.1:8180:8180" in published

    # Data lives in named volumes, each declared once and used.
    declared = set(spec.get("volumes") or {})
    used = set()
    for name, definition in services.items():
        for mount in definition.get("volumes", []):
            source, target = mount.split(":")[:2]
            if source.startswith((".", "/")):
                assert source.startswith("./deploy/"), f"{name} mounts {source}"
                assert (root / source).exists(), f"{name} mounts {source}, which is missing"
                continue
            assert source in declared, f"{name} mounts an undeclared volume {source}"
            used.add((name, target))
    expected = {(name, path) for name, path in SERVER_DATA.items() if name in servers}
    if variant["database"] == "sqlite":
        expected.add((svc, "/home/nonroot"))  # the working directory: data/<svc>.db
    assert used == expected
    assert len(declared) == len(used)


# --------------------------------------------------------------------------------------------
# The release
# --------------------------------------------------------------------------------------------


def pinned_goreleaser() -> str:
    spec = yaml.safe_load((REPO_ROOT / "extensions" / "go_deps.yml").read_text("utf-8"))
    version: str = spec["test_tools"]["goreleaser"]["version"]
    return version


@pytest.mark.parametrize("variant", cases(VARIANTS, ["none", "docker", "kubernetes", "helm"]))
def test_release_builds_binaries_checksums_sboms_and_the_image(
    variant: Variant, rendered: Render
) -> None:
    root = rendered(variant)
    config = yaml.safe_load((root / ".goreleaser.yaml").read_text("utf-8"))
    (build,) = config["builds"]
    assert "CGO_ENABLED=0" in build["env"] and "-trimpath" in build["flags"]
    assert set(build["goarch"]) >= {"amd64", "arm64"} and "linux" in build["goos"]
    assert config["checksum"]["name_template"]
    assert config["sboms"] == [{"artifacts": "archive"}]
    images = config.get("dockers_v2", [])
    if variant["deploy"] == "none":
        assert not images and "dockers" not in config
    else:
        image = answers(root)["image"]
        (docker,) = images
        assert docker["images"] == [image]
        assert docker["platforms"] == ["linux/amd64", "linux/arm64"]
        assert docker["sbom"] is True
        # The Dockerfile's stage that copies goreleaser's binaries in.
        (target,) = [f.split("=", 1)[1] for f in docker["flags"] if f.startswith("--target=")]
        dockerfile = (root / "Dockerfile").read_text("utf-8")
        assert re.search(rf"^FROM \S+ AS {target}$", dockerfile, re.M), target

    registry = answers(root).get("image", "").split("/")[0]
    version = pinned_goreleaser()
    if variant["ci"] == "github":
        workflow = yaml.safe_load((root / ".github/workflows/release.yml").read_text("utf-8"))
        assert workflow[True] == {"push": {"tags": ["v*"]}}  # YAML 1.1 reads "on" as True
        steps = workflow["jobs"]["release"]["steps"]
        uses = {s.get("uses", "").split("@")[0]: s for s in steps}
        goreleaser = uses["goreleaser/goreleaser-action"]["with"]
        assert goreleaser["version"] == version and goreleaser["args"] == "release --clean"
        assert "anchore/sbom-action/download-syft" in uses
        login = uses.get("docker/login-action")
        assert (login is not None) == (variant["deploy"] != "none")
        if login is not None:
            assert login["with"]["registry"] == registry
            assert "docker/setup-buildx-action" in uses
        permissions = workflow["permissions"]
        assert permissions.get("packages") == ("write" if registry == "ghcr.io" else None)
    if variant["ci"] == "gitlab":
        job = yaml.safe_load((root / ".gitlab-ci.yml").read_text("utf-8"))["release"]
        assert job["rules"] == [{"if": "$CI_COMMIT_TAG =~ /^v[0-9]/"}]
        assert job["image"]["name"] == f"goreleaser/goreleaser:{version}"
        assert ("services" in job) == (variant["deploy"] != "none")
        if variant["deploy"] != "none":
            (login,) = [line for line in job["before_script"] if "docker login" in line]
            host = '"$CI_REGISTRY"' if registry == "registry.gitlab.com" else registry
            assert login.endswith(f" {host}"), login


# --------------------------------------------------------------------------------------------
# deploy/README.md
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", cases(CLUSTER, ["kubernetes", "helm"]))
def test_deploy_readme_says_what_the_manifests_do(variant: Variant, rendered: Render) -> None:
    root = rendered(variant)
    readme = " ".join((root / "deploy" / "README.md").read_text("utf-8").split())
    load = (REPO_ROOT / "template" / "internal" / "config" / "load.go").read_text("utf-8")
    assert f'Message: "{UNSET_MESSAGE}"' in load, "the unset message changed: update this"
    for var in env_vars(root):
        if var["secret"]:
            assert f"--from-literal={var['name']}=" in readme, var["name"]
        if var["required"]:
            # A key missing from the Secret: the pod logs this and exits at start.
            assert f"{var['name']}: {UNSET_MESSAGE}" in readme, var["name"]
    assert f"`{MONITORING}`" in readme
    assert ("exactly one replica" in readme) == (variant["database"] == "sqlite")
    assert "Roll back" in readme


# --------------------------------------------------------------------------------------------
# Kubernetes objects: what kustomize and Helm produce
# --------------------------------------------------------------------------------------------


def documents(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d]


def validate_strictly(objects: list[dict[str, Any]], where: str) -> None:
    """Every object against the Kubernetes schemas, unknown fields refused."""
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = "/".join(map(str, error.path))
            pytest.fail(
                f"{where}: {obj['kind']} {obj['metadata']['name']} at /{path}: {error.message}"
            )


def one(objects: list[dict[str, Any]], kind: str, component: str = "") -> dict[str, Any]:
    found = [
        o
        for o in objects
        if o["kind"] == kind
        and (
            not component or o["metadata"]["labels"].get("app.kubernetes.io/component") == component
        )
    ]
    assert len(found) == 1, f"want one {kind} {component}, got {len(found)}"
    return found[0]


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    want = selector.get("matchLabels", selector)
    return bool(want) and all(labels.get(k) == v for k, v in want.items())


def check_pod_security(pod: dict[str, Any], user: int) -> None:
    security = pod["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["runAsUser"] == user, "the image's USER"
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    for container in pod["containers"]:
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }, container["name"]


def check_secret_references(
    container: dict[str, Any], variables: list[EnvVar], secret: str
) -> None:
    """Each secret variable comes from a key of the Secret, never a value; the key is
    optional, so that a missing one reaches the service as an unset variable, which
    stops it at start with the configuration error naming it."""
    env = {e["name"]: e for e in container.get("env", [])}
    for var in variables:
        if not var["secret"]:
            continue
        entry = env.get(var["name"])
        assert entry is not None, f"{container['name']} lacks {var['name']}"
        assert "value" not in entry, f"{var['name']} holds a value"
        assert entry["valueFrom"] == {
            "secretKeyRef": {"name": secret, "key": var["name"], "optional": True}
        }


def image_user(root: Path) -> int:
    """The numeric user the image runs as (the Dockerfile's last USER)."""
    users = re.findall(r"^USER (\d+)(?::\d+)?$", (root / "Dockerfile").read_text("utf-8"), re.M)
    assert users, "the Dockerfile names its user by number"
    return int(users[-1])


def check_cluster_objects(
    objects: list[dict[str, Any]],
    root: Path,
    variant: Variant,
    *,
    where: str,
    app_env: str,
) -> None:
    """What every rendering of the manifests (an overlay, a set of Helm values) must say."""
    validate_strictly(objects, where)
    variables = env_vars(root)
    kinds = sorted(o["kind"] for o in objects)
    assert "Secret" not in kinds, f"{where}: secrets are references, never objects here"
    sqlite = variant["database"] == "sqlite"
    server_database = variant["database"] in SERVER_DATABASES
    helm = variant["deploy"] == "helm"
    expected = ["ConfigMap", "Deployment", "NetworkPolicy", "Service", "ServiceAccount"]
    expected += (
        ["PersistentVolumeClaim"] if sqlite else ["HorizontalPodAutoscaler", "PodDisruptionBudget"]
    )
    expected += ["Job"] if server_database else []
    expected += ["Pod"] if helm else []  # helm test's
    assert kinds == sorted(expected), where

    deployment = one(objects, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert selects(deployment["spec"]["selector"], labels)
    (container,) = pod["containers"]

    # The configuration: exactly the variables that are not secrets.
    config = one(objects, "ConfigMap")
    data: dict[str, str] = config["data"]
    assert sorted(data) == sorted(v["name"] for v in variables if not v["secret"]), where
    assert data["APP_ENV"] == app_env
    assert container["envFrom"] == [{"configMapRef": {"name": config["metadata"]["name"]}}]
    for var in variables:
        if not var["secret"] and var["name"] not in ("APP_ENV", "LOG_LEVEL"):
            assert data[var["name"]] == cluster_value(var), f"{where}: {var['name']}"
    # The Secret the operator creates, named as the service (the Helm release's full name).
    secret = answers(root)["service_name"]
    check_secret_references(container, variables, secret)

    # Listeners and probes.
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": int(data["PORT"]), "admin": int(data["ADMIN_PORT"])}
    probes = {
        kind: (
            container[f"{kind}Probe"]["httpGet"]["path"],
            container[f"{kind}Probe"]["httpGet"]["port"],
        )
        for kind in ("startup", "liveness", "readiness")
    }
    assert probes == {
        "startup": ("/healthz", "http"),
        "liveness": ("/healthz", "http"),
        "readiness": ("/readyz", "http"),
    }

    # Shutdown: /readyz answers 503 for SHUTDOWN_DELAY, then in-flight requests have
    # SHUTDOWN_TIMEOUT; Kubernetes must not kill the pod before both are over. A preStop
    # sleep would come first and add to them (the image has no shell to exec one).
    delay = duration_seconds(data["SHUTDOWN_DELAY"])
    timeout = duration_seconds(data["SHUTDOWN_TIMEOUT"])
    assert delay >= 5, "about 5 s for the endpoints to drop the pod"
    pre_stop = container.get("lifecycle", {}).get("preStop", {})
    assert "exec" not in pre_stop, "distroless has no shell or sleep to exec"
    sleep = pre_stop.get("sleep", {}).get("seconds", 0)
    assert pod["terminationGracePeriodSeconds"] > sleep + delay + timeout, where

    user = image_user(root)
    check_pod_security(pod, user)
    account = one(objects, "ServiceAccount")
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    assert account["automountServiceAccountToken"] is False
    assert container["resources"]["limits"]["memory"]
    assert "cpu" not in container["resources"]["limits"]

    service = one(objects, "Service")
    assert selects(service["spec"]["selector"], labels)
    assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]

    # The API is open; the admin listener only to the monitoring namespace.
    policy = one(objects, "NetworkPolicy")
    assert selects(policy["spec"]["podSelector"], labels)
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    admin_rules = []
    for rule in policy["spec"]["ingress"]:
        rule_ports = {p["port"] for p in rule.get("ports", [])}
        assert rule_ports, f"{where}: a rule without ports opens the admin listener too"
        if rule_ports & {"admin", ports["admin"]}:
            admin_rules.append(rule)
            assert rule_ports <= {"admin", ports["admin"]}
        else:
            assert rule_ports <= {"http", ports["http"]}
    assert [r["from"] for r in admin_rules] == [
        [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": MONITORING}}}]
    ]

    if sqlite:
        # One writer on one volume: one replica, the old pod gone before the new starts.
        assert deployment["spec"]["replicas"] == 1
        assert deployment["spec"]["strategy"] == {"type": "Recreate"}
        claim = one(objects, "PersistentVolumeClaim")
        assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        data_volume = volumes[mounts["/home/nonroot"]]
        assert data_volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
        assert data["MIGRATE_ON_START"] == "true"
    else:
        assert "replicas" not in deployment["spec"], "the autoscaler sets the replicas"
        autoscaler = one(objects, "HorizontalPodAutoscaler")
        assert autoscaler["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
        least = 2 if app_env == "prod" else 1  # production survives losing a pod
        assert least <= autoscaler["spec"]["minReplicas"] <= autoscaler["spec"]["maxReplicas"]
        budget = one(objects, "PodDisruptionBudget")
        assert selects(budget["spec"]["selector"], labels)
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        assert len(pod["topologySpreadConstraints"]) == 2

    if server_database:
        job = one(objects, "Job")
        job_pod = job["spec"]["template"]["spec"]
        (migrate,) = job_pod["containers"]
        assert migrate["args"] == ["migrate", "up"]
        assert migrate["image"] == container["image"]
        assert job_pod["restartPolicy"] == "Never"
        check_pod_security(job_pod, user)
        check_secret_references(migrate, variables, secret)
        if helm:
            # Before the release's ConfigMap exists: the configuration as values.
            hooks = job["metadata"]["annotations"]["helm.sh/hook"].split(",")
            assert sorted(hooks) == ["pre-install", "pre-upgrade"]
            given = {e["name"]: e["value"] for e in migrate["env"] if "value" in e}
            assert given == data
        else:
            assert migrate["envFrom"] == container["envFrom"]
    elif variant["database"] != "none":
        assert data["MIGRATE_ON_START"] == "true"

    if helm:
        test = one(objects, "Pod")
        assert test["metadata"]["annotations"]["helm.sh/hook"] == "test"
        (check,) = test["spec"]["containers"]
        assert check["image"] == container["image"]
        assert check["args"][0] == "healthcheck" and check["args"][1].endswith("/readyz")
        check_pod_security(test["spec"], user)


def overlay_env(root: Path, overlay: str) -> dict[str, str]:
    """APP_ENV and the other literals an overlay gives config.env."""
    spec = yaml.safe_load(
        (root / "deploy" / "kubernetes" / "overlays" / overlay / "kustomization.yaml").read_text()
    )
    (generator,) = spec["configMapGenerator"]
    return dict(line.split("=", 1) for line in generator["literals"])


@pytest.mark.slow
@pytest.mark.parametrize("variant", cases(KUSTOMIZE, ["kubernetes"]))
def test_kustomize_overlays_build_valid_objects(
    variant: Variant, rendered: Render, kustomize: Path
) -> None:
    root = rendered(variant)
    overlays = root / "deploy" / "kubernetes" / "overlays"
    assert sorted(p.name for p in overlays.iterdir()) == sorted(OVERLAYS)
    image = answers(root)["image"]
    for overlay in OVERLAYS:
        objects = documents(run([kustomize, "build", overlays / overlay], root))
        literals = overlay_env(root, overlay)
        check_cluster_objects(
            objects, root, variant, where=f"overlays/{overlay}", app_env=literals["APP_ENV"]
        )
        assert literals["APP_ENV"] == overlay
        data = one(objects, "ConfigMap")["data"]
        assert {k: data[k] for k in literals} == literals
        container = one(objects, "Deployment")["spec"]["template"]["spec"]["containers"][0]
        assert re.fullmatch(rf"{re.escape(image)}:[0-9]+\.[0-9]+\.[0-9]+", container["image"])
        # deploy/README.md applies the configuration and the migration Job first, alone,
        # by their component labels.
        first = sorted(
            o["kind"]
            for o in objects
            if o["metadata"]["labels"].get("app.kubernetes.io/component") in ("config", "migrate")
        )
        assert first == (
            ["ConfigMap", "Job"] if variant["database"] in SERVER_DATABASES else ["ConfigMap"]
        )


def helm_env(tmp: Path) -> dict[str, str]:
    """Helm's own files (cache, configuration) in the test's directory."""
    return {
        "HELM_CACHE_HOME": str(tmp / "cache"),
        "HELM_CONFIG_HOME": str(tmp / "config"),
        "HELM_DATA_HOME": str(tmp / "data"),
    }


def chart_of(root: Path) -> tuple[str, Path]:
    """The service's name, which the chart bears, and the chart's directory."""
    svc: str = answers(root)["service_name"]
    return svc, root / "deploy" / "helm" / svc


@pytest.mark.slow
@pytest.mark.parametrize("variant", cases(HELM, ["helm"]))
def test_helm_chart_lints_and_renders_valid_objects(
    variant: Variant, rendered: Render, helm: Path, tmp_path: Path
) -> None:
    root = rendered(variant)
    svc, chart = chart_of(root)
    prod = root / "deploy" / "helm" / "values-prod.yaml"
    env = helm_env(tmp_path)
    choices: list[list[str | Path]] = [[], ["-f", prod]]
    for values in choices:
        run([helm, "lint", "--strict", chart, *values], root, env)
        text = run([helm, "template", svc, chart, "--namespace", "svc", *values], root, env)
        objects = documents(text)
        where = f"helm template {' '.join(map(str, values)) or '(chart values)'}"
        check_cluster_objects(objects, root, variant, where=where, app_env="prod")
        # The release name is the service's: the objects are named as in the README.
        assert one(objects, "Deployment")["metadata"]["name"] == svc
    values = yaml.safe_load((chart / "values.yaml").read_text("utf-8"))
    variables = env_vars(root)
    assert sorted(values["secret"]["keys"]) == sorted(v["name"] for v in variables if v["secret"])
    assert values["networkPolicy"]["monitoringNamespace"] == MONITORING


# Values that values.schema.json must refuse, each with the schema's message (as Helm
# words it).
BAD_VALUES = [
    ("replicaCount=two", "at '/replicaCount': got string, want integer"),
    ("replicas=2", "additional properties 'replicas' not allowed"),  # it is replicaCount
    ("config.LOG_LEVL=debug", "at '/config': additional properties 'LOG_LEVL' not allowed"),
    ("service.port=0", "at '/service/port': minimum: got 0, want 1"),
    ("image.pullPolicy=Sometimes", "at '/image/pullPolicy': value must be one of"),
    ("secret.keys={PORT}", "at '/secret/keys/0': value must be"),  # not a secret
]
# With SQLite: one writer, one replica, no autoscaler.
SQLITE_BAD_VALUES = [
    ("replicaCount=2", "at '/replicaCount': maximum: got 2, want 1"),
    ("autoscaling.enabled=true", "additional properties 'autoscaling' not allowed"),
]


@pytest.mark.slow
@pytest.mark.parametrize("variant", cases(HELM, ["helm"]))
def test_helm_values_schema_refuses_bad_values(
    variant: Variant, rendered: Render, helm: Path, tmp_path: Path
) -> None:
    root = rendered(variant)
    _, chart = chart_of(root)
    bad = BAD_VALUES + (SQLITE_BAD_VALUES if variant["database"] == "sqlite" else [])
    for setting, message in bad:
        done = subprocess.run(
            [str(helm), "lint", "--strict", str(chart), "--set", setting],
            cwd=root,
            env={**os.environ, **helm_env(tmp_path)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        out = done.stdout + done.stderr
        assert done.returncode != 0, f"helm lint accepted {setting}:\n{out}"
        assert "values don't meet the specifications of the schema" in out, out
        assert message in out, f"{setting}: want the schema's message {message!r}:\n{out}"

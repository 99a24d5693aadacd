"""Regenerate the SLO rules the template ships: template/deploy/prometheus/slo-rules.yml.jinja.

A service with metrics generates deploy/prometheus/slo-rules.yml from its slo.yaml (`make
generate`, the Go template internal/slo/rules.yml.tmpl); the template ships the file that
the slo.yaml it writes gives, and the service's own test (internal/slo/rules_test.go) fails
while the two differ. After changing the rules template or template/slo.yaml.jinja, run
`python -m extensions.regenerate_slo_rules` from the repository root: it renders the default
service, runs its `make generate` and writes the result back, with the service name and
Prometheus's own {{ }} templates turned back into Jinja.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from extensions.regenerate_queries import REPO, generate, template_copy

TARGET = REPO / "template" / "deploy" / "prometheus" / "slo-rules.yml.jinja"
SERVICE = "notes-service"
# Prometheus's template of an alert's value, kept in a Jinja string so that Jinja writes it.
VALUE = "{{ humanizePercentage .Value }}"
HEADER = """{#-
  What `make generate` writes from the slo.yaml the template writes (go run ./cmd/slo
  rules): the service's test internal/slo/rules_test.go fails if the two differ.
  Regenerate it with `python -m extensions.regenerate_slo_rules`.
-#}
{%- set value = "{{ humanizePercentage .Value }}" -%}
"""


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="gofactory-slo-") as tmp:
        service = generate(template_copy(Path(tmp)), Path(tmp) / SERVICE, {})
        rules = (service / "deploy" / "prometheus" / "slo-rules.yml").read_text()
    jinja = rules.replace(VALUE, "{{ value }}").replace(SERVICE, "{{ service_name }}")
    if (
        "{%" in jinja
        or "{#" in jinja
        or "{{" in jinja.replace("{{ value }}", "").replace("{{ service_name }}", "")
    ):
        raise SystemExit("the rules hold template syntax this script does not know")
    TARGET.write_text(HEADER + jinja)
    print(f"wrote {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

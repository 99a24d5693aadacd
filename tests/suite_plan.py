"""The pytest plugin of scripts/test.sh (``-p suite_plan``): plans a run, then runs it
in two phases.

``--plan FILE``, with ``--collect-only``, writes what the selected tests need as shell
assignments, for test.sh to read:

    selected=755    how many tests the arguments select
    alone=1         how many of them must run alone (marked ``serial``)
    servers=1       1 when they need the servers of scripts/services.sh, else 0

A test needs those servers when it is marked ``slow``: the slow layer builds and runs
generated services against real servers (integration tests, private servers started
from the same packages). The fast layer (``-m "not slow"``) needs none.

``--phase alone`` keeps only the tests marked ``serial`` (they stop and start the
shared servers, so nothing else may run meanwhile); ``--phase shared`` keeps the
others. test.sh runs the first phase without workers, then the second with them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SERIAL = "serial"
NEEDS_SERVERS = "slow"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("suite plan", "phases of scripts/test.sh")
    group.addoption(
        "--plan",
        metavar="FILE",
        help="with --collect-only: write what the selected tests need to FILE",
    )
    group.addoption(
        "--phase",
        choices=("alone", "shared"),
        help="run only the tests marked serial (alone), or only the others (shared)",
    )


def is_serial(item: pytest.Item) -> bool:
    return item.get_closest_marker(SERIAL) is not None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    phase = config.getoption("phase")
    if phase is None:
        return
    alone = phase == "alone"
    kept = [item for item in items if is_serial(item) == alone]
    dropped = [item for item in items if is_serial(item) != alone]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_collection_finish(session: pytest.Session) -> None:
    plan = session.config.getoption("plan")
    if plan is None:
        return
    items = session.items
    servers = any(item.get_closest_marker(NEEDS_SERVERS) for item in items)
    Path(plan).write_text(
        f"selected={len(items)}\n"
        f"alone={sum(1 for item in items if is_serial(item))}\n"
        f"servers={int(servers)}\n",
        encoding="utf-8",
    )

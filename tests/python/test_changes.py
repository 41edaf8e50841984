"""Staged flag, configuration and content pushes: Python shows the core's result for each change,
the same as the CLI's --json, and a change's keys can be varied like any other value."""

from __future__ import annotations

from pathlib import Path

import deploysim
from conftest import SOURCE_DIR, run_cli

EVERY_KEY = SOURCE_DIR / "tests" / "data" / "good" / "changes_every_key.json"


def test_each_change_reports_its_outcome() -> None:
    changes = deploysim.Scenario.load(EVERY_KEY).run().summary["changes"]
    assert [c["name"] for c in changes] == ["waf rule", "new page", "dark mode",
                                            "dark mode again"]
    waf = changes[0]
    # The canary ring's rule fails half the requests of 2 of 10 hosts: the errors alert holds
    # for its minute and the push rolls back at +1:01, after its first of three rings.
    assert waf["outcome"] == "rolled_back"
    assert (waf["stages_done"], waf["stages_total"]) == (1, 3)
    assert (waf["started_s"], waf["ended_s"]) == (3600.0, 3660.0)
    assert waf["reason"] == "alert errors"
    assert all(c["outcome"] == "completed" for c in changes[1:])


def test_python_and_the_cli_agree(cli: Path) -> None:
    from_cli = run_cli(cli, "run", str(EVERY_KEY))["summary"]["changes"]
    assert deploysim.Scenario.load(EVERY_KEY).run().summary["changes"] == from_cli


def test_without_abort_alerts_every_ring_runs() -> None:
    scenario = deploysim.Scenario.load(EVERY_KEY)
    scenario = scenario.with_values({"changes.0.abort_on": []})
    waf = scenario.run().summary["changes"][0]
    assert waf["outcome"] == "completed"
    assert waf["stages_done"] == 3
    # Rings at +1:00, +1:30 and +2:00, then the last ring's 10 minutes of bake.
    assert waf["ended_s"] == 3600.0 + 1800.0 + 1800.0 + 600.0

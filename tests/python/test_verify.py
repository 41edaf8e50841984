"""deploysim.verify: the report of `deploysim verify --format json`, the counterexample as a
Scenario with a replay, and the errors of bad properties."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import deploysim

SOURCE = Path(os.environ.get("DEPLOYSIM_SOURCE_DIR", Path(__file__).resolve().parents[2]))
KNIGHT = SOURCE / "scenarios" / "knight_capital_2012.json"
GATED = SOURCE / "scenarios" / "knight_capital_2012_preflight_gate.json"


def test_knight_counterexample_is_a_skipped_server_and_replays() -> None:
    result = deploysim.verify(deploysim.Scenario.load(KNIGHT), k=1, threads=2)
    assert result.verdict == "violated" and not result.verified
    cx = result.counterexample
    assert cx is not None
    assert cx.faults == [{"kind": "skip_host", "target": "smars-1"}]
    assert cx.violated == ["flag_consistency"]
    replay = cx.run()
    assert replay.summary == cx.summary
    assert replay.summary["loss_usd"] > 1e8
    # The plan it judged has no scripted skip: run without faults, it loses nothing.
    plan = cx.scenario
    assert "faults" not in plan.to_dict()["deployment"]["strategy"]
    assert plan.run().summary["loss_usd"] == 0.0
    assert list(result.levels["faults"]) == [0, 1]


def test_the_report_is_the_clis(tmp_path: Path) -> None:
    cli = os.environ.get("DEPLOYSIM_CLI")
    if cli is None:
        pytest.skip("DEPLOYSIM_CLI is not set")
    result = deploysim.verify(deploysim.Scenario.load(KNIGHT), k=1, threads=1)
    out = subprocess.run([cli, "verify", str(KNIGHT), "-k", "1", "--quiet", "--format", "json"],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 1
    assert json.loads(out.stdout) == result.report
    schedule = tmp_path / "cx.json"
    result.counterexample.write(schedule)
    run = subprocess.run([cli, "run", str(KNIGHT), "--json", "--faults", str(schedule)],
                         capture_output=True, text=True, check=True)
    assert json.loads(run.stdout)["summary"] == result.counterexample.summary


def test_the_gated_plan_is_verified_with_probabilities() -> None:
    result = deploysim.verify(deploysim.Scenario.load(GATED), k=1,
                              probabilities={"skip_host": 0.01})
    assert result.verified and result.counterexample is None
    assert result.report["violation_probability"] == 0.0
    assert 0.0 < result.report["unexplored_probability"] < 0.01


def test_bad_properties_and_kinds() -> None:
    knight = deploysim.Scenario.load(KNIGHT)
    with pytest.raises(deploysim.ScenarioError, match="max_hosts_misbehaving"):
        deploysim.verify(knight, ["max_host_misbehaving <= 1"])
    with pytest.raises(deploysim.ScenarioError, match="from 0 to 5"):
        deploysim.verify(knight, k=6)
    with pytest.raises(ValueError, match="unknown fault kind"):
        deploysim.verify(knight, fault_kinds=["skip_hosts"])
    assert "skip_host" in deploysim.fault_kinds()

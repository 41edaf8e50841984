"""Result.to_line_protocol() and Result.to_openmetrics(): the same text the CLI's --export writes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import deploysim
from conftest import SCENARIOS


def test_line_protocol_is_what_the_cli_writes(cli: Path, knight: deploysim.Scenario,
                                              tmp_path: Path) -> None:
    lp, om = tmp_path / "run.lp", tmp_path / "run.om"
    subprocess.run([str(cli), "run", str(SCENARIOS / "knight_capital_2012.json"), "--seed", "4",
                    "--export", f"influx={lp}", "--export", f"openmetrics={om}"],
                   check=True, capture_output=True)
    result = knight.run(seed=4)
    assert result.to_line_protocol() == lp.read_text()
    assert result.to_openmetrics() == om.read_text()


def test_one_point_per_sample_with_the_runs_labels(knight: deploysim.Scenario) -> None:
    result = knight.run(seed=2)
    points = [line for line in result.to_line_protocol().splitlines()
              if line.startswith("deploysim,")]
    assert len(points) == len(result.timeseries)
    assert all(",seed=2," in line for line in points)
    assert result.to_openmetrics().endswith("# EOF\n")


def test_per_host_needs_the_trace(knight: deploysim.Scenario) -> None:
    with pytest.raises(ValueError, match="trace=True"):
        knight.run().to_line_protocol(per_host=True)
    text = knight.run(trace=True).to_openmetrics(per_host=True)
    hosts = {line.split('host="')[1].split('"')[0] for line in text.splitlines()
             if line.startswith("deploysim_host_up{")}
    assert hosts == {f"smars-{i}" for i in range(1, 9)}


def test_per_host_over_the_cap_is_refused() -> None:
    big = deploysim.Scenario.load(SCENARIOS / "knight_capital_2012.json",
                                  ["fleet.smars.hosts=1001"])
    with pytest.raises(ValueError, match="capped at 1000"):
        big.run(trace=True).to_line_protocol(per_host=True)

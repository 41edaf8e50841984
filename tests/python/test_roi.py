"""Automation ROI from Python: the xkcd table and the deployment case, equal to `deploysim roi`."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import deploysim
from conftest import SCENARIOS

CASE = dict(build_hours=80, rate=100, manual_time="2h", automated_time="10min", deploys=3,
            period="week", horizon="2y", maintenance_hours=1.5, manual_loss=200.0,
            automated_loss=20.0)
CASE_ARGS = ["--build-hours", "80", "--rate", "100", "--manual-time", "2h", "--automated-time",
             "10min", "--deploys", "3", "--period", "week", "--horizon", "2y",
             "--maintenance-hours", "1.5", "--manual-loss", "200", "--automated-loss", "20"]


def roi_cli(cli: Path, *args: str) -> Any:
    completed = subprocess.run([str(cli), "roi", *args], capture_output=True, text=True,
                               check=True)
    return completed.stdout


def test_xkcd_table_equals_the_cli(cli: Path) -> None:
    expected = json.loads(roi_cli(cli, "--xkcd", "--json"))["cells"]
    table = deploysim.roi.xkcd_table()
    assert len(table) == len(expected) == 54
    for row, cell in zip(table.to_dict("records"), expected):
        for key in ("saving", "frequency", "grey", "formula", "comic", "comic_rounds_lower"):
            assert row[key] == cell[key], (key, row, cell)
        assert row["break_even_s"] == cell["break_even_s"]


def test_xkcd_cells_follow_the_formula() -> None:
    table = deploysim.roi.xkcd_table()
    five_years = 5 * table["runs_per_year"] * table["seconds_saved"]
    np.testing.assert_allclose(table["break_even_s"], five_years)
    # The caption's example: 5 minutes saved daily is worth 6 days of work.
    cell = table[(table["saving"] == "5 minutes") & (table["frequency"] == "daily")].iloc[0]
    assert cell["formula"] == "6 days"
    assert table["comic_rounds_lower"].sum() == 4


def test_xkcd_wide_table_is_the_printed_one(cli: Path) -> None:
    wide = deploysim.roi.xkcd_table(wide=True)
    assert wide.shape == (9, 6)
    printed = roi_cli(cli, "--xkcd")
    for saving, row in wide.iterrows():
        line = next(l.strip() for l in printed.splitlines()
                    if l.strip().startswith(str(saving) + " "))
        cells = [c for c in line[len(str(saving)):].split("  ") if c.strip()]
        assert [c.strip() for c in cells] == list(row), line


def test_deployment_case_equals_the_cli(cli: Path, tmp_path: Path) -> None:
    csv_path = tmp_path / "roi.csv"
    expected = json.loads(roi_cli(cli, *CASE_ARGS, "--json"))
    roi_cli(cli, *CASE_ARGS, "--csv", str(csv_path))
    result = deploysim.roi.deployment(**CASE)  # type: ignore[arg-type]
    # One core function (delivery::roi_report) writes both, so every key and bit agree.
    assert result.summary == expected
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text())))
    assert len(rows) == len(result.series)
    for row, (_, ours) in zip(rows, result.series.iterrows()):
        # The CSV prints 6 significant digits.
        assert float(row["period"]) == pytest.approx(ours["period"], rel=1e-5)
        assert float(row["days"]) == pytest.approx(ours["days"], rel=1e-5)
        assert float(row["manual_cost_usd"]) == pytest.approx(ours["manual_cost_usd"], abs=0.006)
        assert float(row["automated_cost_usd"]) == pytest.approx(ours["automated_cost_usd"],
                                                                 abs=0.006)


def test_break_even_is_where_the_cumulative_costs_cross() -> None:
    result = deploysim.roi.deployment(**CASE)  # type: ignore[arg-type]
    series = result.series
    crossing = result.break_even_periods
    assert crossing is not None and 0 < crossing < series["period"].iloc[-1]
    before = series[series["period"] < crossing]
    after = series[series["period"] > crossing]
    assert (before["automated_cost_usd"] > before["manual_cost_usd"]).all()
    assert (after["automated_cost_usd"] < after["manual_cost_usd"]).all()
    assert result.summary["break_even_deploys"] == pytest.approx(3 * crossing)


def test_automation_that_costs_more_never_breaks_even() -> None:
    result = deploysim.roi.deployment(build_hours=10, rate=100, manual_time="10min",
                                      automated_time="1h", deploys=1)
    assert result.break_even_periods is None
    assert not result.summary["pays_back_within_horizon"]
    assert result.summary["net_saving_at_horizon_usd"] < 0


def test_loss_from_scenarios_equals_the_cli(cli: Path) -> None:
    manual = SCENARIOS / "knight_capital_2012.json"
    automated = SCENARIOS / "knight_capital_2012_automated_deploy.json"
    args = ["--build-hours", "400", "--rate", "150", "--manual-time", "8h", "--automated-time",
            "15min", "--deploys", "1", "--period", "month", "--horizon", "2y",
            "--manual-scenario", str(manual), "--automated-scenario", str(automated),
            "--replicas", "20",
            "--threads", "2", "--json"]
    expected = json.loads(roi_cli(cli, *args))
    result = deploysim.roi.deployment(
        build_hours=400, rate=150, manual_time="8h", automated_time="15min", deploys=1,
        period="month", horizon="2y", manual_scenario=deploysim.Scenario.load(manual),
        automated_scenario=deploysim.Scenario.load(automated),
        replicas=20, threads=1)
    assert result.summary == expected
    assert result.summary["manual_loss_per_deploy_usd"] > result.summary[
        "automated_loss_per_deploy_usd"]


@pytest.mark.parametrize("change, message", [
    ({"manual_time": "2 hours"}, "2 hours"),
    ({"period": "fortnight"}, "fortnight"),
    ({"horizon": "forever"}, "forever"),
    ({"rate": -1}, "rate"),
    ({"deploys": 0}, "deploys"),
])
def test_bad_values_raise_value_errors(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        deploysim.roi.deployment(**{**CASE, **change})  # type: ignore[arg-type]


def test_scenarios_go_together(knight: deploysim.Scenario) -> None:
    with pytest.raises(ValueError, match="together"):
        deploysim.roi.deployment(**{**CASE, "manual_loss": 0, "automated_loss": 0},  # type: ignore[arg-type]
                                 manual_scenario=knight)
    with pytest.raises(ValueError, match="not both"):
        deploysim.roi.deployment(**CASE, manual_scenario=knight,  # type: ignore[arg-type]
                                 automated_scenario=knight)
    assert math.isfinite(deploysim.roi.deployment(**CASE).summary["build_cost_usd"])  # type: ignore[arg-type]


def test_deployment_case_from_its_json_form_equals_the_keyword_form() -> None:
    keywords = deploysim.roi.deployment(**CASE)  # type: ignore[arg-type]
    inputs = {"build_hours": 80, "maintenance_hours_per_period": 1.5, "hourly_rate_usd": 100,
              "manual_hours_per_deploy": 2, "automated_hours_per_deploy": 10 / 60,
              "deploys_per_period": 3, "horizon_periods": keywords.summary["horizon_periods"],
              "manual_loss_per_deploy_usd": 200, "automated_loss_per_deploy_usd": 20}
    assert set(inputs) == set(deploysim.roi.INPUT_KEYS)
    case = deploysim.roi.deployment_case(inputs)
    for key, value in case.summary.items():
        assert value == pytest.approx(keywords.summary[key], rel=1e-12), key
    pd.testing.assert_frame_equal(case.series, keywords.series.drop(columns="days"))


@pytest.mark.parametrize("change, pointer", [
    ({"hourly_rate_usd": -5}, "/hourly_rate_usd"),
    ({"deploys_per_period": 0}, "/deploys_per_period"),
    ({"horizon_periods": "two years"}, "/horizon_periods"),
    ({"hourly_rate": 100}, "/hourly_rate"),
])
def test_deployment_case_errors_name_the_pointer(change: dict[str, Any], pointer: str) -> None:
    inputs = {"build_hours": 80, "hourly_rate_usd": 100, "manual_hours_per_deploy": 2,
              "automated_hours_per_deploy": 0.2, "deploys_per_period": 3, "horizon_periods": 52}
    with pytest.raises(deploysim.ScenarioError) as caught:
        deploysim.roi.deployment_case({**inputs, **change}, file="case.json")
    assert caught.value.pointer == pointer
    assert caught.value.problems[0].file == "case.json"

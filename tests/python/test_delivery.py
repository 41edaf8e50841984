"""The delivery models from Python: the release pipeline (DORA metrics) and configuration drift,
configured by dicts or files; equality with `deploysim pipeline/drift --json`; the bad-input
corpus as ScenarioErrors; sweeps on an executor; Ctrl-C."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pytest

import deploysim
from conftest import SOURCE_DIR
from deploysim import delivery

EXAMPLES = SOURCE_DIR / "examples" / "delivery"
TRAIN = EXAMPLES / "pipeline_daily_train.json"
PUPPET = EXAMPLES / "drift_puppet.json"
BAD = SOURCE_DIR / "tests" / "data" / "bad" / "delivery"
# Short runs: the example's 90 days cut to 20.
SHORT = {"horizon": "20d"}


def cli_json(cli: Path, *args: str) -> Any:
    completed = subprocess.run([str(cli), *args, "--json"], capture_output=True, text=True,
                               check=True)
    return json.loads(completed.stdout)


def test_pipeline_equals_the_cli(cli: Path) -> None:
    expected = cli_json(cli, "pipeline", "--config", str(TRAIN), "--set", "horizon=20d",
                        "--replicas", "5", "--threads", "2", "--seed", "3")
    result = delivery.pipeline(TRAIN, values=SHORT, replicas=5, threads=1, seed=3)
    # One core function computes both, so every key and every bit agree.
    assert result.report == expected
    assert result.summary == {key: value for key, value in expected.items()
                              if key not in ("config", "first_replica")}
    assert result.summary["canary_rollbacks"]["mean"] >= 0
    first = expected["first_replica"]
    assert pd.DataFrame(first.pop("days")).fillna(-1).to_dict("list") == \
        result.days.fillna(-1).to_dict("list")
    assert result.incidents.to_dict("records") == first.pop("incident_log")
    assert result.first == first
    assert result.replicas["events_processed"].sum() == expected["events_processed"]
    assert expected["config"] == delivery.pipeline_config(TRAIN, SHORT)


def test_pipeline_from_a_dict_equals_the_file() -> None:
    document = json.loads(TRAIN.read_text())
    from_file = delivery.pipeline(TRAIN, values=SHORT, replicas=3, seed=2)
    from_dict = delivery.pipeline({**document, **SHORT}, replicas=3, seed=2)
    pd.testing.assert_frame_equal(from_dict.replicas, from_file.replicas)
    assert from_dict.summary == from_file.summary


def test_pipeline_replicas_do_not_depend_on_threads() -> None:
    one = delivery.pipeline(values=SHORT, replicas=6, threads=1, seed=9)
    two = delivery.pipeline(values=SHORT, replicas=6, threads=2, seed=9)
    pd.testing.assert_frame_equal(one.replicas, two.replicas)
    assert list(one.replicas["seed"]) == [deploysim.replica_seed(9, r) for r in range(6)]
    other = delivery.pipeline(values=SHORT, replicas=6, threads=1, seed=10)
    assert not one.replicas["loss_usd"].equals(other.replicas["loss_usd"])


def test_pipeline_days_add_up_to_the_first_replica() -> None:
    result = delivery.pipeline(TRAIN, values=SHORT, replicas=2)
    assert len(result.days) == 20
    assert result.days["deployments"].sum() == result.first["dora"]["deployments"]
    assert result.days["incidents"].sum() == result.first["incidents"] == len(result.incidents)
    assert result.incidents["loss_usd"].sum() == pytest.approx(result.first["loss_usd"])


def test_values_change_the_model() -> None:
    daily = delivery.pipeline(TRAIN, values=SHORT, replicas=4)
    weekly = delivery.pipeline(TRAIN, values={**SHORT, "train_interval": "7d"}, replicas=4)
    assert weekly.summary["deploys_per_day"]["mean"] < daily.summary["deploys_per_day"]["mean"]
    assert weekly.summary["changes_per_deploy"]["mean"] > daily.summary["changes_per_deploy"]["mean"]


def test_pipeline_config_has_every_key_and_round_trips() -> None:
    config = delivery.pipeline_config()
    assert {"changes_per_day", "stages", "cadence", "horizon"} <= set(config)
    assert delivery.pipeline_config(config) == config


def test_pipeline_sweep_is_the_same_on_a_process_pool() -> None:
    grid = {"train_interval": ["1d", "3d"], "canary_catch_probability": [0.0, 0.5]}
    local = delivery.pipeline_sweep(TRAIN, grid, replicas=2, values=SHORT, seed=4)
    assert len(local) == 8
    assert list(local.columns[:3]) == ["point", "train_interval", "canary_catch_probability"]
    with ProcessPoolExecutor(max_workers=2) as pool:
        remote = delivery.pipeline_sweep(TRAIN, grid, replicas=2, values=SHORT, seed=4,
                                         executor=pool, chunk_size=1)
    pd.testing.assert_frame_equal(remote, local)
    # A point's rows are that configuration's replicas.
    point = delivery.pipeline(TRAIN, values={**SHORT, "train_interval": "3d",
                                             "canary_catch_probability": 0.5},
                              replicas=2, seed=4).replicas
    rows = local[local["point"] == 3].drop(columns=["point", *grid]).reset_index(drop=True)
    pd.testing.assert_frame_equal(rows, point)


def test_sweep_validates_every_point_before_running() -> None:
    with pytest.raises(deploysim.ScenarioError) as caught:
        delivery.pipeline_sweep(TRAIN, {"defect_probability": [0.1, 1.5]}, replicas=1)
    assert caught.value.pointer == "/defect_probability"
    with pytest.raises(ValueError, match="at least one parameter"):
        delivery.pipeline_sweep(TRAIN, {}, replicas=1)


def test_drift_equals_the_cli(cli: Path) -> None:
    expected = cli_json(cli, "drift", "--config", str(PUPPET), "--set", "horizon=5d",
                        "--replicas", "4", "--threads", "2", "--seed", "5")
    result = delivery.drift(PUPPET, values={"horizon": "5d"}, replicas=4, threads=1, seed=5)
    assert result.report == expected
    assert result.summary == {key: value for key, value in expected.items()
                              if key not in ("config", "first_replica", "mean_series")}
    assert list(result.series["drifted_fraction"]) == \
        [s["drifted_fraction"] for s in expected["mean_series"]]
    first = expected["first_replica"]
    assert list(result.series["replica0_drifted_fraction"]) == \
        [s["drifted_fraction"] for s in first.pop("series")]
    assert list(result.host_times["time_in_drift_s"]) == first.pop("time_in_drift_s")
    assert result.incidents.to_dict("records") == first.pop("incidents")
    assert result.first == first


def test_drift_simulation_agrees_with_the_chain() -> None:
    config = {"hosts": 100, "drift_rate_per_day": 2, "schedule": "exponential",
              "interval": "6h", "success_probability": 0.9, "horizon": "20d"}
    result = delivery.drift(config, replicas=8, seed=2)
    analysis = delivery.drift_analysis(config)
    assert analysis["phases"] == 1
    assert analysis["ctmc_drifted_fraction"] == pytest.approx(analysis["exact_drifted_fraction"])
    assert result.summary["ctmc_drifted_fraction"] == analysis["ctmc_drifted_fraction"]
    low, high = result.summary["ci95"]
    assert low < result.summary["simulated_drifted_fraction"] < high
    assert result.summary["simulated_drifted_fraction"] == pytest.approx(
        analysis["ctmc_drifted_fraction"], rel=0.1)
    faster = delivery.drift_analysis(config, {"interval": "1h"})
    assert faster["ctmc_drifted_fraction"] < analysis["ctmc_drifted_fraction"]


def test_drift_config_defaults() -> None:
    config = delivery.drift_config()
    assert config["hosts"] == 100 and config["mode"] == "converge"
    assert delivery.drift_config({"hosts": 7})["hosts"] == 7


def corpus(prefix: str) -> list[str]:
    return sorted(p.stem for p in BAD.glob(f"{prefix}_*.json"))


@pytest.mark.parametrize("name", corpus("pipeline") + corpus("drift"))
def test_bad_input_corpus_raises_scenario_errors(name: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)
    expected = (BAD / f"{name}.expected").read_text().strip()
    set_file = BAD / f"{name}.set"
    values = {}
    if set_file.exists():
        for line in set_file.read_text().splitlines():
            key, _, value = line.partition("=")
            values[key] = json.loads(value)
    read = delivery.pipeline_config if name.startswith("pipeline") else delivery.drift_config
    with pytest.raises(deploysim.ScenarioError) as caught:
        read(f"{name}.json", values)
    assert str(caught.value) == expected
    # The same document as a dict: the same problem at the same pointer.
    document = json.loads((BAD / f"{name}.json").read_text())
    with pytest.raises(deploysim.ScenarioError) as again:
        read(document, values)
    assert again.value.pointers == caught.value.pointers


def test_work_limits_are_the_cli_ones() -> None:
    # The same core limits as `deploysim drift --sample 1ms` and a file's "sample_every".
    with pytest.raises(deploysim.ScenarioError, match="samples per replica; the limit is 1e5") \
            as caught:
        delivery.drift_config(values={"sample_every": "1ms"})
    assert caught.value.pointer == "/sample_every"
    with pytest.raises(deploysim.ScenarioError, match="changes per replica; the limit is 1e7"):
        delivery.pipeline_config(values={"changes_per_day": 1e308})


def test_bad_dotted_path_is_a_scenario_error() -> None:
    with pytest.raises(deploysim.ScenarioError, match="changes_per_day"):
        delivery.pipeline_config(values={"changes_per_dya": 3})
    with pytest.raises(deploysim.ScenarioError) as caught:
        delivery.pipeline_config(values={"stages.0.catch_probability": 2})
    assert caught.value.pointer == "/stages/0/catch_probability"


def test_replicas_and_threads_must_be_positive() -> None:
    with pytest.raises(ValueError, match="replicas"):
        delivery.pipeline(replicas=0)
    with pytest.raises(ValueError, match="threads"):
        delivery.drift(threads=0)


def test_classify_dora() -> None:
    elite = delivery.classify_dora({"deploys_per_day": 5, "lead_time_median_s": 3600,
                                    "change_fail_rate": 0.05, "recovery_median_s": 600})
    assert elite == {"deployment_frequency": "elite", "lead_time": "elite",
                     "change_fail_rate": "elite", "recovery_time": "elite", "overall": "elite"}
    low = delivery.classify_dora({"deploys_per_day": 1 / 90, "lead_time_median_s": 90 * 86400,
                                  "change_fail_rate": 0.4, "recovery_median_s": math.nan})
    assert low["overall"] == "low"


# Calls that would run for minutes. Replicas are cancelled between replicas, a single run
# between events, the ROI's loss estimate between scenario runs.
LONG_CALLS: dict[str, Callable[[], object]] = {
    "pipeline replicas": lambda: delivery.pipeline(values=SHORT, replicas=500_000, threads=2),
    # 6e7 agent runs: seconds of work, inside the limit of 1e8 per replica (docs/cli.md).
    "one long drift run": lambda: delivery.drift(
        values={"hosts": 20_000, "horizon": "3000d", "interval": "1d"}, replicas=1),
    "roi loss estimate": lambda: deploysim.roi.deployment(
        build_hours=400, rate=150, manual_time="8h", automated_time="15min", deploys=1,
        manual_scenario=deploysim.Scenario.load(SOURCE_DIR / "scenarios" / "knight_capital_2012.json"),
        automated_scenario=deploysim.Scenario.load(
            SOURCE_DIR / "scenarios" / "knight_capital_2012_automated_deploy.json"),
        replicas=1_000_000, threads=2),
}


@pytest.mark.parametrize("name", list(LONG_CALLS))
def test_ctrl_c_interrupts_a_long_delivery_call(name: str) -> None:
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            LONG_CALLS[name]()
    finally:
        timer.cancel()
    assert time.monotonic() - started < 10
    # The module still works afterwards.
    assert len(delivery.pipeline(values=SHORT, replicas=2, threads=2).replicas) == 2


COST = EXAMPLES / "pipeline_cost_of_defects.json"


def test_cost_curve_equals_the_cli(cli: Path) -> None:
    expected = cli_json(cli, "pipeline", "--config", str(COST), "--set", "horizon=20d",
                        "--replicas", "3", "--seed", "2", "--cost-curve")
    result = delivery.pipeline(COST, values=SHORT, replicas=3, seed=2)
    assert result.report["defect_cost"] == expected
    places = result.cost_by_place
    assert list(places.index) == ["build", "tests", "staging", "gate", "production"]
    # Later is dearer: each place's cost per defect exceeds the one before it.
    costs = places["cost_per_defect_usd"].dropna().to_list()
    assert costs == sorted(costs) and costs[-1] > 100 * costs[0]
    assert result.shift_left["cost_per_defect_usd"].is_monotonic_decreasing
    assert len(result.cost_curve) == 7 and math.isnan(result.cost_curve["to_days"].iloc[-1])


def test_each_replica_keeps_its_defect_costs() -> None:
    result = delivery.pipeline(COST, values=SHORT, replicas=4, seed=2)
    replicas, summary = result.replicas, result.summary
    # The per-replica columns are what the report's means and intervals are taken over.
    for column, figure in [("defect_cost_usd", summary["defect_cost"]["total_per_run"]),
                           ("latent_incidents", summary["latent"]["incidents_per_run"]),
                           ("rework_rate", summary["rework_rate"])]:
        assert replicas[column].mean() == pytest.approx(figure["mean"], rel=1e-12), column
        low, high = deploysim.t_interval(replicas[column])
        assert (low, high) == pytest.approx((figure["ci95_low"], figure["ci95_high"]),
                                            rel=1e-9), column
    assert (replicas["rework_deployments"] <= replicas["deployments"]).all()
    found = result.found
    assert list(found.columns) == ["replica", "found_in", *delivery.FOUND_COLUMNS]
    assert len(found) == 4 * 5  # build, tests, staging, gate, production per replica
    places = result.cost_by_place
    per_run = found.groupby("found_in", observed=True)["defects"].sum() / 4
    assert per_run.to_dict() == pytest.approx(places["defects_per_run"].to_dict())
    # The replicas' costs add up to each replica's total.
    totals = found.groupby("replica")["cost_usd"].sum().to_numpy()
    assert totals == pytest.approx(replicas["defect_cost_usd"].to_numpy(), rel=1e-9)
    # The interval of cost per defect is over the replicas' own figures, in replica order.
    for place, rows in found.groupby("found_in", observed=True):
        seen = rows[rows["defects"] > 0]
        low, high = deploysim.t_interval(seen["cost_usd"] / seen["defects"])
        assert (places.loc[place, "cost_per_defect_ci95_low"],
                places.loc[place, "cost_per_defect_ci95_high"]) == pytest.approx((low, high),
                                                                                rel=1e-9), place
    production = places.loc["production"]
    assert production["cost_per_defect_ci95_low"] < production["cost_per_defect_usd"] < \
        production["cost_per_defect_ci95_high"]
    # One replica is no interval.
    single = delivery.pipeline(COST, values=SHORT, replicas=1, seed=2).cost_by_place
    assert single["cost_per_defect_ci95_low"].isna().all()


def test_closed_forms_by_hand() -> None:
    assert delivery.expected_cost_per_defect([(0.5, 100), (0.4, 1000)], 10_000) == \
        pytest.approx(3250)
    assert delivery.expected_latent_incidents(2, 0.5, 0.5, 10) == \
        pytest.approx(9 + math.exp(-10), rel=1e-12)
    friday_4pm = 4 * 86_400 + 16 * 3_600
    assert delivery.working_time_done_s(9, 17, False, friday_4pm, 2 * 3_600) == \
        7 * 86_400 + 10 * 3_600
    with pytest.raises(ValueError, match="must open"):
        delivery.working_time_done_s(17, 9, False, 0, 1)


@pytest.mark.parametrize("call", [
    lambda: delivery.pipeline(values=SHORT, replicas=10_000_000),
    lambda: delivery.drift(values={"hosts": 10}, replicas=10_000_000),
], ids=["pipeline", "drift"])
def test_replicas_beyond_the_work_limit_are_refused(call) -> None:
    # The core refuses before it allocates a slot per replica (1e7 of them held 1.5 GB).
    with pytest.raises(ValueError, match=r"^replicas = 1e7 replicas; the limit is 1e6$"):
        call()

"""Many runs: Monte Carlo, sweeps (locally and on executors), paired comparisons, the stopping
rule, equality with the CLI, and Ctrl-C."""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import deploysim
from conftest import run_cli

GRID = {"deployment.strategy.batch_size": [5, 50], "monitoring.scrape_interval": ["10s", "60s"]}


def test_monte_carlo_one_row_per_run(small_batches: deploysim.Scenario) -> None:
    frame = deploysim.monte_carlo(small_batches, replicas=20, threads=2)
    assert len(frame) == 20
    assert list(frame.columns) == ["replica", "seed", *deploysim.SUMMARY_METRICS, "deploy_outcome"]
    assert frame["replica"].tolist() == list(range(20))
    assert frame["seed"].tolist() == [deploysim.replica_seed(small_batches.seed, r)
                                      for r in range(20)]
    assert frame["loss_usd"].dtype == np.float64
    # Each row is the single run with the replica's seed.
    row = frame.iloc[3]
    single = small_batches.run(seed=int(row["seed"])).summary
    assert row["loss_usd"] == single["loss_usd"]
    assert row["deploy_outcome"] == single["deploy_outcome"]


def test_monte_carlo_does_not_depend_on_threads(small_batches: deploysim.Scenario) -> None:
    one = deploysim.monte_carlo(small_batches, replicas=40, threads=1)
    four = deploysim.monte_carlo(small_batches, replicas=40, threads=4)
    pd.testing.assert_frame_equal(one, four)


def test_monte_carlo_null_metrics_are_nan(knight: deploysim.Scenario) -> None:
    quiet = knight.with_values({"timeline": []})
    frame = deploysim.monte_carlo(quiet, replicas=3, threads=1)
    assert frame["time_to_detect_s"].isna().all()


def test_sweep_rows_in_point_replica_order(small_batches: deploysim.Scenario) -> None:
    frame = deploysim.sweep(small_batches, GRID, replicas=5, threads=2)
    assert len(frame) == 4 * 5
    assert list(frame.columns[:3]) == ["point", *GRID]
    assert frame["point"].tolist() == [p for p in range(4) for _ in range(5)]
    # The last parameter varies fastest, as in the CLI.
    assert frame.groupby("point")["monitoring.scrape_interval"].first().tolist() == [
        "10s", "60s", "10s", "60s"]
    assert frame.groupby("point")["deployment.strategy.batch_size"].first().tolist() == [
        5, 5, 50, 50]
    assert frame["replica"].tolist() == list(range(5)) * 4
    # Common random numbers: replica r has the same seed at every point.
    assert frame.groupby("replica")["seed"].nunique().eq(1).all()


def test_sweep_on_executors_equals_local(small_batches: deploysim.Scenario) -> None:
    local = deploysim.sweep(small_batches, GRID, replicas=4, threads=1)
    with ThreadPoolExecutor(max_workers=3) as threads:
        threaded = deploysim.sweep(small_batches, GRID, replicas=4, executor=threads, chunk_size=1)
    # Spawned workers: forking a process that has run threads is unsafe.
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) \
            as processes:
        pooled = deploysim.sweep(small_batches, GRID, replicas=4, executor=processes, chunk_size=3)
    pd.testing.assert_frame_equal(threaded, local)
    pd.testing.assert_frame_equal(pooled, local)


def test_sweep_bad_path_fails_before_running(small_batches: deploysim.Scenario) -> None:
    with pytest.raises(deploysim.ScenarioError) as caught:
        deploysim.sweep(small_batches, {"deployment.strategy.batch_sise": [1, 2]}, replicas=2)
    assert "batch_size" in str(caught.value)
    with pytest.raises(deploysim.ScenarioError):
        with ThreadPoolExecutor(max_workers=1) as pool:
            deploysim.sweep(small_batches, {"deployment.strategy.batch_size": [0]}, replicas=2,
                            executor=pool)
    with pytest.raises(ValueError, match="at least one parameter"):
        deploysim.sweep(small_batches, {}, replicas=2)


def test_sweep_equals_the_cli_csv(cli: Path, scenarios_dir: Path, tmp_path: Path) -> None:
    path = scenarios_dir / "instagram_small_batches.json"
    csv = tmp_path / "runs.csv"
    subprocess.run([str(cli), "sweep", str(path), "--replicas", "6", "--threads", "2", "--seed",
                    "11", "--quiet", "--csv", str(csv),
                    "--param", "deployment.strategy.batch_size=5,50",
                    "--param", "monitoring.scrape_interval=10s,60s"],
                   check=True, capture_output=True)
    expected = pd.read_csv(csv, float_precision="round_trip")
    frame = deploysim.sweep(deploysim.Scenario.load(path), GRID, replicas=6, seed=11, threads=2)
    assert len(frame) == len(expected)
    for column in ["point", "replica", "seed", *deploysim.SUMMARY_METRICS, "deploy_outcome",
                   *GRID]:
        ours, theirs = frame[column], expected[column]
        if ours.dtype.kind == "f":
            # Bit for bit (the CLI writes numbers in their shortest exact form); null is NaN.
            np.testing.assert_array_equal(ours.to_numpy(), theirs.to_numpy(dtype=np.float64))
        else:
            assert ours.astype(str).tolist() == theirs.astype(str).tolist(), column


def test_compare_paired_differences(knight: deploysim.Scenario) -> None:
    frame = deploysim.compare(knight, {"gate": {"deployment.preflight_gate": True}}, replicas=10,
                              threads=2)
    assert set(frame["variant"]) == {"gate"}
    assert frame["metric"].tolist() == deploysim.SUMMARY_METRICS
    loss = frame.set_index("metric").loc["loss_usd"]
    assert loss["difference"] < 0 and loss["ci95_high"] < 0
    # The replay draws nothing that the gate changes: the same difference in every replica is
    # exact, not significant.
    assert bool(loss["deterministic"]) and not bool(loss["significant"])
    assert loss["pairs"] == 10
    assert frame.attrs["replicas"] == 10
    # With random response times the loss varies, and the gate's difference is significant.
    people = {"people.tech_team.diagnose": "lognormal(20min, 0.5)"}
    uncertain = deploysim.compare(knight.with_values(people),
                                  {"gate": {"deployment.preflight_gate": True}}, replicas=10,
                                  threads=2).set_index("metric").loc["loss_usd"]
    assert bool(uncertain["significant"]) and not bool(uncertain["deterministic"])


def test_compare_equals_the_cli(cli: Path, scenarios_dir: Path) -> None:
    base = scenarios_dir / "knight_capital_2012.json"
    kill = scenarios_dir / "knight_capital_2012_kill_switch.json"
    expected = run_cli(cli, "compare", str(base), "--variant", str(kill),
                       "--variant", "gate:deployment.preflight_gate=true", "--replicas", "8",
                       "--threads", "2", "--quiet")
    knight = deploysim.Scenario.load(base)
    frame = deploysim.compare(knight, {"knight_capital_2012_kill_switch":
                                       deploysim.Scenario.load(kill),
                                       "gate": {"deployment.preflight_gate": True}},
                              replicas=8, threads=2)
    for variant in expected["variants"][1:]:
        rows = frame[frame["variant"] == variant["name"]].set_index("metric")
        for metric, cli_values in variant["difference_from_base"].items():
            row = rows.loc[metric]
            assert row["pairs"] == cli_values["pairs"]
            assert bool(row["significant"]) == cli_values["significant"]
            assert bool(row["deterministic"]) == cli_values["deterministic"]
            for ours, theirs in [("difference", "mean"), ("ci95_low", "ci95_low"),
                                 ("ci95_high", "ci95_high"),
                                 ("variance_reduction", "variance_reduction")]:
                value = row[ours]
                if cli_values["pairs"] == 0:
                    # No pairs: the CLI prints a 0 interval; Python says NaN (undefined).
                    assert math.isnan(row["difference"]), metric
                elif cli_values[theirs] is None:
                    assert not math.isfinite(value), (metric, ours)
                else:
                    assert value == cli_values[theirs], (metric, ours)


def test_compare_needs_a_variant(knight: deploysim.Scenario) -> None:
    with pytest.raises(ValueError):
        deploysim.compare(knight, {}, replicas=2)


def test_until_precise_stops_when_precise(small_batches: deploysim.Scenario) -> None:
    frame = deploysim.until_precise(small_batches, "loss_usd", 0.5, max_replicas=400, threads=2)
    assert frame.attrs["reached"] is True
    assert len(frame) in {100, 300}
    with pytest.raises(ValueError, match="loss_usd"):
        deploysim.until_precise(small_batches, "los_usd", 0.5, max_replicas=100)


def test_bad_counts_are_value_errors(knight: deploysim.Scenario) -> None:
    with pytest.raises(ValueError, match="replicas"):
        deploysim.monte_carlo(knight, replicas=0)
    with pytest.raises(ValueError, match="threads"):
        deploysim.monte_carlo(knight, replicas=1, threads=0)


def test_ctrl_c_interrupts_a_long_monte_carlo(knight: deploysim.Scenario) -> None:
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            deploysim.monte_carlo(knight, replicas=50_000_000, threads=2)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 10
    # The module still works afterwards.
    assert len(deploysim.monte_carlo(knight, replicas=2, threads=2)) == 2


def test_the_gil_is_released_during_experiments(small_batches: deploysim.Scenario) -> None:
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        deploysim.monte_carlo(small_batches, replicas=300, threads=1)
    finally:
        done.set()
        counter.join()
    assert ticks > 5

"""Experiments as data: the tidy frame's shape and labels, provenance, save/load round trips,
to_xarray and time series across replicas."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import deploysim

ROLLING = {"type": "rolling", "batch_size": 2, "min_ready": "2min"}
CANARY = {"type": "canary", "steps": [{"set_weight": 5}, {"analysis": "10min"}]}


@pytest.fixture(scope="module")
def runs(small_batches: deploysim.Scenario) -> deploysim.ExperimentFrame:
    return deploysim.experiment(
        small_batches,
        arms={"as_is": {}, "slow": {"monitoring.scrape_interval": "60s"}},
        grid={"batch": ("deployment.strategy.batch_size", [5, 50]),
              "gate": ("deployment.preflight_gate", {"off": False, "on": True})},
        replicas=6, seed=11, threads=2)


def test_one_row_per_arm_grid_point_and_replica(runs: deploysim.ExperimentFrame) -> None:
    assert len(runs) == 2 * 2 * 2 * 6
    assert list(runs.columns) == ["arm", "batch", "gate", "replica", "seed",
                                  *deploysim.SUMMARY_METRICS, "deploy_outcome"]
    assert list(runs["arm"].cat.categories) == ["as_is", "slow"]
    assert list(runs["gate"].cat.categories) == ["off", "on"]
    assert runs["batch"].dtype == np.int64
    # Arms outermost, the last grid label fastest, replicas innermost.
    first = runs.iloc[::6]
    assert first["arm"].tolist() == ["as_is"] * 4 + ["slow"] * 4
    assert first["batch"].tolist() == [5, 5, 50, 50] * 2
    assert first["gate"].tolist() == ["off", "on"] * 4
    # groupby works on the labelled columns (no dicts in cells).
    assert runs.groupby(["arm", "batch", "gate"], observed=True).size().eq(6).all()


def test_rows_are_the_single_runs(runs: deploysim.ExperimentFrame,
                                  small_batches: deploysim.Scenario) -> None:
    row = runs[(runs.arm == "slow") & (runs.batch == 50) & (runs.gate == "on")].iloc[4]
    assert int(row["seed"]) == deploysim.replica_seed(11, 4)
    single = small_batches.with_values({"monitoring.scrape_interval": "60s",
                                        "deployment.strategy.batch_size": 50,
                                        "deployment.preflight_gate": True}).run(seed=int(row.seed))
    assert row["loss_usd"] == single.summary["loss_usd"]
    assert row["deploy_outcome"] == single.summary["deploy_outcome"]


def test_attrs_carry_provenance(runs: deploysim.ExperimentFrame,
                                small_batches: deploysim.Scenario) -> None:
    assert runs.attrs["scenario_hash"] == small_batches.hash
    assert runs.attrs["seed"] == 11 and runs.attrs["replicas"] == 6
    assert runs.attrs["version"] == deploysim.__version__
    # The older experiment functions record the version too.
    assert deploysim.monte_carlo(small_batches, 2, threads=1).attrs["version"] == runs.attrs[
        "version"]
    assert runs.attrs["grid"]["gate"]["labels"] == ["off", "on"]
    # Slices and concatenations of one experiment keep them.
    part = runs[runs.arm == "slow"]
    assert isinstance(part, deploysim.ExperimentFrame) and part.attrs == runs.attrs
    both = pd.concat([runs.iloc[:10], runs.iloc[10:]])
    assert both.attrs == runs.attrs


def test_progress_and_threads_do_not_change_the_frame(runs: deploysim.ExperimentFrame,
                                                      small_batches: deploysim.Scenario,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    again = deploysim.experiment(
        small_batches, arms={"as_is": {}, "slow": {"monitoring.scrape_interval": "60s"}},
        grid={"batch": ("deployment.strategy.batch_size", [5, 50]),
              "gate": ("deployment.preflight_gate", {"off": False, "on": True})},
        replicas=6, seed=11, threads=1, progress=True)
    pd.testing.assert_frame_equal(again, runs, check_exact=True)
    capsys.readouterr()


def test_whole_strategy_objects_as_arms_and_grid_values(knight: deploysim.Scenario) -> None:
    quick = knight.with_values({"deployment.strategy": ROLLING})
    frame = deploysim.experiment(
        quick, arms={"rolling": {}, "canary": {"deployment.strategy": CANARY}},
        grid={"strategy_pause": ("deployment.strategy", {
            "short": ROLLING, "long": {**ROLLING, "min_ready": "10min"}})},
        replicas=2, threads=2)
    assert frame["strategy_pause"].tolist()[:4] == ["short", "short", "long", "long"]
    assert frame.groupby(["arm", "strategy_pause"], observed=True)["loss_usd"].size().eq(2).all()
    unlabelled = deploysim.experiment(quick, grid={"s": ("deployment.strategy", [ROLLING])},
                                      replicas=1, threads=1)
    assert json.loads(unlabelled["s"].iloc[0]) == ROLLING


def test_bad_grid_and_arms_say_what_was_expected(small_batches: deploysim.Scenario) -> None:
    with pytest.raises(ValueError, match=r"\(dotted path, values\)"):
        deploysim.experiment(small_batches, grid={"batch": [5, 10]}, replicas=1)
    with pytest.raises(ValueError, match="column name already"):
        deploysim.experiment(small_batches, grid={"loss_usd": ("deployment.strategy.batch_size",
                                                               [5])}, replicas=1)
    with pytest.raises(deploysim.ScenarioError, match="batch_size"):
        deploysim.experiment(small_batches, grid={"b": ("deployment.strategy.batch_size", [-3])},
                             replicas=1)


def test_save_and_load_round_trip(runs: deploysim.ExperimentFrame, tmp_path: Path) -> None:
    directory = runs.save(tmp_path / "study")
    assert sorted(p.name for p in directory.iterdir()) == ["experiment.json", "runs.csv"]
    loaded = deploysim.load_experiment(directory)
    assert isinstance(loaded, deploysim.ExperimentFrame)
    pd.testing.assert_frame_equal(loaded, runs, check_exact=True)
    assert loaded.attrs == runs.attrs
    # The metadata alone reproduces the runs.
    pd.testing.assert_frame_equal(loaded.rerun(threads=2), runs, check_exact=True)


def test_load_refuses_what_is_not_a_saved_experiment(runs: deploysim.ExperimentFrame,
                                                     tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not a saved experiment"):
        deploysim.load_experiment(tmp_path)
    directory = runs.save(tmp_path / "study")
    (directory / "runs.csv").write_text("arm,replica\nas_is,0\n")
    with pytest.raises(ValueError, match="do not match"):
        deploysim.load_experiment(directory)


def test_to_xarray(runs: deploysim.ExperimentFrame) -> None:
    pytest.importorskip("xarray")
    dataset = runs.to_xarray()
    assert dict(dataset.sizes) == {"arm": 2, "batch": 2, "gate": 2, "replica": 6}
    value = dataset["loss_usd"].sel(arm="slow", batch=50, gate="on", replica=4).item()
    row = runs[(runs.arm == "slow") & (runs.batch == 50) & (runs.gate == "on")].iloc[4]
    assert value == row["loss_usd"]
    assert dataset.attrs["scenario_hash"] == runs.attrs["scenario_hash"]


def test_timeseries_across_replicas(small_batches: deploysim.Scenario) -> None:
    frame = deploysim.timeseries(small_batches, arms={"a": {}, "slow": {
        "monitoring.scrape_interval": "60s"}}, replicas=3, seed=5, threads=2)
    assert list(frame.columns[:4]) == ["arm", "replica", "seed", "time_s"]
    assert frame.groupby(["arm", "replica"], observed=True).ngroups == 6
    single = small_batches.run(seed=deploysim.replica_seed(5, 2)).timeseries
    mine = frame[(frame.arm == "a") & (frame.replica == 2)].drop(
        columns=["arm", "replica", "seed"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, single, check_exact=True)
    one_thread = deploysim.timeseries(small_batches, arms={"a": {}, "slow": {
        "monitoring.scrape_interval": "60s"}}, replicas=3, seed=5, threads=1)
    pd.testing.assert_frame_equal(frame, one_thread, check_exact=True)


def test_progress_falls_back_to_lines_without_tqdm(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    from deploysim.progress import progress_bar
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now raises ImportError
    bar = progress_bar(200, True, "study")
    for _ in range(20):
        bar.update(10)
    bar.close()
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "study: 20/200 runs" and lines[-1] == "study: 200/200 runs"
    assert len(lines) == 10
    quiet = progress_bar(200, False)
    quiet.update(200)
    assert capsys.readouterr().err == ""


def test_summaries_across_replicas_of_a_time_series(small_batches: deploysim.Scenario) -> None:
    frame = deploysim.timeseries(small_batches, replicas=4, seed=3, columns=["error_rate"],
                                 threads=2)
    assert list(frame.columns) == ["arm", "replica", "seed", "time_s", "error_rate"]
    bands = deploysim.summarize(frame, by=["arm", "time_s"], metrics=["error_rate"])
    assert len(bands) == len(frame) // 4 and bands["n"].eq(4).all()
    at = bands.iloc[len(bands) // 2]
    values = frame.loc[frame.time_s == at["time_s"], "error_rate"]
    assert (at["ci95_low"], at["ci95_high"]) == deploysim.t_interval(values)


def test_scenario_arms_save_and_rerun(knight: deploysim.Scenario, scenarios_dir: Path,
                                      tmp_path: Path) -> None:
    gate = deploysim.Scenario.load(scenarios_dir / "knight_capital_2012_preflight_gate.json")
    runs = deploysim.experiment(knight, arms={"replay": {}, "gate": gate}, replicas=3,
                                threads=2)
    assert runs.attrs["arms"]["gate"]["scenario_json"] == gate.to_json()
    loaded = deploysim.load_experiment(runs.save(tmp_path / "gate"))
    pd.testing.assert_frame_equal(loaded.rerun(threads=1), runs, check_exact=True)
    first = runs[runs.arm == "gate"].iloc[0]
    assert first["loss_usd"] == gate.run(seed=int(first["seed"])).summary["loss_usd"]

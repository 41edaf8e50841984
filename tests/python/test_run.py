"""One run: the summary contract, time series, story and trace, stepping, and equality with the
CLI for the same scenario and seed."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import deploysim
from conftest import run_cli

CONTRACT = ["loss_usd", "time_to_detect_s", "time_to_mitigate_s", "incident_duration_s",
            "deploy_outcome", "hosts_total", "hosts_on_target_version", "max_hosts_misbehaving",
            "alerts_fired", "events_processed", "seed"]


def test_summary_has_the_contract_keys(knight: deploysim.Scenario) -> None:
    summary = knight.run().summary
    for key in CONTRACT:
        assert key in summary
    assert summary["deploy_outcome"] in {"completed", "rolled_back", "halted", "failed",
                                         "not_started"}
    assert summary["seed"] == knight.seed
    assert summary["loss_usd"] > 1e8
    assert summary["hosts_total"] == 8


def test_quantities_that_did_not_occur_are_none(knight: deploysim.Scenario) -> None:
    # Without the flag flip at market open, nothing goes wrong.
    quiet = knight.with_values({"timeline": []})
    summary = quiet.run().summary
    assert summary["loss_usd"] == 0
    assert summary["incident_duration_s"] is None
    assert summary["time_to_detect_s"] is None


@pytest.mark.parametrize("name", ["knight_capital_2012.json", "knight_capital_2012_kill_switch.json",
                                  "instagram_small_batches.json", "netflix_canary_sps.json",
                                  "kubernetes_rolling_bad_version.json"])
@pytest.mark.parametrize("seed", [1, 7])
def test_result_equals_the_cli(cli: Path, scenarios_dir: Path, name: str, seed: int) -> None:
    path = scenarios_dir / name
    expected = run_cli(cli, "run", str(path), "--seed", str(seed))
    result = deploysim.Scenario.load(path).run(seed=seed)
    assert result.summary == expected["summary"]
    assert result.story.to_dict("records") == expected["story"]


def test_timeseries_is_a_frame_of_zero_copy_columns(knight: deploysim.Scenario) -> None:
    result = knight.run()
    arrays = result.arrays
    assert list(arrays)[0] == "time_s"
    for array in arrays.values():
        assert array.dtype == np.float64
        assert not array.flags.owndata and not array.flags.writeable
    frame = result.timeseries
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(arrays)
    assert len(frame) == len(arrays["time_s"]) > 10
    assert frame["time_s"].is_monotonic_increasing
    np.testing.assert_array_equal(frame["time_s"].to_numpy(), arrays["time_s"])
    assert np.shares_memory(frame["loss_usd"].to_numpy(), arrays["loss_usd"])
    # The views keep the result alive after the Result object is gone.
    del result
    assert math.isfinite(float(arrays["time_s"][-1]))


def test_story_columns(knight: deploysim.Scenario) -> None:
    story = knight.run().story
    assert list(story.columns) == ["time_s", "clock", "event", "subject", "text"]
    assert story["time_s"].is_monotonic_increasing
    assert "deploy_started" in set(story["event"])
    assert story["clock"].iloc[0].startswith("2012-07-27")


def test_trace_needs_trace_true(knight: deploysim.Scenario) -> None:
    plain = knight.run()
    assert not plain.has_trace
    with pytest.raises(ValueError, match="trace=True"):
        _ = plain.trace
    traced = knight.run(trace=True)
    trace = traced.trace
    assert traced.has_trace
    assert list(trace.columns) == ["time_s", "clock", "event", "subject", "text", "fields"]
    assert len(trace) >= len(traced.story)
    assert traced.summary == plain.summary


def test_simulation_steps_to_the_same_result(knight: deploysim.Scenario) -> None:
    simulation = knight.simulation(seed=5)
    assert simulation.step()
    simulation.run_until(3600 * 24)
    assert 0 < simulation.now_s <= 3600 * 24
    assert not simulation.finished
    assert simulation.clock.startswith("2012-07-2")
    partial = simulation.result().summary
    final = simulation.run().summary
    assert simulation.finished
    assert not simulation.step()
    assert partial["events_processed"] < final["events_processed"]
    assert final == knight.run(seed=5).summary


def test_runs_in_threads_equal_runs_in_sequence(small_batches: deploysim.Scenario) -> None:
    seeds = list(range(1, 25))
    sequential = [small_batches.run(seed=s).summary for s in seeds]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda s: small_batches.run(seed=s).summary, seeds))
    assert parallel == sequential
    assert len({s["failed_requests"] for s in sequential}) > 1


def test_result_repr(knight: deploysim.Scenario) -> None:
    assert "rolled_back" in repr(knight.run()) or "deploy_outcome" in repr(knight.run())

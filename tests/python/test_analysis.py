"""Summaries equal to the CLI's, paired contrasts with Holm's correction, deterministic arms,
the public intervals and the plotting helper."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import deploysim
from conftest import run_cli


def test_summaries_equal_the_clis(cli: Path, scenarios_dir: Path) -> None:
    path = scenarios_dir / "instagram_small_batches.json"
    expected = run_cli(cli, "sweep", str(path), "--replicas", "30", "--threads", "2", "--seed",
                       "7", "--quiet", "--param", "deployment.strategy.batch_size=5,50",
                       "--event", "failed_requests>20000", "--event", "time_to_detect_s<60")
    runs = deploysim.experiment(deploysim.Scenario.load(path),
                                grid={"batch": ("deployment.strategy.batch_size", [5, 50])},
                                replicas=30, seed=7, threads=2)
    summary = deploysim.summarize(runs, events=["failed_requests>20000", "time_to_detect_s<60"])
    assert len(expected["points"]) == 2
    for point, batch in zip(expected["points"], [5, 50]):
        rows = summary[(summary.batch == batch)].set_index("metric")
        assert int(rows.loc["loss_usd", "n"] + rows.loc["loss_usd", "missing"]) == point["runs"]
        for metric, theirs in point["metrics"].items():
            ours = rows.loc[metric]
            for key, value in theirs.items():
                if value is None:
                    assert not math.isfinite(ours[key]), (batch, metric, key)
                else:
                    # Bit for bit: the same accumulators, fed in the same order.
                    assert ours[key] == value, (batch, metric, key)
        for event, theirs in point["events"].items():
            ours = rows.loc[event]
            assert ours["statistic"] == "share"
            assert (ours["mean"], ours["ci95_low"], ours["ci95_high"]) == (
                theirs["probability"], theirs["wilson95_low"], theirs["wilson95_high"])


def test_summary_by_and_callable_events(small_batches: deploysim.Scenario) -> None:
    runs = deploysim.experiment(small_batches, arms={"a": {}, "b": {
        "monitoring.scrape_interval": "60s"}}, replicas=20, threads=2)
    summary = deploysim.summarize(runs, metrics=["loss_usd"], events={
        "rolled_back": lambda f: f.deploy_outcome == "rolled_back"})
    assert summary["arm"].tolist() == ["a", "a", "b", "b"]
    share = summary[(summary.arm == "b") & (summary.metric == "rolled_back")].iloc[0]
    count = int((runs[runs.arm == "b"].deploy_outcome == "rolled_back").sum())
    assert share["mean"] == count / 20
    assert (share["ci95_low"], share["ci95_high"]) == deploysim.wilson_interval(count, 20)
    loss = summary[(summary.arm == "a") & (summary.metric == "loss_usd")].iloc[0]
    values = runs[runs.arm == "a"]["loss_usd"]
    assert loss["mean"] == pytest.approx(values.mean(), rel=1e-12)
    assert (loss["ci95_low"], loss["ci95_high"]) == deploysim.t_interval(values)
    everything = deploysim.summarize(runs, by=[], metrics=["loss_usd"])
    assert everything["n"].tolist() == [40]


def test_holm_against_hand_computed_values() -> None:
    # m = 4: sorted p = .01, .02, .03, .5 -> 4*.01, max(.04, 3*.02), max(.06, 2*.03), max(.06, .5)
    adjusted = deploysim.holm([0.03, 0.5, 0.01, math.nan, 0.02])
    np.testing.assert_allclose(adjusted[[2, 4, 0, 1]], [0.04, 0.06, 0.06, 0.5], rtol=1e-15)
    assert math.isnan(adjusted[3])
    assert deploysim.holm([0.4, 0.9]).tolist() == [0.8, 0.9]


def test_paired_t_pvalue_by_hand() -> None:
    d = np.array([1.0, 2.0, 3.0, 4.0, 6.0])
    t = d.mean() / (d.std(ddof=1) / math.sqrt(5))  # 3.2 / (1.9235 / 2.236) = 3.7199
    # The Student t CDF with 4 degrees of freedom in closed form.
    cdf = 0.5 + 3 / 8 * (t / math.sqrt(1 + t * t / 4)) * (1 - t * t / (12 * (1 + t * t / 4)))
    tail = 1 - cdf
    assert deploysim.paired_t_pvalue(d) == pytest.approx(2 * tail, rel=1e-10)
    assert math.isnan(deploysim.paired_t_pvalue([2.0, 2.0, 2.0]))
    assert math.isnan(deploysim.paired_t_pvalue([2.0]))


def _frame(values: dict[str, list[list[float]]]) -> deploysim.ExperimentFrame:
    """A hand-made experiment frame: arm -> metric columns (loss_usd, time_to_detect_s)."""
    rows = []
    for arm, (loss, detect) in values.items():
        for replica, (l, d) in enumerate(zip(loss, detect)):
            rows.append({"arm": arm, "replica": replica, "loss_usd": l, "time_to_detect_s": d})
    frame = deploysim.ExperimentFrame(pd.DataFrame(rows))
    frame["arm"] = pd.Categorical(frame["arm"], categories=list(values), ordered=True)
    frame.attrs["grid"] = {}
    return frame


def test_contrast_holm_adjusts_across_metrics_and_arms() -> None:
    frame = _frame({
        "base": [[10, 12, 11, 13, 9, 10], [60, 50, 40, 70, 55, 65]],
        "x": [[12, 15, 13, 14, 12, 13], [61, 49, 42, 69, 57, 64]],
        "y": [[10, 12, 11, 13, 9, 10], [90, 80, 70, 100, 85, 95]],
    })
    result = deploysim.contrast(frame, "base", metrics=["loss_usd", "time_to_detect_s"],
                                bootstrap=())
    assert result[["b", "metric"]].values.tolist() == [
        ["x", "loss_usd"], ["x", "time_to_detect_s"], ["y", "loss_usd"], ["y", "time_to_detect_s"]]
    by_hand = []
    for b, metric in result[["b", "metric"]].values:
        d = (frame[frame.arm == b][metric].to_numpy() - frame[frame.arm == "base"][metric]
             .to_numpy()).astype(float)
        by_hand.append(deploysim.paired_t_pvalue(d))
    np.testing.assert_array_equal(result["p_value"], by_hand)
    tested = [p for p in by_hand if not math.isnan(p)]
    assert len(tested) == 2  # y's two contrasts are deterministic: no test
    low, high = sorted(tested)
    expected = {low: min(1, 2 * low), high: max(min(1, 2 * low), high)}
    for p, adjusted in zip(result["p_value"], result["p_holm"]):
        if math.isnan(p):
            assert math.isnan(adjusted)
        else:
            assert adjusted == pytest.approx(expected[p], rel=1e-15)
    x_loss = result.iloc[0]
    assert x_loss["difference"] == pytest.approx(2.333333333333333)
    assert x_loss["relative"] == pytest.approx(2.3333333333333 / 65 * 6)
    assert x_loss["significant"] and not x_loss["deterministic"]


def test_deterministic_contrasts_and_arms_are_flagged() -> None:
    frame = _frame({"base": [[5, 5, 5, 5], [1, 2, 3, 4]],
                    "same": [[5, 5, 5, 5], [1, 2, 3, 4]],
                    "shifted": [[7, 7, 7, 7], [1, 2, 3, 4]]})
    result = deploysim.contrast(frame, "base", metrics=["loss_usd"], bootstrap=())
    for _, row in result.iterrows():
        assert row["deterministic"] and not row["significant"]
        assert row["ci95_low"] == row["ci95_high"] == row["difference"]
    assert result["difference"].tolist() == [0.0, 2.0]
    summary = deploysim.summarize(frame, metrics=["loss_usd", "time_to_detect_s"])
    assert summary.set_index(["arm", "metric"])["deterministic"].to_dict() == {
        (arm, metric): metric == "loss_usd"
        for arm in ["base", "same", "shifted"] for metric in ["loss_usd", "time_to_detect_s"]}


def test_rounding_noise_is_no_spread() -> None:
    # Sums of the same terms in another order differ in the last bit: 3030.302882 twice, one
    # ulp apart, as a 1% canary's failed requests come out of the model.
    value = 3030.3028821908
    noisy = [value, np.nextafter(value, 4000.0)] * 10
    assert deploysim.summarize(_frame({"canary": [noisy, noisy]}), metrics=["loss_usd"])[
        "deterministic"].all()
    shifted = [v + 100.0 for v in reversed(noisy)]
    result = deploysim.contrast(_frame({"a": [noisy, noisy], "b": [shifted, noisy]}), "a",
                                metrics=["loss_usd"], bootstrap=())
    row = result.iloc[0]
    assert row["difference"] == pytest.approx(100.0)
    # A t test of the last-bit noise would give p ~ 0: it must not be called significant.
    assert row["deterministic"] and not row["significant"]
    assert math.isnan(row["p_value"]) and math.isnan(row["p_holm"])
    # A real spread, however small next to the mean, is not rounding.
    spread = [value + 1e-3 * i for i in range(20)]
    assert not deploysim.summarize(_frame({"a": [spread, spread]}), metrics=["loss_usd"])[
        "deterministic"].any()


def test_contrast_on_an_experiment(knight: deploysim.Scenario) -> None:
    runs = deploysim.experiment(knight, arms={"as_2012": {}, "gate": {
        "deployment.preflight_gate": True}}, replicas=8, threads=2)
    result = runs.contrast("as_2012", metrics=["loss_usd"])
    row = result.iloc[0]
    assert row["interval"] == "bootstrap" and row["pairs"] == 8
    d = (runs[runs.arm == "gate"].loss_usd.to_numpy() - runs[runs.arm == "as_2012"]
         .loss_usd.to_numpy())
    assert (row["ci95_low"], row["ci95_high"]) == deploysim.bootstrap_interval(d)
    assert row["difference"] < 0 and row["relative"] == row["difference"] / row["mean_a"]
    # Every pair of arms, or chosen pairs.
    assert deploysim.contrast(runs, metrics=["loss_usd"])[["a", "b"]].values.tolist() == [
        ["as_2012", "gate"]]
    with pytest.raises(ValueError, match="unknown arm"):
        deploysim.contrast(runs, pairs=[("as_2012", "gates")])


def test_contrast_keeps_grid_points_apart(small_batches: deploysim.Scenario) -> None:
    runs = deploysim.experiment(small_batches, arms={"a": {}, "slow": {
        "monitoring.scrape_interval": "60s"}},
        grid={"batch": ("deployment.strategy.batch_size", [5, 50])}, replicas=10, threads=2)
    result = runs.contrast("a", metrics=["time_to_detect_s"])
    assert result["batch"].tolist() == [5, 50]
    at50 = runs[runs.batch == 50]
    d = (at50[at50.arm == "slow"].time_to_detect_s.to_numpy()
         - at50[at50.arm == "a"].time_to_detect_s.to_numpy())
    d = d[~np.isnan(d)]
    assert result.iloc[1]["pairs"] == len(d)
    assert (result.iloc[1]["ci95_low"], result.iloc[1]["ci95_high"]) == deploysim.t_interval(d)


def test_public_intervals() -> None:
    assert deploysim.t_interval([1.0, math.nan, 3.0]) == deploysim.t_interval([1.0, 3.0])
    low, high = deploysim.t_interval([1.0, 3.0])
    assert low == pytest.approx(2 - 12.706204736174698) and high == pytest.approx(
        2 + 12.706204736174698)
    # "Catches 90%" of 30: Wilson [74%, 97%], as issue 18 quotes.
    low, high = deploysim.wilson_interval(27, 30)
    assert round(low, 2) == 0.74 and round(high, 2) == 0.97
    boot = deploysim.bootstrap_interval([1.0, 2.0, 3.0, 100.0], resamples=500, seed=3)
    assert boot == deploysim.bootstrap_interval([1.0, 2.0, 3.0, 100.0], resamples=500, seed=3)
    assert 1.0 <= boot[0] < boot[1] <= 100.0
    with pytest.raises(ValueError, match="95"):
        deploysim.t_interval([1.0, 2.0], confidence=95)


def test_plot_means(small_batches: deploysim.Scenario) -> None:
    import matplotlib
    matplotlib.use("Agg")
    runs = deploysim.experiment(small_batches, arms={"a": {}, "slow": {
        "monitoring.scrape_interval": "60s"}},
        grid={"batch": ("deployment.strategy.batch_size", [5, 50])}, replicas=5, threads=2)
    summary = deploysim.summarize(runs)
    ax = deploysim.plot_means(summary, "loss_usd", x="batch")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "slow"]
    lines = [line for line in ax.get_lines() if len(line.get_xdata()) == 2]
    expected = summary[(summary.metric == "loss_usd") & (summary.arm == "a")]["mean"].tolist()
    assert lines[0].get_ydata().tolist() == expected
    with pytest.raises(ValueError, match="no rows"):
        deploysim.plot_means(summary, "nonsense")

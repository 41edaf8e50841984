"""Summaries and paired contrasts of experiment frames, with the CLI's statistics.

``summarize`` gives, per group, what ``deploysim sweep --json`` gives per grid point: n,
missing, mean with its t interval, quantiles, and Wilson intervals for shares of runs passing a
threshold. ``contrast`` compares two arms replica by replica (common random numbers), with
relative effects, Holm-adjusted p-values and bootstrap intervals for heavy-tailed metrics.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence, Union

import numpy as np
import pandas as pd

from . import _core
from .stats import bootstrap_interval, holm, paired_t_pvalue, t_interval, wilson_interval

__all__ = ["summarize", "contrast", "HEAVY_TAILED"]

#: Metrics whose contrasts get a bootstrap interval by default: a few runs with huge losses
#: dominate their mean, so the t interval's normal approximation is poor.
HEAVY_TAILED: tuple[str, ...] = ("loss_usd",)

SUMMARY_COLUMNS = ["n", "missing", "mean", "sd", "se", "ci95_low", "ci95_high",
                   "p50", "p90", "p95", "p99"]

Event = Union[str, Callable[[pd.DataFrame], Any]]


def _default_by(frame: pd.DataFrame) -> list[str]:
    if "arm" not in frame.columns:
        return []
    return ["arm", *frame.attrs.get("grid", {})]


def _default_metrics(frame: pd.DataFrame) -> list[str]:
    return [m for m in _core.summary_metric_names() if m in frame.columns]


def _groups(frame: pd.DataFrame, by: Sequence[str]) -> list[tuple[tuple[Any, ...], pd.DataFrame]]:
    """(key, rows) per group in the groups' order of first appearance (the run order), each
    group's rows in frame order, so that streaming quantiles see the runs as the CLI does."""
    if not by:
        return [((), frame)]
    if len(by) == 1:
        return [((key,), rows) for key, rows in frame.groupby(by[0], sort=False, observed=True)]
    return [(tuple(key), rows) for key, rows in frame.groupby(list(by), sort=False, observed=True)]


def _event_mask(frame: pd.DataFrame, event: Event) -> tuple[str, np.ndarray]:
    if callable(event):
        return getattr(event, "__name__", "event"), np.asarray(event(frame), dtype=bool)
    metric, above, threshold = _core.parse_event_rule(event)
    values = frame[metric].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        passed = values > threshold if above else values < threshold
    return event, passed & ~np.isnan(values)


def summarize(frame: pd.DataFrame, by: Sequence[str] | None = None,
              metrics: Sequence[str] | None = None,
              events: Sequence[Event] | Mapping[str, Event] = ()) -> pd.DataFrame:
    """One row per (group, metric) and per (group, event).

    - ``by``: grouping columns (default ``arm`` and the grid labels of an experiment frame);
    - ``metrics``: numeric columns (default every summary metric in the frame); NaN means
      the quantity did not occur in that run and counts as ``missing``;
    - ``events``: rules such as ``"loss_usd>1e6"`` (as ``--event``), or ``{label: callable}``
      returning a boolean per run, e.g. ``lambda f: f.deploy_outcome == "rolled_back"``.

    Metric rows (``statistic == "mean"``): n, missing, mean, sd, se, the 95% t interval
    ci95_low/ci95_high, the streaming quantiles p50..p99 and ``deterministic`` (exactly as
    ``deploysim sweep --json``: every run gave the same value to within rounding, so the
    interval has zero width because nothing varies, not because the estimate is precise). Event rows (``statistic ==
    "share"``): n runs, mean = the share, ci95_low/ci95_high = its Wilson interval.
    """
    by = _default_by(frame) if by is None else list(by)
    metrics = _default_metrics(frame) if metrics is None else list(metrics)
    named = list(events.items()) if isinstance(events, Mapping) else [(None, e) for e in events]
    rows: list[dict[str, Any]] = []
    for key, group in _groups(frame, by):
        keys = dict(zip(by, key))
        for metric in metrics:
            stats = _core.metric_summary(group[metric].to_numpy(dtype=np.float64))
            rows.append({**keys, "metric": metric, "statistic": "mean", **stats})
        for label, event in named:
            text, passed = _event_mask(group, event)
            runs, count = len(group), int(passed.sum())
            low, high = wilson_interval(count, runs)
            rows.append({**keys, "metric": label or text, "statistic": "share", "n": runs,
                         "missing": 0, "mean": count / runs if runs else 0.0,
                         "ci95_low": low, "ci95_high": high, "deterministic": False})
    columns = [*by, "metric", "statistic", *SUMMARY_COLUMNS, "deterministic"]
    result = pd.DataFrame(rows, columns=columns)
    for column in by:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            result[column] = pd.Categorical(result[column], dtype=frame[column].dtype)
    result[["n", "missing"]] = result[["n", "missing"]].astype(np.int64)
    result["deterministic"] = result["deterministic"].astype(bool)
    result.attrs.update({k: v for k, v in frame.attrs.items() if k != "scenario_json"})
    return result


def _pairs(arms: list[Any], baseline: Any, pairs: Sequence[tuple[Any, Any]] | None
           ) -> list[tuple[Any, Any]]:
    if pairs is not None:
        unknown = [a for pair in pairs for a in pair if a not in arms]
        if unknown:
            raise ValueError(f"unknown arm(s) {unknown}; arms: {arms}")
        return [tuple(pair) for pair in pairs]  # type: ignore[misc]
    if baseline is not None:
        if baseline not in arms:
            raise ValueError(f"unknown baseline arm {baseline!r}; arms: {arms}")
        return [(baseline, arm) for arm in arms if arm != baseline]
    return [(a, b) for i, a in enumerate(arms) for b in arms[i + 1:]]


def _contrast_row(a: np.ndarray, b: np.ndarray, bootstrap: bool, resamples: int,
                  seed: int) -> dict[str, Any]:
    """b - a over the replicas where the metric occurred in both arms."""
    kept = ~(np.isnan(a) | np.isnan(b))
    a, b = a[kept], b[kept]
    d = b - a
    n = int(d.size)
    mean_a = float(a.mean()) if n else math.nan
    mean_b = float(b.mean()) if n else math.nan
    difference = float(d.mean()) if n else math.nan
    # Equal up to rounding, as the CLI's compare decides: sums of the same terms in another
    # order differ in their last bits, and a t test of that noise would call it "significant".
    deterministic = bool(_core.without_spread(d))
    if bootstrap and n:
        low, high = bootstrap_interval(d, resamples=resamples, seed=seed)
    else:
        low, high = t_interval(d)
    scale = abs(mean_a) if n and mean_a != 0.0 else math.nan
    return {"pairs": n, "mean_a": mean_a, "mean_b": mean_b, "difference": difference,
            "ci95_low": low, "ci95_high": high,
            "interval": "bootstrap" if bootstrap else "t",
            "relative": difference / scale, "relative_low": low / scale,
            "relative_high": high / scale,
            "p_value": math.nan if deterministic else paired_t_pvalue(d),
            "deterministic": deterministic}


def contrast(frame: pd.DataFrame, baseline: Any = None, *,
             pairs: Sequence[tuple[Any, Any]] | None = None, by: Sequence[str] | None = None,
             metrics: Sequence[str] | None = None,
             bootstrap: Sequence[str] | bool = HEAVY_TAILED, alpha: float = 0.05,
             resamples: int = 2000, seed: int = 1) -> pd.DataFrame:
    """Paired contrasts ``b - a`` between arms, replica by replica, one row per (pair, group,
    metric).

    Which pairs: ``pairs=[(a, b), ...]``; or every arm against ``baseline``; or (neither)
    every pair of arms. ``by`` (default the grid labels) keeps grid points apart; ``metrics``
    defaults to every summary metric. Replicas where the metric did not occur in either arm
    are left out of that metric's pairs.

    Columns: a, b, the ``by`` columns, metric, pairs, mean_a, mean_b, difference (mean of
    b - a), ci95_low/ci95_high (t interval, or percentile bootstrap for the metrics in
    ``bootstrap``, default :data:`HEAVY_TAILED`; ``True`` for all), interval (which one),
    relative = difference / |mean_a| with its interval scaled alike (the baseline mean taken as
    known), p_value (paired t test), p_holm (Holm-adjusted across every row of the result, so
    across metrics, pairs and grid points), significant (p_holm < alpha) and deterministic
    (every pair differs by the same amount, to within rounding: the difference is exact, has no
    p-value, is left out of Holm's family and is never "significant").
    """
    if "arm" not in frame.columns:
        raise ValueError("contrast needs an experiment frame with an 'arm' column")
    arms = list(frame["arm"].cat.categories if isinstance(frame["arm"].dtype, pd.CategoricalDtype)
                else dict.fromkeys(frame["arm"]))
    chosen = _pairs(arms, baseline, pairs)
    by = list(frame.attrs.get("grid", {})) if by is None else list(by)
    metrics = _default_metrics(frame) if metrics is None else list(metrics)
    boot = set(metrics) if bootstrap is True else set(bootstrap or ())
    key = [*by, "replica"]
    rows: list[dict[str, Any]] = []
    for a, b in chosen:
        left = frame[frame["arm"] == a].set_index(key)
        right = frame[frame["arm"] == b].set_index(key).reindex(left.index)
        if not by:
            groups: Any = [((), left)]
        elif len(by) == 1:
            groups = [((k,), rows) for k, rows in
                      left.groupby(level=by[0], sort=False, observed=True)]
        else:
            groups = left.groupby(level=by, sort=False, observed=True)
        for group_key, rows_a in groups:
            rows_b = right.loc[rows_a.index]
            keys = dict(zip(by, group_key))
            for metric in metrics:
                row = _contrast_row(rows_a[metric].to_numpy(np.float64),
                                    rows_b[metric].to_numpy(np.float64), metric in boot,
                                    resamples, seed)
                rows.append({"a": a, "b": b, **keys, "metric": metric, **row})
    result = pd.DataFrame(rows)
    result["p_holm"] = holm(result["p_value"].to_numpy()) if len(result) else []
    result["significant"] = (result["p_holm"] < alpha) & ~result["deterministic"]
    order = ["a", "b", *by, "metric", "pairs", "mean_a", "mean_b", "difference", "ci95_low",
             "ci95_high", "interval", "relative", "relative_low", "relative_high", "p_value",
             "p_holm", "significant", "deterministic"]
    result = result[order]
    result.attrs.update({k: v for k, v in frame.attrs.items() if k != "scenario_json"})
    return result

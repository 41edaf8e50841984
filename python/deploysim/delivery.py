"""Long-horizon delivery models, as ``deploysim pipeline`` and ``deploysim drift``:

* the release pipeline (changes through stages, released continuously, in trains or through a
  gate) and its DORA metrics;
* configuration drift and convergence, simulated and solved as a Markov chain.

A configuration is a dict (keys as in docs/delivery.md; absent keys keep the defaults), a path
to a JSON file, or None for the defaults; ``values`` changes it by dotted path as ``--set``
does. Bad values raise :class:`deploysim.ScenarioError` with the JSON pointer. Replica ``i``
runs on ``replica_seed(seed, i)``, so results do not depend on threads or workers.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence, Union

import numpy as np
import pandas as pd

from . import _core

__all__ = ["DriftResult", "PipelineResult", "classify_dora", "drift", "drift_analysis",
           "drift_config", "expected_cost_per_defect", "expected_latent_incidents", "pipeline",
           "pipeline_config", "pipeline_sweep", "run_pipeline_chunk", "working_time_done_s"]

#: A delivery model's configuration: a dict, a path to a JSON file, or None (the defaults).
Config = Union[Mapping[str, Any], str, "os.PathLike[str]", None]

REPLICA_COLUMNS = ["deploys_per_day", "lead_time_median_s", "change_fail_rate",
                   "recovery_median_s", "rework_rate", "deployments", "failed_deployments",
                   "rework_deployments", "changes_delivered", "incidents", "canary_rollbacks",
                   "loss_usd", "mean_changes_per_deployment", "defect_cost_usd",
                   "latent_incidents", "latent_loss_usd", "events_processed"]

#: The per-replica tallies of :attr:`PipelineResult.found`, by place a defect was found.
FOUND_COLUMNS = ["defects", "cost_usd", "incident_usd", "days_sum"]


def _threads(threads: int | None) -> int:
    return max(1, os.cpu_count() or 1) if threads is None else int(threads)


def _overrides(values: Mapping[str, Any] | None) -> list[str]:
    # JSON text keeps each value's type through the "key=value" syntax of --set.
    return [f"{key}={json.dumps(value)}" for key, value in (values or {}).items()]


def _native_pipeline(config: Config, values: Mapping[str, Any] | None,
                     file: str = "<memory>") -> _core.PipelineConfig:
    if config is None or isinstance(config, Mapping):
        document = _core.default_pipeline() if config is None else dict(config)
        if values:
            document = _core.set_values(document, dict(values), file)
        return _core.PipelineConfig.from_dict(document, file, os.getcwd())
    return _core.PipelineConfig.load(os.fspath(config), _overrides(values))


def _native_drift(config: Config, values: Mapping[str, Any] | None,
                  file: str = "<memory>") -> _core.DriftConfig:
    if config is None or isinstance(config, Mapping):
        document = {} if config is None else dict(config)
        if values:
            document = _core.set_values(document, dict(values), file)
        return _core.DriftConfig.from_dict(document, file)
    return _core.DriftConfig.load(os.fspath(config), _overrides(values))


def pipeline_config(config: Config = None, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The validated pipeline configuration with every key, defaults included."""
    return _native_pipeline(config, values).to_dict()


def drift_config(config: Config = None, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The validated drift configuration with every key, defaults included."""
    return _native_drift(config, values).to_dict()


def classify_dora(metrics: Mapping[str, Any]) -> dict[str, str]:
    """The DORA 2024 cluster ("elite", "high", "medium", "low") of deployment_frequency,
    lead_time, change_fail_rate, recovery_time and overall, from the metrics deploys_per_day,
    lead_time_median_s, change_fail_rate and recovery_median_s (None or NaN: unknown)."""
    clean = {k: (None if isinstance(v, float) and math.isnan(v) else v)
             for k, v in metrics.items()}
    return _core.classify_dora(clean)


def _replica_frame(rows: Sequence[Mapping[str, Any]], seed: int) -> pd.DataFrame:
    flat = [{**row["dora"], **{k: v for k, v in row.items() if k != "dora"}} for row in rows]
    frame = pd.DataFrame(flat, columns=REPLICA_COLUMNS).astype(
        {"deploys_per_day": float, "lead_time_median_s": float, "change_fail_rate": float,
         "recovery_median_s": float, "rework_rate": float})
    frame.insert(0, "replica", np.arange(len(rows), dtype=np.int64))
    frame.insert(1, "seed", [_core.replica_seed(seed, r) for r in range(len(rows))])
    return frame


# The parts of a report too long to print as a summary; they have their own attributes.
_DETAIL_KEYS = ("config", "first_replica", "mean_series")


def _summary(report: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in report.items() if key not in _DETAIL_KEYS}


@dataclass
class PipelineResult:
    """Replicas of a release pipeline.

    ``report``: what ``deploysim pipeline --json`` prints, computed by the same core function.
    ``summary``: its figures without the config and replica 0: mean and 95% CI over replicas
    of deploys_per_day, changes_per_deploy, lead_time_median_h, change_fail_rate,
    recovery_median_min, incidents, canary_rollbacks and loss_usd, the DORA 2024 clusters of
    the means, replicas, seed and events_processed.
    ``replicas``: one row per replica (replica, seed, the five DORA metrics, deployments,
    incidents, loss_usd, defect_cost_usd, latent_incidents, ...; NaN where undefined).
    ``found``: one row per (replica, place a defect was found): defects, cost_usd,
    incident_usd and days_sum, each replica's own tallies behind ``cost_by_place``. ``first``: replica 0's figures, ``days`` its per-day series and
    ``incidents`` its incident log.
    """

    summary: dict[str, Any]
    replicas: pd.DataFrame = field(repr=False)
    first: dict[str, Any] = field(repr=False)
    days: pd.DataFrame = field(repr=False)
    incidents: pd.DataFrame = field(repr=False)
    report: dict[str, Any] = field(repr=False)
    found: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    @property
    def cost_by_place(self) -> pd.DataFrame:
        """What a defect costs by where it is found (each stage, the gate, production): defects
        and cost per run, cost per defect (pooled over replicas) with the 95% t interval of each
        replica's cost per defect there (None until two replicas found one), its incident part,
        mean days from introduction."""
        return pd.DataFrame(self.report["defect_cost"]["by_place"]).set_index("found_in")

    @property
    def cost_curve(self) -> pd.DataFrame:
        """The cost-to-fix curve from the runs: one row per bin of days from a defect's
        introduction to its discovery (from_days, to_days; None for the open last bin)."""
        return pd.DataFrame(self.report["defect_cost"]["curve"])

    @property
    def shift_left(self) -> pd.DataFrame:
        """Cost per defect if a share of the defects found after the first stage were found
        there instead, at the prices the runs observed."""
        return pd.DataFrame(self.report["defect_cost"]["shift_left"])


def expected_cost_per_defect(stages: Sequence[tuple[float, float]],
                             escape_cost_usd: float) -> float:
    """Expected cost per defect of stages [(catch_probability, cost_usd), ...] in order, then
    production: sum_i p_i prod_{j<i}(1 - p_j) c_i + prod_j (1 - p_j) escape_cost_usd."""
    return _core.expected_cost_per_defect([(float(p), float(c)) for p, c in stages],
                                          float(escape_cost_usd))


def expected_latent_incidents(ship_per_day: float, wake_per_day: float,
                              cleanup_per_day: float, horizon_days: float) -> float:
    """Expected incidents from latent defects that ship as a Poisson process and are woken or
    cleaned up at exponential rates (docs/delivery.md)."""
    return _core.expected_latent_incidents(ship_per_day, wake_per_day, cleanup_per_day,
                                           horizon_days)


def working_time_done_s(start_h: float, end_h: float, weekends: bool, from_s: float,
                        work_s: float) -> float:
    """When ``work_s`` seconds of a release engineer's working time (``start_h`` to ``end_h``
    each day, weekends or not) have passed since ``from_s``; time 0 is a Monday 00:00."""
    return _core.working_time_done_s(start_h, end_h, weekends, from_s, work_s)


def pipeline(config: Config = None, *, values: Mapping[str, Any] | None = None,
             replicas: int = 20, threads: int | None = None, seed: int = 1) -> PipelineResult:
    """Runs the release pipeline ``replicas`` times over its horizon, as ``deploysim pipeline
    --config``."""
    native = _native_pipeline(config, values)
    out = _core.run_pipeline_replicas(native, int(replicas), _threads(threads), int(seed))
    frame = _replica_frame(out["replicas"], int(seed))
    first = out["first_replica"]
    days = pd.DataFrame(first.pop("days")).astype({"mean_batch_size": float,
                                                   "lead_time_median_s": float})
    incidents = pd.DataFrame(first.pop("incident_log"),
                             columns=["start_s", "detected_s", "recovered_s", "changes",
                                      "defective_changes", "loss_usd", "stopped_by_canary"])
    report = out["report"]
    return PipelineResult(_summary(report), frame, first, days, incidents, report,
                          _found_frame(out["replicas"], report))


def _found_frame(rows: Sequence[Mapping[str, Any]], report: Mapping[str, Any]) -> pd.DataFrame:
    places = [entry["found_in"] for entry in report["defect_cost"]["by_place"]]
    records = [{"replica": r, "found_in": places[i], **tally}
               for r, row in enumerate(rows) for i, tally in enumerate(row["found"])]
    frame = pd.DataFrame(records, columns=["replica", "found_in", *FOUND_COLUMNS])
    frame["found_in"] = pd.Categorical(frame["found_in"], categories=places, ordered=True)
    return frame.astype({"replica": np.int64, "defects": np.int64, "cost_usd": float,
                         "incident_usd": float, "days_sum": float})


def _grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    if not grid:
        raise ValueError("a sweep needs at least one parameter: {path: [values, ...]}")
    paths = list(grid)
    return [dict(zip(paths, combination))
            for combination in itertools.product(*(list(grid[p]) for p in paths))]


def run_pipeline_chunk(document_json: str, points: list[tuple[int, dict[str, Any]]],
                       replicas: int, seed: int, threads: int = 1) -> list[pd.DataFrame]:
    """Runs grid points of a pipeline sweep; the unit of work a sweep ships to an executor.

    Plain data in (the base configuration as JSON text, (point index, values) pairs), one
    replica frame per point out, so it pickles to any process or machine.
    """
    base = json.loads(document_json)
    frames = []
    for point, values in points:
        native = _native_pipeline(base, values)
        out = _core.run_pipeline_replicas(native, replicas, threads, seed)
        frame = _replica_frame(out["replicas"], seed)
        frame.insert(0, "point", point)
        frames.append(frame)
    return frames


def pipeline_sweep(config: Config, grid: Mapping[str, Sequence[Any]], replicas: int,
                   executor: Executor | None = None, *, values: Mapping[str, Any] | None = None,
                   threads: int | None = None, seed: int = 1,
                   chunk_size: int | None = None) -> pd.DataFrame:
    """Runs every point of the full-factorial ``grid`` (dotted path -> values, the last path
    varying fastest) of a pipeline ``replicas`` times, each point on the same seeds.

    One row per (point, replica): point, one column per path, then the columns of
    :attr:`PipelineResult.replicas`. With an ``executor`` (any ``concurrent.futures.Executor``,
    e.g. ``ProcessPoolExecutor`` or a Dask ``Client.get_executor()``), chunks of
    ``chunk_size`` points are shipped as JSON and run there with ``threads`` threads each
    (default 1); the result is identical to a local run.
    """
    base = pipeline_config(config, values)
    points = _grid_points(grid)
    for point in points:  # bad values fail here, before anything is shipped
        _native_pipeline(base, point)
    numbered = list(enumerate(points))
    if executor is None:
        frames = run_pipeline_chunk(json.dumps(base), numbered, int(replicas), int(seed),
                                    _threads(threads))
    else:
        size = chunk_size or max(1, -(-len(points) // (4 * max(1, os.cpu_count() or 1))))
        text = json.dumps(base)
        futures = [executor.submit(run_pipeline_chunk, text, numbered[start:start + size],
                                   int(replicas), int(seed), 1 if threads is None else int(threads))
                   for start in range(0, len(points), size)]
        frames = [frame for future in futures for frame in future.result()]
    frame = pd.concat(frames, ignore_index=True)
    for index, path in enumerate(grid):
        column = pd.Series([points[p][path] for p in frame["point"]]).infer_objects()
        frame.insert(1 + index, path, column.to_numpy())
    return frame


@dataclass
class DriftResult:
    """Replicas of a drift experiment against the analytic chain.

    ``report`` is what ``deploysim drift --json`` prints, computed by the same core function;
    ``summary`` its figures without the config, the series and replica 0
    (simulated_drifted_fraction and its ci95, ctmc_drifted_fraction, ctmc_phases,
    exact_drifted_fraction, ctmc_within_ci, ...);
    ``series`` is the drifted fraction over time (mean over replicas, and replica 0);
    ``first`` replica 0's figures, ``host_times`` its time in drift per host and
    ``incidents`` its deploy incidents.
    """

    summary: dict[str, Any]
    series: pd.DataFrame = field(repr=False)
    first: dict[str, Any] = field(repr=False)
    host_times: pd.DataFrame = field(repr=False)
    incidents: pd.DataFrame = field(repr=False)
    report: dict[str, Any] = field(repr=False)


def drift(config: Config = None, *, values: Mapping[str, Any] | None = None,
          replicas: int = 20, threads: int | None = None, seed: int = 1) -> DriftResult:
    """Simulates configuration drift ``replicas`` times and solves the chain, as ``deploysim
    drift --config``."""
    native = _native_drift(config, values)
    document = native.to_dict()
    e = _core.run_drift_experiment(native, int(replicas), _threads(threads), int(seed))
    report = e["report"]
    first = e["first_replica"]
    series = pd.DataFrame(e["mean_series"], columns=["time_s", "drifted_fraction"])
    replica0 = pd.DataFrame(first.pop("series"), columns=["time_s", "drifted_fraction"])
    series["replica0_drifted_fraction"] = replica0["drifted_fraction"]
    times = np.asarray(first.pop("time_in_drift_s"), dtype=float)
    horizon_s = _core.parse_duration_s(document["horizon"])
    host_times = pd.DataFrame({"host": np.arange(len(times)), "time_in_drift_s": times,
                               "share": times / horizon_s})
    incidents = pd.DataFrame(first.pop("incidents"),
                             columns=["time_s", "drifted_hosts", "bad_hosts"])
    return DriftResult(_summary(report), series, first, host_times, incidents, report)


def drift_analysis(config: Config = None,
                   values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The analytic drifted fraction without simulating: ctmc_drifted_fraction (the
    continuous-time Markov chain, Erlang ``phases`` for the gap between agent runs),
    exact_drifted_fraction (renewal-reward for the schedule as simulated) and mean_gap_s."""
    return _core.analyze_drift(_native_drift(config, values))

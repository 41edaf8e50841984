"""Many runs: Monte Carlo, parameter sweeps (locally or on any executor, e.g. Dask) and paired
comparisons. Replica ``r`` runs on ``replica_seed(seed, r)`` for every grid point and variant
(common random numbers), so results never depend on threads, chunks or workers."""

from __future__ import annotations

import os
from concurrent.futures import Executor
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _core
from .frames import columns_frame
from .scenario import Scenario

__all__ = ["monte_carlo", "sweep", "compare", "until_precise", "run_chunk"]


def _threads(threads: int | None) -> int:
    return max(1, os.cpu_count() or 1) if threads is None else int(threads)


def _run_columns() -> list[str]:
    return ["replica", "seed", *_core.summary_metric_names(), "deploy_outcome"]


def monte_carlo(scenario: Scenario, replicas: int, threads: int | None = None, *,
                seed: int | None = None) -> pd.DataFrame:
    """Runs ``scenario`` ``replicas`` times; one row per run: replica, seed, every summary
    metric (NaN where it did not occur) and deploy_outcome, in replica order. ``seed`` is the
    base seed (default: the scenario's), as ``deploysim sweep --seed``."""
    base = scenario.seed if seed is None else int(seed)
    columns = _core.run_points([scenario._native], int(replicas), _threads(threads), base)
    frame = columns_frame(columns, _run_columns())
    frame.attrs.update(scenario_hash=scenario.hash, base_seed=base, version=_core.__version__)
    return frame


def until_precise(scenario: Scenario, metric: str = "loss_usd", relative_half_width: float = 0.02,
                  max_replicas: int = 100_000, threads: int | None = None, *,
                  seed: int | None = None) -> pd.DataFrame:
    """Adds replicas in rounds (100, 200, 400, ...) until the 95% CI of ``metric`` is within
    ``relative_half_width`` of its mean, as ``deploysim sweep --until-ci``. One row per run;
    ``frame.attrs["reached"]`` says whether the target was met."""
    base = scenario.seed if seed is None else int(seed)
    columns = _core.run_until_precise(scenario._native, metric, float(relative_half_width),
                                      int(max_replicas), _threads(threads), base)
    frame = columns_frame(columns, _run_columns())
    frame.attrs.update(scenario_hash=scenario.hash, base_seed=base, version=_core.__version__,
                       reached=bool(columns["reached"]))
    return frame


def _grid(grid: Mapping[str, Sequence[Any]]) -> _core.Grid:
    if not grid:
        raise ValueError("a sweep needs at least one parameter: {path: [values, ...]}")
    return _core.Grid([_core.Parameter(path, list(values)) for path, values in grid.items()])


def run_chunk(scenario_json: str, file: str, grid: list[tuple[str, list[Any]]],
              points: list[int], replicas: int, base_seed: int, threads: int = 1) -> dict[str, Any]:
    """Runs ``points`` of a grid; the unit of work a sweep ships to an executor.

    Everything is plain data (scenario JSON text, the grid as (path, values) pairs, point
    indices), so it pickles to any process or machine. Returns per-run columns whose ``point``
    is the global grid point index.
    """
    base = _core.Scenario.from_json(scenario_json, file)
    native_grid = _core.Grid([_core.Parameter(path, values) for path, values in grid])
    scenarios = [_core.scenario_at(base, native_grid, point) for point in points]
    columns = _core.run_points(scenarios, replicas, threads, base_seed)
    columns["point"] = np.asarray(points, dtype=np.int64)[columns["point"]]
    return columns


def sweep(scenario: Scenario, grid: Mapping[str, Sequence[Any]], replicas: int,
          executor: Executor | None = None, *, threads: int | None = None,
          seed: int | None = None, chunk_size: int | None = None) -> pd.DataFrame:
    """Runs every point of the full-factorial ``grid`` (dotted path -> values, the last path
    varying fastest) ``replicas`` times, as ``deploysim sweep --param``.

    One row per run, in (point, replica) order: point, one column per path, replica, seed, the
    summary metrics and deploy_outcome. With an ``executor`` (any
    ``concurrent.futures.Executor``, e.g. ``ProcessPoolExecutor`` or a Dask
    ``Client.get_executor()``), chunks of ``chunk_size`` grid points are shipped as scenario
    JSON and run there with ``threads`` threads each (default 1); the result is identical to a
    local run.
    """
    native_grid = _grid(grid)
    base = scenario.seed if seed is None else int(seed)
    replicas = int(replicas)
    point_count = native_grid.points()
    if executor is None:
        points = [_core.scenario_at(scenario._native, native_grid, p) for p in range(point_count)]
        columns = _core.run_points(points, replicas, _threads(threads), base)
    else:
        # Validate every point here, so that bad input fails before anything is shipped.
        for p in range(point_count):
            _core.scenario_at(scenario._native, native_grid, p)
        size = chunk_size or max(1, -(-point_count // (4 * max(1, os.cpu_count() or 1))))
        spec = [(parameter.path, parameter.values) for parameter in native_grid.parameters]
        text = scenario.to_json()
        futures = [
            executor.submit(run_chunk, text, scenario.file, spec,
                            list(range(start, min(start + size, point_count))), replicas, base,
                            1 if threads is None else int(threads))
            for start in range(0, point_count, size)
        ]
        parts = [future.result() for future in futures]
        columns = {
            key: (np.concatenate([part[key] for part in parts])
                  if isinstance(parts[0][key], np.ndarray)
                  else [item for part in parts for item in part[key]])
            for key in parts[0]
        }
    # The swept values, one column per path, from each run's grid point.
    point = np.asarray(columns["point"])
    for index, parameter in enumerate(native_grid.parameters):
        coordinates = [native_grid.coordinates(p)[index] for p in range(point_count)]
        values = np.empty(point_count, dtype=object)
        for p, c in enumerate(coordinates):
            values[p] = parameter.values[c]
        column = pd.Series(values[point]).infer_objects()
        columns[parameter.path] = column.to_numpy()
    order = ["point", *(p.path for p in native_grid.parameters), *_run_columns()]
    frame = columns_frame(columns, order)
    frame.attrs.update(scenario_hash=scenario.hash, base_seed=base, version=_core.__version__)
    return frame


def compare(scenario: Scenario, variants: Mapping[str, Scenario | Mapping[str, Any]],
            replicas: int, threads: int | None = None, *, seed: int | None = None,
            base_name: str = "base") -> pd.DataFrame:
    """Runs ``scenario`` (named ``base_name``) and each variant on the same replica seeds and
    compares each variant with the base, replica by replica, as ``deploysim compare``.

    A variant is a Scenario or a dict of dotted-path changes to ``scenario``. One row per
    (variant, metric): pairs, baseline_mean and variant_mean (over the pairs), difference (mean
    of variant - base), its 95% t interval ci95_low/ci95_high, significant (the interval
    excludes 0, uncorrected for the number of comparisons), deterministic (the difference is the
    same in every replica: exact, never significant) and variance_reduction (the gain from
    common random numbers). Runs where a metric did not occur in either variant are left out of
    that metric's pairs. For a family of comparisons, use :func:`deploysim.contrast`.
    """
    if not variants:
        raise ValueError("compare needs at least one variant")
    natives = [(base_name, scenario._native)]
    for name, variant in variants.items():
        chosen = variant if isinstance(variant, Scenario) else scenario.with_values(variant)
        natives.append((str(name), chosen._native))
    base = scenario.seed if seed is None else int(seed)
    columns = _core.run_comparison(natives, int(replicas), _threads(threads), base)
    replicas_done = int(columns.pop("replicas"))
    frame = columns_frame(columns)
    frame.attrs.update(scenario_hash=scenario.hash, base_seed=base, replicas=replicas_done,
                       version=_core.__version__)
    return frame

"""Experiments as data: one tidy row per (arm, grid point, replica), saved and loaded with the
metadata that reproduces them, and time series across replicas as one long frame.

Every run of replica ``r`` uses ``replica_seed(seed, r)`` in every arm and at every grid point
(common random numbers), so differences between arms are paired replica by replica, and the
frame depends only on (scenario, arms, grid, replicas, seed): never on threads or chunking.
"""

from __future__ import annotations

import itertools
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Mapping, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import _core
from .progress import progress_bar
from .scenario import Scenario

__all__ = ["ExperimentFrame", "experiment", "load_experiment", "timeseries"]

#: The file names inside a saved experiment's directory.
RUNS_FILE = "runs.csv"
METADATA_FILE = "experiment.json"
FORMAT = "deploysim-experiment/1"

# Aliases evaluated at import, so written with typing's Union for Python 3.9.
Arm = Union[Scenario, Mapping[str, Any]]
GridEntry = Tuple[str, Union[Sequence[Any], Mapping[str, Any]]]


class ExperimentFrame(pd.DataFrame):
    """A DataFrame of runs that keeps its provenance in ``attrs`` and can save itself.

    ``attrs`` holds ``scenario_hash``, ``seed``, ``replicas``, ``version``, ``arms``, ``grid``
    and ``scenario_json``. They survive slicing, and ``pd.concat`` of frames with equal attrs
    (pandas itself drops them there).
    """

    @property
    def _constructor(self) -> type[ExperimentFrame]:
        return ExperimentFrame

    def __finalize__(self, other: Any, method: str | None = None, **kwargs: Any) -> ExperimentFrame:
        super().__finalize__(other, method=method, **kwargs)
        if method == "concat":
            attrs = [obj.attrs for obj in getattr(other, "objs", [])]
            if attrs and all(a == attrs[0] for a in attrs):
                self.attrs = dict(attrs[0])
        return self

    @property
    def grid_columns(self) -> list[str]:
        """The labels of the swept values, in grid order."""
        return list(self.attrs.get("grid", {}))

    @property
    def key_columns(self) -> list[str]:
        """The columns that name a run: arm, the grid labels and replica."""
        return ["arm", *self.grid_columns, "replica"]

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Writes the runs (``runs.csv``, floats to the last bit) and the metadata
        (``experiment.json``: scenario document, arms, grid, seed, replicas, versions, column
        types) into the directory ``path``; :func:`load_experiment` reads back an identical
        frame. Returns the directory."""
        return _save(self, Path(path))

    def to_xarray(self) -> Any:
        """An xarray Dataset with dimensions arm × grid labels × replica and one variable per
        column (needs python3-xarray); the attrs carry the provenance."""
        keys = self.key_columns
        plain = pd.DataFrame(self).copy()
        for key in keys:
            if isinstance(plain[key].dtype, pd.CategoricalDtype):
                plain[key] = plain[key].astype(object)
        dataset = plain.set_index(keys).to_xarray()
        dataset.attrs = {k: v for k, v in self.attrs.items()
                         if isinstance(v, (str, int, float))}
        return dataset

    def summarize(self, **options: Any) -> pd.DataFrame:
        """:func:`deploysim.summarize` of this frame."""
        from .analysis import summarize
        return summarize(self, **options)

    def contrast(self, *args: Any, **options: Any) -> pd.DataFrame:
        """:func:`deploysim.contrast` of this frame."""
        from .analysis import contrast
        return contrast(self, *args, **options)

    def rerun(self, threads: int | None = None) -> ExperimentFrame:
        """Runs the experiment again from its metadata alone (to check a saved result)."""
        return _rerun(self.attrs, threads)


def _grid_spec(grid: Mapping[str, GridEntry] | None) -> dict[str, dict[str, Any]]:
    """{label: {"path", "values", "labels" (None when the values label themselves)}}."""
    spec: dict[str, dict[str, Any]] = {}
    for label, entry in (grid or {}).items():
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str)):
            raise ValueError(f"grid[{label!r}] must be (dotted path, values), e.g. "
                             f"(\"deployment.strategy.batch_size\", [5, 10, 20])")
        path, values = entry
        if isinstance(values, Mapping):
            labels: list[str] | None = [str(k) for k in values]
            values = list(values.values())
        else:
            values = list(values)
            complex_values = any(isinstance(v, (dict, list)) for v in values)
            labels = [json.dumps(v, sort_keys=True) for v in values] if complex_values else None
        if not values:
            raise ValueError(f"grid[{label!r}] has no values")
        if label in ("arm", "replica", "seed") or label in _core.summary_metric_names():
            raise ValueError(f"grid label {label!r} is a column name already; choose another")
        spec[str(label)] = {"path": path, "values": values, "labels": labels}
    return spec


def _arm_spec(arms: Mapping[str, Arm] | None) -> dict[str, dict[str, Any]]:
    """{label: {"values": overrides} or {"scenario_json": text}}, plain data for the metadata."""
    if arms is None:
        return {"base": {"values": {}}}
    if not arms:
        raise ValueError("arms must name at least one arm: {label: {dotted.path: value}}")
    spec: dict[str, dict[str, Any]] = {}
    for label, arm in arms.items():
        if isinstance(arm, Scenario):
            spec[str(label)] = {"scenario_json": arm.to_json(), "file": arm.file}
        else:
            spec[str(label)] = {"values": dict(arm)}
    return spec


def _arm_scenario(base: Scenario, arm: Mapping[str, Any]) -> Scenario:
    if "scenario_json" in arm:
        return Scenario.from_json(arm["scenario_json"], arm.get("file", "<memory>"))
    return base.with_values(arm["values"]) if arm["values"] else base


def _points(base: Scenario, arms: dict[str, dict[str, Any]],
            grid: dict[str, dict[str, Any]]) -> list[Scenario]:
    """One scenario per (arm, grid point), arms outermost and the last grid label fastest."""
    scenarios = []
    for arm in arms.values():
        chosen = _arm_scenario(base, arm)
        for values in itertools.product(*(g["values"] for g in grid.values())):
            changes = {g["path"]: v for g, v in zip(grid.values(), values)}
            scenarios.append(chosen.with_values(changes) if changes else chosen)
    return scenarios


def _run(points: list[Scenario], replicas: int, threads: int, seed: int,
         progress: bool) -> dict[str, Any]:
    """run_points in chunks of grid points, so that a progress bar can move; replica seeds do
    not depend on the chunk, so the columns equal one big call's."""
    bar = progress_bar(len(points) * replicas, progress)
    chunk = len(points) if not progress else max(1, len(points) // 20)
    parts = []
    try:
        for start in range(0, len(points), chunk):
            natives = [p._native for p in points[start:start + chunk]]
            part = _core.run_points(natives, replicas, threads, seed)
            part["point"] = np.asarray(part["point"]) + start
            parts.append(part)
            bar.update(len(natives) * replicas)
    finally:
        bar.close()
    if len(parts) == 1:
        return parts[0]
    return {key: (np.concatenate([p[key] for p in parts]) if isinstance(parts[0][key], np.ndarray)
                  else [item for p in parts for item in p[key]]) for key in parts[0]}


def _label_column(values: list[Any], labels: list[str] | None, codes: np.ndarray) -> Any:
    """A grid column: categorical labels in grid order, or the values themselves if plain."""
    if labels is not None:
        return pd.Categorical.from_codes(codes, categories=labels, ordered=True)
    column = pd.Series(np.asarray(values, dtype=object)[codes]).infer_objects()
    if column.dtype == object:
        return pd.Categorical(column, categories=list(dict.fromkeys(values)), ordered=True)
    return column.to_numpy()


def _frame(columns: dict[str, Any], arms: dict[str, dict[str, Any]],
           grid: dict[str, dict[str, Any]]) -> ExperimentFrame:
    point = np.asarray(columns["point"], dtype=np.int64)
    sizes = [len(g["values"]) for g in grid.values()]
    per_arm = int(np.prod(sizes)) if sizes else 1
    data: dict[str, Any] = {
        "arm": pd.Categorical.from_codes(point // per_arm, categories=list(arms), ordered=True)}
    within = point % per_arm
    for index, (label, g) in enumerate(grid.items()):
        stride = int(np.prod(sizes[index + 1:])) if index + 1 < len(sizes) else 1
        data[label] = _label_column(g["values"], g["labels"], (within // stride) % sizes[index])
    data["replica"] = np.asarray(columns["replica"], dtype=np.int64)
    data["seed"] = np.asarray(columns["seed"], dtype=np.uint64)
    for name in _core.summary_metric_names():
        data[name] = np.asarray(columns[name], dtype=np.float64)
    data["deploy_outcome"] = np.asarray(columns["deploy_outcome"], dtype=object)
    return ExperimentFrame(data)


def experiment(scenario: Scenario, arms: Mapping[str, Arm] | None = None,
               grid: Mapping[str, GridEntry] | None = None, replicas: int = 100,
               seed: int | None = None, *, threads: int | None = None,
               progress: bool = False) -> ExperimentFrame:
    """Runs every arm at every grid point ``replicas`` times; one tidy row per run.

    - ``arms``: ``{label: {dotted.path: value, ...}}`` (changes to ``scenario``) or
      ``{label: Scenario}``; default one arm, ``"base"``. To change a strategy's ``type``,
      replace the whole object: ``{"deployment.strategy": {"type": "canary", ...}}``.
    - ``grid``: ``{label: (dotted.path, values)}``, full factorial, the last label varying
      fastest; ``values`` is a list, or ``{value label: value}`` to name values such as whole
      strategy objects. Grid values are applied after the arm's changes.
    - ``seed``: the base seed (default the scenario's); ``threads``: default all cores;
      ``progress``: a progress bar (tqdm if installed).

    Columns: ``arm``, one per grid label, ``replica``, ``seed``, every summary metric (NaN
    where it did not occur) and ``deploy_outcome``; ``attrs`` record the provenance.
    """
    replicas = int(replicas)
    if replicas < 1:
        raise ValueError("replicas must be at least 1")
    base_seed = scenario.seed if seed is None else int(seed)
    arm_spec, grid_spec = _arm_spec(arms), _grid_spec(grid)
    points = _points(scenario, arm_spec, grid_spec)
    workers = max(1, os.cpu_count() or 1) if threads is None else int(threads)
    frame = _frame(_run(points, replicas, workers, base_seed, progress), arm_spec, grid_spec)
    frame.attrs.update(
        scenario_hash=scenario.hash, seed=base_seed, replicas=replicas,
        version=_core.__version__, scenario_json=scenario.to_json(), scenario_file=scenario.file,
        arms=arm_spec, grid=grid_spec)
    return frame


def _rerun(attrs: Mapping[str, Any], threads: int | None) -> ExperimentFrame:
    base = Scenario.from_json(attrs["scenario_json"], attrs.get("scenario_file", "<memory>"))
    arms = {label: (_arm_scenario(base, arm) if "scenario_json" in arm else arm["values"])
            for label, arm in attrs["arms"].items()}
    grid = {label: (g["path"], dict(zip(g["labels"], g["values"])) if g["labels"] is not None
                    else g["values"]) for label, g in attrs["grid"].items()}
    return experiment(base, arms, grid, attrs["replicas"], attrs["seed"], threads=threads)


def _save(frame: ExperimentFrame, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    types = {}
    for name, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            types[name] = {"categories": [c.item() if hasattr(c, "item") else c
                                          for c in dtype.categories]}
        else:
            types[name] = str(dtype)
    metadata = {"format": FORMAT, "attrs": frame.attrs, "columns": types}
    try:
        text = json.dumps(metadata, indent=1, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"the frame's attrs cannot be saved as JSON: {error}") from None
    frame.to_csv(directory / RUNS_FILE, index=False, float_format="%.17g")
    (directory / METADATA_FILE).write_text(text + "\n", encoding="utf-8")
    return directory


def load_experiment(path: str | os.PathLike[str]) -> ExperimentFrame:
    """Reads a directory written by :meth:`ExperimentFrame.save`: the same rows, column types
    and attrs as the frame that was saved."""
    directory = Path(path)
    try:
        metadata = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{directory}: no {METADATA_FILE}; not a saved experiment") from None
    if metadata.get("format") != FORMAT:
        raise ValueError(f"{directory / METADATA_FILE}: format is {metadata.get('format')!r}, "
                         f"expected {FORMAT!r}")
    types = metadata["columns"]
    read_types = {name: (t if isinstance(t, str) else "object") for name, t in types.items()}
    floats = [name for name, t in types.items() if t == "float64"]
    runs = pd.read_csv(directory / RUNS_FILE, dtype=read_types, keep_default_na=False,
                       na_values={name: [""] for name in floats}, float_precision="round_trip")
    if list(runs.columns) != list(types):
        raise ValueError(f"{directory / RUNS_FILE}: columns {list(runs.columns)} do not match "
                         f"{METADATA_FILE}'s {list(types)}")
    for name, t in types.items():
        if not isinstance(t, str):
            runs[name] = pd.Categorical(runs[name], categories=t["categories"], ordered=True)
    frame = ExperimentFrame(runs)
    frame.attrs.update(metadata["attrs"])
    return frame


def timeseries(scenario: Scenario, arms: Mapping[str, Arm] | None = None, replicas: int = 20,
               seed: int | None = None, *, columns: Sequence[str] | None = None,
               threads: int | None = None) -> pd.DataFrame:
    """The monitoring time series of every run, as one long frame: arm, replica, seed,
    ``time_s`` and the chosen ``columns`` (default all). Replica ``r`` of every arm runs on
    ``replica_seed(seed, r)``, as in :func:`experiment`; summarize across replicas with
    ``summarize(frame, by=["arm", "time_s"], metrics=[...])``."""
    base_seed = scenario.seed if seed is None else int(seed)
    arm_spec = _arm_spec(arms)
    chosen = [_arm_scenario(scenario, arm) for arm in arm_spec.values()]
    jobs = [(a, r) for a in range(len(chosen)) for r in range(int(replicas))]
    workers = max(1, os.cpu_count() or 1) if threads is None else int(threads)

    def one(job: tuple[int, int]) -> pd.DataFrame:
        arm, replica = job
        run_seed = _core.replica_seed(base_seed, replica)
        series = chosen[arm].run(seed=run_seed).timeseries
        if columns is not None:
            series = series[["time_s", *[c for c in columns if c != "time_s"]]]
        series.insert(0, "seed", np.uint64(run_seed))
        series.insert(0, "replica", replica)
        series.insert(0, "arm", arm)
        return series

    # The core releases the GIL while it runs, so threads run replicas in parallel; map keeps
    # the job order, so the frame does not depend on the thread count.
    with ThreadPoolExecutor(max_workers=workers) as pool:
        frame = pd.concat(list(pool.map(one, jobs)), ignore_index=True)
    frame["arm"] = pd.Categorical.from_codes(frame["arm"].to_numpy(), categories=list(arm_spec),
                                             ordered=True)
    frame.attrs.update(scenario_hash=scenario.hash, seed=base_seed, version=_core.__version__)
    return frame

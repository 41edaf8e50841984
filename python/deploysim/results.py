"""The result of one run, and a run driven step by step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _core
from .frames import records_frame

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = ["Result", "Simulation"]


class Result:
    """What one run produced: the summary (the result contract), time series and story.

    ``summary`` holds the keys of DESIGN.md's result contract (``loss_usd``,
    ``time_to_detect_s``, ...); a quantity that did not occur is ``None``.
    """

    def __init__(self, native: _core.Result) -> None:
        self._native = native
        self._summary: dict[str, Any] | None = None

    @property
    def summary(self) -> dict[str, Any]:
        """The summary as a dict, equal to ``deploysim run --json``'s ``summary``."""
        if self._summary is None:
            self._summary = self._native.summary()
        return dict(self._summary)

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        """Time series columns as read-only numpy views into the result (no copies)."""
        return {name: self._native.column(i) for i, name in enumerate(self._native.columns())}

    @property
    def timeseries(self) -> pd.DataFrame:
        """The monitoring time series, one row per sample; ``time_s`` first."""
        return pd.DataFrame(self.arrays, copy=False)

    @property
    def story(self) -> pd.DataFrame:
        """Notable events: time_s, clock, event, subject, text (as ``deploysim run`` tells it)."""
        return records_frame(self._native.story(), with_fields=False)

    @property
    def trace(self) -> pd.DataFrame:
        """Every trace record (per host too) with a ``fields`` dict; needs ``run(trace=True)``."""
        return records_frame(self._native.trace(), with_fields=True)

    @property
    def has_trace(self) -> bool:
        """Whether the run recorded every trace record (``run(trace=True)``)."""
        return bool(self._native.has_trace)

    def to_line_protocol(self, per_host: bool = False) -> str:
        """The run as InfluxDB line protocol, as ``deploysim run --export influx=FILE`` writes it.

        Service-level series, hosts per version and the story's events, on the scenario's
        calendar (docs/observability.md). ``per_host`` adds a series per host; it needs
        ``run(trace=True)`` and a fleet of at most 1,000 hosts (``ValueError`` otherwise).
        """
        return str(self._native.to_line_protocol(per_host))

    def to_openmetrics(self, per_host: bool = False) -> str:
        """The run as OpenMetrics text for ``promtool tsdb create-blocks-from openmetrics``.

        The same series as :meth:`to_line_protocol`, ending with ``# EOF``.
        """
        return str(self._native.to_openmetrics(per_host))

    def __repr__(self) -> str:
        s = self.summary
        return (f"<deploysim.Result loss_usd={s['loss_usd']!r} "
                f"deploy_outcome={s['deploy_outcome']!r} seed={s['seed']!r}>")


class Simulation:
    """A run driven step by step, as the GUI does: ``step()``, ``run_until(t)``, ``run()``."""

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else int(seed)
        self._native = _core.Simulation(scenario._native, self.seed)

    def step(self) -> bool:
        """Processes one event; False once the end is reached or nothing is pending."""
        return bool(self._native.step())

    def run_until(self, seconds: float) -> None:
        """Runs until ``seconds`` of simulated time from the start (capped at the end)."""
        self._native.run_until(float(seconds))

    def run(self) -> Result:
        """Runs to the end and returns the final result."""
        self._native.run()
        return self.result()

    @property
    def finished(self) -> bool:
        """Whether the scenario's end time is reached."""
        return bool(self._native.finished)

    @property
    def now_s(self) -> float:
        """Simulated seconds since the start."""
        return float(self._native.now_s)

    @property
    def clock(self) -> str:
        """The current time as the scenario's clock shows it, e.g. ``"2012-08-01 09:30:00"``."""
        return str(self._native.clock)

    def result(self) -> Result:
        """The result as of now: before the end, a snapshot that samples, draws and fires
        nothing (looking never changes the run); the final result once finished."""
        return Result(self._native.result())

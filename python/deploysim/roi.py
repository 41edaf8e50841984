"""Is automation worth it? The xkcd 1205 table, and the deployment-automation case with its
cumulative costs and break-even, the risk term optionally from Monte Carlo runs of a manual and
an automated scenario (as ``deploysim roi``; see docs/delivery.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Mapping

import pandas as pd

from . import _core
from .frames import columns_frame
from .scenario import Scenario

__all__ = ["DeploymentRoi", "deployment", "deployment_case", "xkcd_table"]


def xkcd_table(wide: bool = False) -> pd.DataFrame:
    """The comic's table, computed from its formula (5 years x runs per year x time saved).

    Long form (default): one row per cell, in the order of ``deploysim roi --xkcd --json``:
    saving, frequency, seconds_saved, runs_per_year, break_even_s, grey ("no", "impossible",
    "comic_only"), formula (the comic's rounding of the formula, None where grey),
    formula_unit, comic (the cell as drawn, None where grey), comic_rounds_lower,
    exact_in_comic_unit. ``wide=True``: the table as drawn, savings down and frequencies
    across, cells written as ``deploysim roi --xkcd`` prints them ("-" impossible, "- (g)"
    greyed by the comic, "*" where the comic rounds lower).
    """
    frame = columns_frame(_core.xkcd_cells())
    if not wide:
        return frame

    def shown(row: pd.Series) -> str:
        if row["grey"] == "impossible":
            return "-"
        if row["grey"] == "comic_only":
            return "- (g)"
        return str(row["formula"]) + (" *" if row["comic_rounds_lower"] else "")

    cells = frame.assign(cell=frame.apply(shown, axis=1))
    table = cells.pivot(index="saving", columns="frequency", values="cell")
    table = table.loc[list(dict.fromkeys(frame["saving"])), list(dict.fromkeys(frame["frequency"]))]
    table.columns.name = "how often"
    table.index.name = "time saved"
    return table


@dataclass
class DeploymentRoi:
    """The deployment case: ``summary`` has the keys of ``deploysim roi --json``; ``series`` is
    the cumulative cost of both processes per period (the columns of ``--csv``: period, days,
    deploys, manual_cost_usd, automated_cost_usd)."""

    summary: dict[str, Any]
    series: pd.DataFrame = field(repr=False)

    @property
    def break_even_periods(self) -> float | None:
        """Where the cumulative costs cross, in periods; None if never."""
        return self.summary["break_even_periods"]


def _hours(value: str | float) -> float:
    # "2h", "10min" as the CLI takes them; a number is already hours.
    return _core.parse_duration_s(value) / 3600.0 if isinstance(value, str) else float(value)


def deployment(*, build_hours: float, rate: float, manual_time: str | float,
               automated_time: str | float, deploys: float, period: str = "week",
               horizon: str = "2y", maintenance_hours: float = 0.0, manual_loss: float = 0.0,
               automated_loss: float = 0.0, manual_scenario: Scenario | None = None,
               automated_scenario: Scenario | None = None, replicas: int = 100,
               threads: int | None = None, seed: int | None = None) -> DeploymentRoi:
    """Automating the deploy, as ``deploysim roi``: build effort and upkeep against people's
    time and expected incident loss per deploy.

    ``manual_time``/``automated_time`` are people's time per deploy ("2h", "10min", or hours
    as a number); ``period`` is day, week, month, quarter or year; ``horizon`` a span such as
    "2y", "18mo", "26w". The loss per deploy is given (``manual_loss``, ``automated_loss``,
    USD) or estimated from ``replicas`` runs of ``manual_scenario`` and
    ``automated_scenario`` on the same seeds (base ``seed``, default the manual scenario's);
    then the summary also holds replicas and the 95% CIs. Raises ValueError for values out of
    range.
    """
    if (manual_scenario is None) != (automated_scenario is None):
        raise ValueError("manual_scenario and automated_scenario go together")
    if manual_scenario is not None and (manual_loss != 0.0 or automated_loss != 0.0):
        raise ValueError("give the loss per deploy either as manual_loss/automated_loss or from "
                         "manual_scenario/automated_scenario, not both")
    days = _core.period_days(period)
    inputs = _core.RoiInputs()
    inputs.build_hours = float(build_hours)
    inputs.maintenance_hours_per_period = float(maintenance_hours)
    inputs.hourly_rate_usd = float(rate)
    inputs.manual_hours_per_deploy = _hours(manual_time)
    inputs.automated_hours_per_deploy = _hours(automated_time)
    inputs.deploys_per_period = float(deploys)
    inputs.horizon_periods = _core.parse_span_days(horizon) / days
    inputs.manual_loss_per_deploy_usd = float(manual_loss)
    inputs.automated_loss_per_deploy_usd = float(automated_loss)
    manual = automated = None
    base = 0
    workers = 1
    if manual_scenario is not None and automated_scenario is not None:
        base = manual_scenario.seed if seed is None else int(seed)
        workers = max(1, os.cpu_count() or 1) if threads is None else int(threads)
        manual, automated = manual_scenario._native, automated_scenario._native
    out = _core.roi_report(inputs, period, manual, automated, int(replicas), workers, base)
    series = columns_frame(out.pop("series"))
    series.insert(1, "days", series["period"] * days)
    summary: dict[str, Any] = out["summary"]
    return DeploymentRoi(summary, series)


INPUT_KEYS = ["build_hours", "maintenance_hours_per_period", "hourly_rate_usd",
              "manual_hours_per_deploy", "automated_hours_per_deploy", "deploys_per_period",
              "horizon_periods", "manual_loss_per_deploy_usd", "automated_loss_per_deploy_usd"]


def deployment_case(inputs: Mapping[str, Any], file: str = "<memory>") -> DeploymentRoi:
    """The deployment case from its JSON form: a dict with the keys of ``INPUT_KEYS`` (hours,
    USD and periods; maintenance and the losses default to 0), as the delivery models' input
    files write it (docs/delivery.md).

    Bad values raise :class:`deploysim.ScenarioError` naming ``file`` and the JSON pointer
    (``/hourly_rate_usd``). The summary has the keys of ``deploysim roi --json`` except
    ``period``; the series has no ``days`` column, since a period has no length here.
    """
    native = _core.roi_inputs_from_dict(dict(inputs), file)
    out = _core.roi_report(native, "")
    series = columns_frame(out.pop("series"))
    summary: dict[str, Any] = out["summary"]
    return DeploymentRoi(summary, series)

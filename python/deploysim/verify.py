"""Proving a rollout plan safe under every small set of faults (docs/verification.md)."""

from __future__ import annotations

import json
import os
from typing import Any, Mapping, Sequence

import pandas as pd

from . import _core
from .results import Result
from .scenario import Scenario

__all__ = ["Counterexample", "Verification", "fault_kinds", "verify"]


def fault_kinds() -> list[str]:
    """Every kind of fault, as fault schedules name them (``skip_host``, ``alert_silent``, ...)."""
    return list(_core.fault_kinds())


class Counterexample:
    """The smallest fault schedule that breaks a property: its faults, the plan it ran on
    (:attr:`scenario`, a :class:`Scenario`), and its run (:meth:`run`)."""

    def __init__(self, scenario: Scenario, data: Mapping[str, Any]) -> None:
        self._scenario = scenario
        self._data = dict(data)

    @property
    def faults(self) -> list[dict[str, Any]]:
        """The faults, each ``{"kind": ..., "target": ...}``."""
        return [dict(f) for f in self._data["faults"]]

    @property
    def violated(self) -> list[str]:
        """The names of the properties it breaks."""
        return list(self._data["violated"])

    @property
    def schedule(self) -> dict[str, Any]:
        """The fault-schedule file's content (``deploysim run SCENARIO --faults FILE``)."""
        return dict(self._data["schedule"])

    @property
    def scenario(self) -> Scenario:
        """The plan as verify judged it (the scenario's scripted faults removed unless kept)."""
        return Scenario(_core.plan_of(self._scenario._native,
                                      bool(self._data["schedule"]["keep_scripted_faults"])))

    @property
    def summary(self) -> dict[str, Any]:
        """The counterexample's summary, as ``deploysim run --faults`` prints it."""
        return dict(self._data["summary"])

    @property
    def story(self) -> list[str]:
        """What happens under it, one line per notable event with its clock time."""
        return list(self._data["story"])

    def run(self) -> Result:
        """Replays the counterexample: the same run, the same summary."""
        return Result(_core.replay(self._scenario._native, json.dumps(self.schedule)))

    def write(self, path: str | os.PathLike[str]) -> None:
        """Writes the fault schedule to ``path`` for ``deploysim run --faults``."""
        with open(path, "w", encoding="utf-8") as out:
            json.dump(self.schedule, out, indent=2)
            out.write("\n")


class Verification:
    """The report of :func:`verify`: the verdict, the counts per number of faults and, for a
    violation, the :class:`Counterexample`."""

    def __init__(self, scenario: Scenario, report: Mapping[str, Any]) -> None:
        self._scenario = scenario
        self._report = dict(report)

    @property
    def verdict(self) -> str:
        """``"verified"``, ``"violated"`` or ``"incomplete"`` (interrupted)."""
        return str(self._report["verdict"])

    @property
    def verified(self) -> bool:
        """Whether every schedule explored keeps every property."""
        return self.verdict == "verified"

    @property
    def report(self) -> dict[str, Any]:
        """The whole report, as ``deploysim verify --format json`` prints it."""
        return dict(self._report)

    @property
    def levels(self) -> pd.DataFrame:
        """One row per number of faults: schedules explored, what they stand for, runs, pruned
        schedules and violations."""
        return pd.DataFrame(self._report["levels"])

    @property
    def counterexample(self) -> Counterexample | None:
        """The smallest counterexample (fewest faults, then earliest), or ``None``."""
        data = self._report.get("counterexample")
        return None if data is None else Counterexample(self._scenario, data)

    def __repr__(self) -> str:
        return f"<Verification {self.verdict}: {self._report['scenario']}>"


def verify(scenario: Scenario, properties: Sequence[str] | None = None, *, k: int = 2,
           fault_kinds: Sequence[str] = (), slow_quantile: float = 0.95, late_by: str = "10min",
           probabilities: Mapping[str, float] | None = None, seed: int | None = None,
           threads: int | None = None, symmetry: bool = True, prune: bool = True,
           keep_scripted_faults: bool = False) -> Verification:
    """Runs ``scenario`` under every schedule of at most ``k`` faults and checks
    ``properties`` (built-in names such as ``"flag_consistency"`` or ``"blast_radius:80"``, or
    expressions; default ``flag_consistency`` with flags, else ``error_budget``), as
    ``deploysim verify`` does. Bad properties or options raise :class:`ScenarioError`."""
    if properties is None:
        properties = ["flag_consistency" if scenario.to_dict().get("flags") else "error_budget"]
    report = _core.verify(
        scenario._native, list(properties), int(k), list(fault_kinds), float(slow_quantile),
        str(late_by), dict(probabilities or {}), scenario.seed if seed is None else int(seed),
        (os.cpu_count() or 1) if threads is None else int(threads), bool(symmetry), bool(prune),
        bool(keep_scripted_faults))
    return Verification(scenario, report)

"""deploysim: the deployment-safety simulator from Python.

The C++ core runs the model (the GIL is released; Ctrl-C interrupts long experiments); this
package gives its results as dicts and pandas DataFrames::

    import deploysim
    knight = deploysim.Scenario.load("scenarios/knight_capital_2012.json")
    result = knight.run()
    result.summary["loss_usd"], result.timeseries, result.story
    deploysim.compare(knight, {"gate": {"deployment.preflight_gate": True}}, replicas=50)
    deploysim.check("examples/knight_capital/manifest.json").to_frame()
    deploysim.roi.xkcd_table(wide=True)
    deploysim.delivery.pipeline(values={"cadence": "train", "train_interval": "7d"}).summary

See docs/python.md.
"""

from __future__ import annotations

from . import _core, delivery, roi
from .check import Findings, check
from .check import rules as check_rules
from .errors import Problem, ScenarioError
from .experiments import compare, monte_carlo, sweep, until_precise
from .results import Result, Simulation
from .scenario import Scenario

__version__: str = _core.__version__

#: Summary metrics experiments report, in the CLI's column order.
SUMMARY_METRICS: list[str] = list(_core.summary_metric_names())

replica_seed = _core.replica_seed

__all__ = [
    "Findings",
    "Problem",
    "Result",
    "SUMMARY_METRICS",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "check",
    "check_rules",
    "compare",
    "delivery",
    "monte_carlo",
    "replica_seed",
    "roi",
    "sweep",
    "until_precise",
    "__version__",
]

"""deploysim: the deployment-safety simulator from Python.

The C++ core runs the model (the GIL is released; Ctrl-C interrupts long experiments); this
package gives its results as dicts and pandas DataFrames::

    import deploysim
    knight = deploysim.Scenario.load("scenarios/knight_capital_2012.json")
    result = knight.run()
    result.summary["loss_usd"], result.timeseries, result.story
    gate = {"deployment.preflight_gate": True}
    runs = deploysim.experiment(knight, arms={"as_2012": {}, "gate": gate}, replicas=50)
    deploysim.summarize(runs), deploysim.contrast(runs, "as_2012"), runs.save("gate-study")
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
from .analysis import HEAVY_TAILED, contrast, summarize
from .experiments import compare, monte_carlo, sweep, until_precise
from .plotting import plot_means
from .results import Result, Simulation
from .scenario import Scenario
from .stats import bootstrap_interval, holm, paired_t_pvalue, t_interval, wilson_interval
from .tidy import ExperimentFrame, experiment, load_experiment, timeseries
from .verify import Counterexample, Verification, fault_kinds, verify

__version__: str = _core.__version__

#: Summary metrics experiments report, in the CLI's column order.
SUMMARY_METRICS: list[str] = list(_core.summary_metric_names())

replica_seed = _core.replica_seed

__all__ = [
    "ExperimentFrame",
    "Findings",
    "HEAVY_TAILED",
    "Problem",
    "Result",
    "SUMMARY_METRICS",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "check",
    "check_rules",
    "bootstrap_interval",
    "compare",
    "contrast",
    "delivery",
    "experiment",
    "holm",
    "load_experiment",
    "monte_carlo",
    "paired_t_pvalue",
    "plot_means",
    "replica_seed",
    "roi",
    "summarize",
    "sweep",
    "t_interval",
    "timeseries",
    "until_precise",
    "wilson_interval",
    "Counterexample",
    "Verification",
    "fault_kinds",
    "verify",
    "__version__",
]

"""Python against the CLI on the Knight Capital replay (docs/performance.md, "Python"):

1. ``Scenario.run()`` in a Python loop of 1,000 runs against ``deploysim sweep --replicas 1000
   --threads 1`` (the same 1,000 seeds, one run after another in one process); target: Python
   at most 10% slower. Also the minor page faults per run, which show whether the heap is
   handed back to the kernel and faulted in again between runs.
2. ``monte_carlo`` of 10,000 replicas against ``deploysim sweep --replicas 10000``, both on
   the same number of threads; target: within 10%.
3. ``deploysim.experiment`` + ``summarize`` of 8 arms × 10 grid points × 500 replicas of the
   rolling-deploy scenario against the same 40,000 runs alone (``_core.run_points`` on the
   already-built scenarios, the runs themselves), in the same process; target: the tidy frame
   and the summary add under 20%. ``--tidy-only`` runs only this one (no CLI needed).

    PYTHONPATH=build/release/python /usr/bin/python3 bench/python_bench.py build/release/cli/deploysim

Each figure is the best of ``--repeat`` runs (default 5). Both wall time and CPU time (user +
system, of this process or of the CLI child) are reported; the comparison uses CPU time, which
other load on a shared machine disturbs far less than wall time.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import time
from pathlib import Path

import deploysim

KNIGHT = Path(__file__).resolve().parents[1] / "scenarios" / "knight_capital_2012.json"
WEB = Path(__file__).resolve().parents[1] / "scenarios" / "instagram_small_batches.json"
STRATEGIES = {
    "all_at_once": {"type": "all_at_once"},
    "rolling_5": {"type": "rolling", "batch_size": 5},
    "rolling_10": {"type": "rolling", "batch_size": 10},
    "rolling_50": {"type": "rolling", "batch_size": 50},
    "blue_green": {"type": "blue_green"},
    "canary": {"type": "canary", "steps": [{"set_weight": 5}, {"analysis": "10min"}]},
    "ring": {"type": "ring", "rings": [{"name": "5%", "percent": 5, "bake": "10min"},
                                       {"name": "all", "percent": 100}]},
    "manual": {"type": "manual", "per_host": "1min"},
}
THRESHOLDS = [0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1]


def cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def measured(work, who: int = resource.RUSAGE_SELF) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """(CPU seconds, wall seconds, minor page faults) of work()."""
    faults = resource.getrusage(who).ru_minflt
    cpu_before, started = cpu(who), time.perf_counter()
    work()
    wall = time.perf_counter() - started
    return cpu(who) - cpu_before, wall, resource.getrusage(who).ru_minflt - faults


def cli(binary: str, replicas: int, threads: int) -> tuple[float, float, float]:
    return measured(lambda: subprocess.run(
        [binary, "sweep", str(KNIGHT), "--replicas", str(replicas), "--threads", str(threads),
         "--quiet"], check=True, stdout=subprocess.DEVNULL), resource.RUSAGE_CHILDREN)


def python_loop(knight: deploysim.Scenario, runs: int) -> None:
    for replica in range(runs):
        knight.run(seed=deploysim.replica_seed(knight.seed, replica))


def tidy(threads: int, repeat: int) -> None:
    """Measure 3: the tidy frame and its summary against the runs alone."""
    web = deploysim.Scenario.load(WEB)
    arms = {name: {"deployment.strategy": strategy} for name, strategy in STRATEGIES.items()}
    grid = {"threshold": ("monitoring.alerts.0.above", THRESHOLDS)}
    points = [web.with_values({"deployment.strategy": s, "monitoring.alerts.0.above": t})._native
              for s in STRATEGIES.values() for t in THRESHOLDS]
    replicas = 500

    def alone() -> None:
        deploysim._core.run_points(points, replicas, threads, web.seed)

    def framed() -> None:
        runs = deploysim.experiment(web, arms=arms, grid=grid, replicas=replicas, threads=threads)
        deploysim.summarize(runs)

    # Interleaved, so that a change in the machine's load hits both alike.
    ours, theirs = [], []
    for _ in range(repeat):
        theirs.append(measured(alone))
        ours.append(measured(framed))
    best_ours, best_theirs = min(ours), min(theirs)
    frame = deploysim.experiment(web, arms=arms, grid=grid, replicas=replicas, threads=threads)
    summary = min(measured(lambda: deploysim.summarize(frame)) for _ in range(repeat))
    runs = len(points) * replicas
    print(f"experiment + summarize, 8 arms x 10 points x 500 replicas ({runs:,} runs, "
          f"{threads} threads): {best_ours[0]:.3f} s CPU ({best_ours[1]:.3f} s wall); the runs "
          f"alone {best_theirs[0]:.3f} s CPU ({best_theirs[1]:.3f} s wall): "
          f"ratio {best_ours[0] / best_theirs[0]:.3f} "
          f"({100 * (best_ours[0] / best_theirs[0] - 1):+.1f}% CPU; target < +20%); "
          f"summarize alone {summary[0]:.3f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cli", nargs="?", help="the deploysim binary (not for --tidy-only)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="threads for the Monte Carlo")
    parser.add_argument("--tidy-only", action="store_true", help="only measure 3 (no CLI)")
    args = parser.parse_args()
    if not args.tidy_only and not args.cli:
        parser.error("the deploysim binary is needed, unless --tidy-only")
    tidy(args.threads, args.repeat)
    if args.tidy_only:
        return
    knight = deploysim.Scenario.load(KNIGHT)
    knight.run()  # first-call costs (imports, caches) are not what is measured

    def report(label: str, ours: tuple[float, float, float], theirs: tuple[float, float, float],
               runs: int) -> None:
        print(f"{label}: Python {ours[0]:.3f} s CPU ({ours[1]:.3f} s wall, "
              f"{ours[2] / runs:.1f} page faults/run), CLI {theirs[0]:.3f} s CPU "
              f"({theirs[1]:.3f} s wall, {theirs[2] / runs:.1f} page faults/run): "
              f"Python {100 * (ours[0] / theirs[0] - 1):+.1f}% CPU")

    ours = min(measured(lambda: python_loop(knight, 1000)) for _ in range(args.repeat))
    theirs = min(cli(args.cli, 1000, 1) for _ in range(args.repeat))
    report("1,000 single runs (1 thread)", ours, theirs, 1000)

    ours = min(measured(lambda: deploysim.monte_carlo(knight, 10_000, threads=args.threads))
               for _ in range(args.repeat))
    theirs = min(cli(args.cli, 10_000, args.threads) for _ in range(args.repeat))
    report(f"monte_carlo 10,000 replicas ({args.threads} threads)", ours, theirs, 10_000)


if __name__ == "__main__":
    main()

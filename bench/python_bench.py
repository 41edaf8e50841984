"""Python against the CLI on the Knight Capital replay (docs/performance.md, "Python"):

1. ``Scenario.run()`` in a Python loop of 1,000 runs against ``deploysim sweep --replicas 1000
   --threads 1`` (the same 1,000 seeds, one run after another in one process); target: Python
   at most 10% slower. Also the minor page faults per run, which show whether the heap is
   handed back to the kernel and faulted in again between runs.
2. ``monte_carlo`` of 10,000 replicas against ``deploysim sweep --replicas 10000``, both on
   the same number of threads; target: within 10%.

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cli", help="the deploysim binary")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="threads for the Monte Carlo")
    args = parser.parse_args()
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

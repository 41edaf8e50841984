#!/usr/bin/env python3
"""Every bundled scenario, seeds 1-20: `run --json` and the time series, byte for byte.

The golden file of a scenario (tests/data/golden/runs/NAME.json) holds, per seed, the SHA-256 of
the `run --json` output and of the `--timeseries` CSV, and the whole summary of each seed so that
a failure shows which keys moved. A change to the model that moves a result regenerates them with
--update, and its commit says why.
"""
import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

SEEDS = range(1, 21)


def bundled_scenarios(source):
    return sorted(p for p in (source / "scenarios").glob("*.json") if p.name != "schema.json")


def run_one(deploysim, source, scenario, seed, scratch):
    series = Path(scratch) / "series.csv"
    relative = scenario.relative_to(source).as_posix()
    result = subprocess.run(
        [deploysim, "run", relative, "--seed", str(seed), "--json", "--timeseries", str(series)],
        cwd=source, capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{relative} seed {seed}: exit {result.returncode}: "
                           f"{result.stderr.decode(errors='replace')}")
    return {
        "json_sha256": hashlib.sha256(result.stdout).hexdigest(),
        "timeseries_sha256": hashlib.sha256(series.read_bytes()).hexdigest(),
        "summary": json.loads(result.stdout)["summary"],
    }


def moved_keys(expected, actual):
    keys = sorted(set(expected) | set(actual))
    return [f"{k}: {expected.get(k)!r} -> {actual.get(k)!r}" for k in keys
            if expected.get(k) != actual.get(k)]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deploysim", required=True)
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--update", action="store_true", help="rewrite the golden files")
    args = parser.parse_args()
    golden_dir = args.source / "tests" / "data" / "golden" / "runs"
    failures = []
    scenarios = bundled_scenarios(args.source)
    with tempfile.TemporaryDirectory() as scratch:
        for scenario in scenarios:
            runs = {str(seed): run_one(args.deploysim, args.source, scenario, seed, scratch)
                    for seed in SEEDS}
            golden = golden_dir / (scenario.stem + ".json")
            if args.update:
                golden_dir.mkdir(parents=True, exist_ok=True)
                golden.write_text(json.dumps({"scenario": scenario.name, "runs": runs},
                                             indent=1, sort_keys=True) + "\n")
                continue
            if not golden.exists():
                failures.append(f"{golden}: missing; run with --update")
                continue
            expected = json.loads(golden.read_text())["runs"]
            for seed, actual in runs.items():
                want = expected.get(seed)
                if want is None:
                    failures.append(f"{scenario.name} seed {seed}: not in the golden file")
                    continue
                for what in ("json_sha256", "timeseries_sha256"):
                    if want[what] != actual[what]:
                        moved = moved_keys(want["summary"], actual["summary"])
                        failures.append(f"{scenario.name} seed {seed}: {what.split('_')[0]} "
                                        f"differs; summary: {'; '.join(moved) or 'unchanged'}")
    for failure in failures:
        print(failure)
    verb = "wrote" if args.update else "checked"
    print(f"golden runs: {verb} {len(scenarios)} scenarios x {len(SEEDS)} seeds, "
          f"{len(failures)} difference(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

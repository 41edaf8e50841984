#!/usr/bin/env python3
"""Reads every #include of the project's C++ sources against the allowed layer table.

Fails on an include that points up or sideways (core/model including core/scenario), on a core
file that includes Qt, Python or CLI11, and on a core directory missing from the table. The table
is the one docs/architecture.md draws; change both together.
"""
import argparse
import re
import sys
from pathlib import Path

# Each core directory and the core directories it may include (besides itself).
CORE_LAYERS = {
    "engine": set(),
    "input": {"engine"},
    "spec": {"engine"},
    "scenario": {"engine", "input", "spec"},
    "model": {"engine", "spec"},
    "strategy": {"engine", "spec", "model"},
    "simulation": {"engine", "spec", "model", "strategy"},
    "experiment": {"engine", "input", "spec", "scenario", "model", "strategy", "simulation"},
    "check": {"engine", "input", "spec", "scenario"},
    "delivery": {"engine", "input", "spec", "scenario", "model", "strategy", "simulation",
                 "experiment"},
    "verify": {"engine", "input", "spec", "scenario", "model", "strategy", "simulation",
               "experiment"},
    "io": {"engine", "input", "spec", "model", "strategy", "simulation", "experiment",
           "delivery", "check"},
}
# Front ends may include any core layer, and their own files.
FRONT_ENDS = ("cli", "python", "gui")
# Libraries that belong to one front end only.
FOREIGN = {
    "Qt": re.compile(r"^<Q[A-Za-z]+(/|>)|^<Qt"),
    "Python": re.compile(r"^<(pybind11/|Python\.h)"),
    "CLI11": re.compile(r"^<CLI/"),
}
INCLUDE = re.compile(r'^\s*#\s*include\s+([<"][^>"]+[>"])', re.MULTILINE)


def core_layer_of(include):
    """The core directory a quoted include names ("model/fleet.hpp" -> "model"), or None."""
    if not include.startswith('"'):
        return None
    parts = include.strip('"').split("/")
    return parts[0] if len(parts) > 1 and parts[0] in CORE_LAYERS else None


def check_core(root):
    problems = []
    for directory in sorted((root / "core").iterdir()):
        if not directory.is_dir():
            continue
        if directory.name not in CORE_LAYERS:
            problems.append(f"core/{directory.name}/: a core directory the layer table does not "
                            "know; add it to the table and to docs/architecture.md")
            continue
        allowed = CORE_LAYERS[directory.name] | {directory.name}
        for source in sorted(directory.rglob("*")):
            if source.suffix not in (".cpp", ".hpp", ".h"):
                continue
            text = source.read_text(encoding="utf-8")
            for match in INCLUDE.finditer(text):
                include = match.group(1)
                line = text.count("\n", 0, match.start()) + 1
                where = f"{source.relative_to(root)}:{line}"
                layer = core_layer_of(include)
                if layer is not None and layer not in allowed:
                    problems.append(f"{where}: core/{directory.name} includes {include}, but "
                                    f"{directory.name} may include only "
                                    f"{', '.join(sorted(allowed))}")
                for library, pattern in FOREIGN.items():
                    if pattern.search(include):
                        problems.append(f"{where}: core/{directory.name} includes {include}; "
                                        f"{library} belongs to a front end, not to core")
    return problems


def check_front_ends(root):
    """cli/ python/ gui/ may use core, but never each other."""
    problems = []
    for front_end in FRONT_ENDS:
        for source in sorted((root / front_end).rglob("*")):
            if source.suffix not in (".cpp", ".hpp", ".h"):
                continue
            text = source.read_text(encoding="utf-8")
            for match in INCLUDE.finditer(text):
                include = match.group(1).strip('"<>')
                others = [f for f in FRONT_ENDS if f != front_end and include.startswith(f + "/")]
                if others:
                    line = text.count("\n", 0, match.start()) + 1
                    problems.append(f"{source.relative_to(root)}:{line}: {front_end}/ includes "
                                    f"{include}; front ends share code only through core")
    return problems


def self_test():
    """The checker itself fails on each kind of break, so that a green run means something."""
    import tempfile
    cases = {
        "core/model/a.hpp": ('#include "scenario/load.hpp"\n', "core/model includes"),
        "core/engine/b.cpp": ('#include <QString>\n', "Qt belongs to a front end"),
        "core/nowhere/c.hpp": ("", "a core directory the layer table does not know"),
        "gui/d.cpp": ('#include "cli/output.hpp"\n', "front ends share code only"),
    }
    for path, (text, expected) in cases.items():
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch)
            for directory in ("core/engine", "cli", "python", "gui"):
                (root / directory).mkdir(parents=True, exist_ok=True)
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
            found = check_core(root) + check_front_ends(root)
            if not any(expected in problem for problem in found):
                print(f"self-test: {path} should give a problem containing {expected!r}")
                return False
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, required=True, help="repository root")
    root = parser.parse_args().source
    if not self_test():
        return 1
    problems = check_core(root) + check_front_ends(root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"layers: {len(problems)} include(s) break the layer table")
        return 1
    count = sum(1 for _ in (root / "core").rglob("*.?pp"))
    print(f"layers: {count} core files follow the layer table")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Docs give commands anyone can run from a checkout: no absolute path of one machine."""
import argparse
import re
import sys
from pathlib import Path

# A home, a work tree or a build directory of one machine; /usr/bin and /dev are the same everywhere.
MACHINE_PATH = re.compile(r"(?<![\w.])/(work|home|root|Users|builds|tmp/deploysim)/[\w.-]+")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, required=True)
    root = parser.parse_args().source
    problems = []
    for doc in sorted([root / "README.md", *(root / "docs").rglob("*.md")]):
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            if MACHINE_PATH.search(line):
                problems.append(f"{doc.relative_to(root)}:{number}: a path of one machine: "
                                f"{line.strip()}")
    for problem in problems:
        print(problem)
    print(f"docs paths: {len(problems)} machine-specific path(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Executes a notebook top to bottom with nbclient (run by ctest: python.notebook.<name>).

    PYTHONPATH=<build>/python /usr/bin/python3 tests/python/run_notebook.py notebooks/01_....ipynb
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def main(path: Path) -> int:
    """Runs every cell in the notebook's directory; a failing cell fails the run."""
    notebook = nbformat.read(path, as_version=4)
    # Notebooks live in git without outputs, so that diffs show only what was written.
    kept = [i for i, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]
    if kept:
        print(f"{path.name}: cells {kept} keep outputs; strip them (Jupyter: Clear All Outputs)")
        return 1
    client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.monotonic()
    client.execute()
    print(f"{path.name}: {len(notebook.cells)} cells in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]).resolve()))

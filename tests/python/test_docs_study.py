"""The worked study of docs/python.md runs as written, one code block per step."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import SOURCE_DIR


def study_blocks() -> list[str]:
    text = (SOURCE_DIR / "docs" / "python.md").read_text(encoding="utf-8")
    start = text.index("## Studies: experiments as data")
    end = text.index("### The experiment frame", start)
    return re.findall(r"```python\n(.*?)```", text[start:end], flags=re.S)


def test_the_worked_study_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    blocks = study_blocks()
    # One block per step: question, arms, runs, summaries, contrasts, figure.
    assert len(blocks) == 6
    monkeypatch.chdir(SOURCE_DIR)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "docs/python.md", "exec"), namespace)  # noqa: S102
    runs, effects = namespace["runs"], namespace["effects"]
    assert len(runs) == 4 * 500  # type: ignore[arg-type]
    assert set(effects["b"]) == {"canary 1%", "canary 5%", "canary 25%"}  # type: ignore[index]
    # Step 7, keeping it: the saved study reads back identical.
    import deploysim
    import pandas as pd
    directory = runs.save(tmp_path / "canary-study")  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(deploysim.load_experiment(directory), runs, check_exact=True)
    assert os.path.exists(directory / "experiment.json")

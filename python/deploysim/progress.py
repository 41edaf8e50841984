"""An optional progress bar: tqdm's when it is installed (Debian: python3-tqdm), otherwise a
plain line on stderr every tenth of the way, so that long experiments never look hung."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["progress_bar"]


class _Quiet:
    def update(self, count: int) -> None:
        del count

    def close(self) -> None:
        pass


class _Lines:
    """The fallback: ``done/total runs`` at every further 10%."""

    def __init__(self, total: int, label: str) -> None:
        self.total = max(1, total)
        self.done = 0
        self.shown = 0
        self.label = label

    def update(self, count: int) -> None:
        self.done += count
        tenth = 10 * self.done // self.total
        if tenth > self.shown:
            self.shown = tenth
            print(f"{self.label}: {self.done}/{self.total} runs", file=sys.stderr, flush=True)

    def close(self) -> None:
        pass


def progress_bar(total: int, enabled: bool, label: str = "deploysim") -> Any:
    """A bar with ``update(n)`` and ``close()``: tqdm's, the fallback lines, or silent."""
    if not enabled:
        return _Quiet()
    try:
        from tqdm import tqdm
    except ImportError:
        return _Lines(total, label)
    return tqdm(total=total, desc=label, unit="run")

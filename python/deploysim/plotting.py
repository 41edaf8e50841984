"""Mean ± confidence interval by arm and grid point (matplotlib, imported only when used)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["plot_means"]


def plot_means(summary: pd.DataFrame, metric: str, x: str | None = None, *,
               hue: str = "arm", ax: Any = None, scale: float = 1.0,
               label: str | None = None) -> Any:
    """Draws the mean of ``metric`` with its interval (ci95_low..ci95_high) from a
    :func:`deploysim.summarize` result, one series per ``hue`` value, against the grid label
    ``x`` (or, without ``x``, one point per ``hue`` value). Values are divided by ``scale``
    (e.g. 1e6 for $M). Deterministic means (every run gave the same value) are drawn as hollow
    markers, so a zero-width interval is not mistaken for a precise estimate. Returns the
    Axes."""
    import matplotlib.pyplot as plt

    rows = summary[summary["metric"] == metric]
    if rows.empty:
        raise ValueError(f"no rows for metric {metric!r} in the summary")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    if x is None:
        positions = np.arange(len(rows))
        _errorbars(ax, positions, rows, scale, "C0", connect=False)
        ax.set_xticks(positions, [str(v) for v in rows[hue]], rotation=20, ha="right")
        if rows["deterministic"].any():
            ax.legend(fontsize="small")
    else:
        for index, (name, series) in enumerate(rows.groupby(hue, sort=False, observed=True)):
            series = series.sort_values(x)
            _errorbars(ax, series[x].to_numpy(), series, scale, f"C{index % 10}", str(name))
        ax.set_xlabel(x)
        ax.legend(title=hue, fontsize="small")
    ax.set_ylabel(label or (metric if scale == 1.0 else f"{metric} / {scale:g}"))
    ax.grid(True, axis="y", alpha=0.3)
    return ax


def _errorbars(ax: Any, xs: np.ndarray, rows: pd.DataFrame, scale: float, color: str,
               name: str | None = None, connect: bool = True) -> None:
    mean = rows["mean"].to_numpy(dtype=float) / scale
    low = rows["ci95_low"].to_numpy(dtype=float) / scale
    high = rows["ci95_high"].to_numpy(dtype=float) / scale
    fixed = rows["deterministic"].to_numpy(dtype=bool)
    ax.errorbar(xs, mean, yerr=[mean - low, high - mean], color=color, marker="o", capsize=3,
                label=name, linestyle="-" if connect else "none")
    if fixed.any():
        ax.plot(np.asarray(xs)[fixed], mean[fixed], "o", markerfacecolor="white",
                markeredgecolor=color, markersize=8, zorder=3,
                label="deterministic (no spread)" if name is None else None)

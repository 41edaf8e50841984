"""Intervals and multiple-comparison corrections, computed by the same C++ code as the CLI.

``t_interval``, ``wilson_interval`` and ``bootstrap_interval`` are the core's
(``core/experiment/statistics``), so a number printed by a notebook equals the number printed
by ``deploysim sweep`` or ``deploysim compare`` for the same runs.
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

import numpy as np

from . import _core

__all__ = ["t_interval", "wilson_interval", "bootstrap_interval", "paired_t_pvalue", "holm"]


def _finite(values: Iterable[float]) -> list[float]:
    return [float(v) for v in values if not math.isnan(float(v))]


def t_interval(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float]:
    """Student t interval of the mean of ``values`` (NaNs left out) at ``confidence``.

    ``(mean, mean)`` for one value, ``(nan, nan)`` for none. A confidence of 95 instead of 0.95
    raises ValueError.
    """
    kept = _finite(values)
    if not kept:
        return (math.nan, math.nan)
    return _core.t_interval(kept, float(confidence))


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a share: ``successes`` out of ``trials``; ``(0, 1)`` for no
    trials. Unlike ``p ± z·se`` it stays within [0, 1] and is honest near 0 and 1, where
    shares of rare events live."""
    return _core.wilson_interval(int(successes), int(trials), float(confidence))


def bootstrap_interval(values: Sequence[float], confidence: float = 0.95, resamples: int = 2000,
                       seed: int = 1) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` (NaNs left out).

    Use it for heavy-tailed metrics such as ``loss_usd``, where a few huge runs make the t
    interval's normal approximation poor at hundreds of replicas. The draws come from the
    core's seeded stream, so the interval depends only on (values, resamples, seed).
    """
    kept = _finite(values)
    if not kept:
        return (math.nan, math.nan)
    return _core.bootstrap_interval(kept, float(confidence), int(resamples), int(seed))


def paired_t_pvalue(differences: Sequence[float]) -> float:
    """Two-sided p-value of the paired t test that the mean difference is 0.

    NaN when it is undefined: fewer than two differences, or all differences equal (a
    deterministic contrast, whose difference is exact rather than significant).
    """
    d = np.asarray(_finite(differences), dtype=np.float64)
    if d.size < 2:
        return math.nan
    sd = float(d.std(ddof=1))
    if sd == 0.0:
        return math.nan
    t = float(d.mean()) / (sd / math.sqrt(d.size))
    return 2.0 * (1.0 - _core.student_t_cdf(abs(t), float(d.size - 1)))


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjustment of a family of p-values (NaNs are not tests and stay NaN).

    The adjusted p-value of the k-th smallest of m is max over j <= k of (m - j + 1) * p_(j),
    capped at 1; rejecting where it is below alpha keeps the family-wise error at alpha.
    """
    p = np.asarray(p_values, dtype=np.float64)
    adjusted = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    m = tested.size
    order = tested[np.argsort(p[tested], kind="stable")]
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted

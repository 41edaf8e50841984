"""pandas DataFrames from the columns the C++ core hands back."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["records_frame", "columns_frame"]

STORY_COLUMNS = ["time_s", "clock", "event", "subject", "text"]


def records_frame(rows: Sequence[tuple[Any, ...]], with_fields: bool) -> pd.DataFrame:
    """A story or trace as a DataFrame: time_s, clock, event, subject, text (and fields)."""
    names = STORY_COLUMNS + ["fields"]
    frame = pd.DataFrame.from_records(list(rows), columns=names)
    frame["time_s"] = frame["time_s"].astype(np.float64)
    return frame if with_fields else frame[STORY_COLUMNS]


def columns_frame(columns: Mapping[str, Any], order: Sequence[str] | None = None) -> pd.DataFrame:
    """A DataFrame of equal-length columns (numpy arrays or lists), in `order` if given."""
    names = list(order) if order is not None else list(columns)
    return pd.DataFrame({name: columns[name] for name in names}, columns=names)

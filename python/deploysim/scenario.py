"""Scenarios: load, build from a dict, change values, run."""

from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

from . import _core
from .results import Result, Simulation

__all__ = ["Scenario"]


class Scenario:
    """A validated scenario (see docs/scenario-format.md). Immutable: changes make copies.

    Build one with :meth:`load`, :meth:`from_dict` or :meth:`from_json`; bad input raises
    :class:`deploysim.ScenarioError` naming the JSON pointer of each problem.
    """

    def __init__(self, native: _core.Scenario) -> None:
        self._native = native

    @classmethod
    def load(cls, path: str | os.PathLike[str], overrides: Sequence[str] = ()) -> Scenario:
        """Loads a scenario file (``extends`` variants resolved) and applies ``"path=value"``
        overrides as ``--set`` does."""
        return cls(_core.Scenario.load(os.fspath(path), list(overrides)))

    @classmethod
    def from_dict(cls, document: Mapping[str, Any], file: str = "<memory>") -> Scenario:
        """Validates a scenario document given as a dict; ``file`` labels errors."""
        return cls(_core.Scenario.from_dict(dict(document), file))

    @classmethod
    def from_json(cls, text: str, file: str = "<memory>") -> Scenario:
        """Validates a scenario document given as JSON text; ``file`` labels errors."""
        return cls(_core.Scenario.from_json(text, file))

    def to_dict(self) -> dict[str, Any]:
        """The document (after variants and overrides) as a dict; ``from_dict`` reads it back."""
        return self._native.to_dict()

    def to_json(self, indent: int | None = None) -> str:
        """The document as JSON text."""
        return self._native.to_json(-1 if indent is None else indent)

    def with_values(self, values: Mapping[str, Any]) -> Scenario:
        """A copy with values changed by dotted path, e.g.
        ``{"deployment.strategy.batch_size": 5, "timeline.1.do": "set_flag"}``."""
        return Scenario(self._native.with_values(dict(values)))

    def run(self, seed: int | None = None, *, trace: bool = False) -> Result:
        """Runs to the end with ``seed`` (default: the scenario's); the same seed gives the same
        result as ``deploysim run --seed``. ``trace=True`` also keeps every record
        (:attr:`Result.trace`)."""
        return Result(_core.run(self._native, self.seed if seed is None else int(seed), trace))

    def simulation(self, seed: int | None = None) -> Simulation:
        """A :class:`Simulation` to drive step by step."""
        return Simulation(self, seed)

    @property
    def name(self) -> str:
        """The scenario's name."""
        return str(self._native.name)

    @property
    def description(self) -> str:
        """What the scenario models."""
        return str(self._native.description)

    @property
    def sources(self) -> list[str]:
        """Where its facts come from."""
        return list(self._native.sources)

    @property
    def seed(self) -> int:
        """The default seed."""
        return int(self._native.seed)

    @property
    def file(self) -> str:
        """The file it was read from, or ``"<memory>"``."""
        return str(self._native.file)

    @property
    def end_s(self) -> float:
        """Simulated seconds from the start to the end of a run."""
        return float(self._native.end_s)

    @property
    def hash(self) -> str:
        """A stable hash of the document, as the CLI prints with experiment results."""
        return str(self._native.hash)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(self.hash)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as JSON text, so that scenarios travel to process pools and Dask workers.
        return (Scenario.from_json, (self.to_json(), self.file))

    def __repr__(self) -> str:
        return f"<deploysim.Scenario {self.name!r} from {self.file!r}>"

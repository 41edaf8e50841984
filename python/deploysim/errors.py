"""The error raised for bad scenario input: a ``ValueError`` that names every problem's place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

__all__ = ["Problem", "ScenarioError"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located by file and JSON pointer."""

    file: str
    """The file as the user named it, or a label such as ``"<memory>"``."""
    pointer: str
    """RFC 6901 JSON pointer of the offending value, e.g. ``"/deployment/strategy/batch_size"``."""
    expected: str
    """What the value should have been, e.g. ``"a positive integer"``."""
    found: str
    """What the value was, briefly, e.g. ``"-3"``."""
    detail: str
    """Replaces expected/found when the problem is not a mismatch (``unknown key "stratgy"``)."""
    hint: str
    """A suggestion such as ``did you mean "strategy"?``, or ``""``."""
    line: int
    """1-based line for malformed JSON, else 0."""
    column: int
    """1-based column for malformed JSON, else 0."""
    message: str
    """The one-line message the CLI prints for this problem."""

    def __str__(self) -> str:
        return self.message


class ScenarioError(ValueError):
    """Bad scenario input: one or more :class:`Problem` s, each with file and JSON pointer.

    ``str(error)`` is the problems' messages, one per line, as ``deploysim validate`` prints them.
    """

    def __init__(self, message: str, problems: Iterable[Mapping[str, Any]] = ()) -> None:
        super().__init__(message)
        self.problems: list[Problem] = [Problem(**dict(p)) for p in problems]

    @property
    def pointers(self) -> list[str]:
        """The JSON pointer of every problem, in the order found."""
        return [problem.pointer for problem in self.problems]

    @property
    def pointer(self) -> str:
        """The JSON pointer of the first problem (``""`` for the whole document)."""
        return self.problems[0].pointer if self.problems else ""

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable, so that an error raised on a Dask worker reaches the caller intact.
        return (_rebuild, (str(self), [problem.__dict__ for problem in self.problems]))


def _rebuild(message: str, problems: list[dict[str, Any]]) -> ScenarioError:
    return ScenarioError(message, problems)

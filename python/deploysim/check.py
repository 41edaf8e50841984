"""The manifest checker: what should run where (a manifest) against what runs (an observed
inventory), with the rules of ``deploysim check`` (docs/rules/)."""

from __future__ import annotations

import json
import os
from typing import Any, Iterable, Mapping, Union

import pandas as pd

from . import _core

__all__ = ["Findings", "check", "rules"]

#: A manifest or inventory: a path to a JSON file, or the document as a dict.
Document = Union[str, "os.PathLike[str]", Mapping[str, Any]]

FINDING_COLUMNS = ["rule_id", "rule_name", "severity", "message", "file", "pointer", "line",
                   "column", "entity", "fingerprint", "suppressed"]


class Findings(list):  # type: ignore[type-arg]
    """The findings of one check, in report order (file, line, column, rule): a list of dicts
    with the keys of ``deploysim check --format json``'s ``findings`` (rule_id, rule_name,
    severity, message, location {file, pointer, line, column, ...}, entity, fingerprint,
    suppressed, related).

    ``report`` is the whole JSON report (files, summary counts, rules that ran);
    :meth:`to_frame` flattens the findings into a DataFrame.
    """

    def __init__(self, report: dict[str, Any]) -> None:
        super().__init__(report["findings"])
        self.report: dict[str, Any] = report

    @property
    def summary(self) -> dict[str, int]:
        """Counts: errors, warnings, notes, suppressed, hosts_checked."""
        return dict(self.report["summary"])

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: rule_id, rule_name, severity, message, file, pointer, line,
        column (0 where unknown), entity, fingerprint, suppressed."""
        rows = []
        for finding in self:
            location = finding["location"]
            rows.append({**{k: finding[k] for k in ("rule_id", "rule_name", "severity", "message")},
                         "file": location["file"], "pointer": location["pointer"],
                         "line": location.get("line", 0), "column": location.get("column", 0),
                         **{k: finding[k] for k in ("entity", "fingerprint", "suppressed")}})
        return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def _text(document: Document | None, label: str) -> tuple[str | None, str]:
    if document is None:
        return None, ""
    if isinstance(document, Mapping):
        # Indented, so that findings carry useful line numbers into this text.
        return json.dumps(document, indent=2), label
    path = os.fspath(document)
    return _core.read_input_file(path), path


def check(manifest: Document, inventory: Document | None = None, *,
          disable: Iterable[str] = (), severity: Mapping[str, str] | None = None,
          baseline: Mapping[str, str] | None = None, file: str = "<memory>",
          inventory_file: str = "<inventory>") -> Findings:
    """Checks ``manifest`` (and ``inventory``, the observed state) as ``deploysim check``.

    Each of them is a path or a dict; ``file`` and ``inventory_file`` label dicts in findings
    and errors (their lines refer to the dict's JSON with indent 2). ``disable`` switches rules
    off and ``severity`` changes them (by ID or name: ``{"DS014": "error"}``); ``baseline``
    accepts findings by fingerprint (fingerprint -> reason), as ``--baseline``.

    Raises :class:`deploysim.ScenarioError` (with file and JSON pointer) for bad input, and
    ValueError for an unknown rule or severity.
    """
    manifest_text, manifest_file = _text(manifest, file)
    assert manifest_text is not None
    inventory_text, inventory_label = _text(inventory, inventory_file)
    report = _core.check(manifest_text, manifest_file, inventory_text, inventory_label,
                         list(disable), dict(severity or {}), dict(baseline or {}))
    return Findings(report)


def rules() -> pd.DataFrame:
    """The rule catalogue: id, name, default severity, summary, description, fix, tag, doc."""
    return pd.DataFrame(_core.check_rules())

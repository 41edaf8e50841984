"""The checker from Python: paths and dicts, findings as dicts and a DataFrame, rule options,
error mapping, and equality with `deploysim check --format json`."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

import deploysim
from conftest import SOURCE_DIR

KNIGHT = SOURCE_DIR / "examples" / "knight_capital"
MANIFEST = KNIGHT / "manifest.json"
INVENTORY = KNIGHT / "inventory.json"


def cli_report(cli: Path, *args: str) -> Any:
    completed = subprocess.run([str(cli), "check", *args, "--format", "json"],
                               capture_output=True, text=True, check=False)
    assert completed.returncode in (0, 1), completed.stderr
    return json.loads(completed.stdout)


def test_knight_inventory_finds_the_missed_host() -> None:
    findings = deploysim.check(MANIFEST, INVENTORY)
    assert isinstance(findings, list) and findings
    missed = [f for f in findings if "smars-8" in f["entity"]]
    assert missed, [f["entity"] for f in findings]
    assert {"rule_id", "rule_name", "severity", "message", "location"} <= set(missed[0])
    assert missed[0]["location"]["file"] == str(INVENTORY) or \
        missed[0]["location"]["file"] == str(MANIFEST)
    assert findings.summary["hosts_checked"] == 8


@pytest.mark.parametrize("with_inventory", [False, True])
def test_findings_equal_the_cli(cli: Path, with_inventory: bool) -> None:
    args = [str(MANIFEST)] + (["--observed", str(INVENTORY)] if with_inventory else [])
    expected = cli_report(cli, *args)
    findings = deploysim.check(MANIFEST, INVENTORY if with_inventory else None)
    assert list(findings) == expected["findings"]
    assert findings.summary == expected["summary"]
    assert findings.report["rules"] == expected["rules"]


def test_dicts_are_checked_like_files() -> None:
    manifest = json.loads(MANIFEST.read_text())
    inventory = json.loads(INVENTORY.read_text())
    from_files = deploysim.check(MANIFEST, INVENTORY)
    from_dicts = deploysim.check(manifest, inventory, file="m.json", inventory_file="i.json")
    assert [f["fingerprint"] for f in from_dicts] == [f["fingerprint"] for f in from_files]
    assert {f["location"]["file"] for f in from_dicts} <= {"m.json", "i.json"}
    # Lines refer to the dicts' JSON with indent 2: a scalar's line shows that scalar.
    texts = {"m.json": json.dumps(manifest, indent=2).splitlines(),
             "i.json": json.dumps(inventory, indent=2).splitlines()}
    documents = {"m.json": manifest, "i.json": inventory}
    checked = 0
    for finding in from_dicts:
        location = finding["location"]
        value: Any = documents[location["file"]]
        for key in location["pointer"].split("/")[1:]:
            value = value[int(key)] if isinstance(value, list) else value[key]
        if not isinstance(value, (dict, list)):
            assert json.dumps(value) in texts[location["file"]][location["line"] - 1]
            checked += 1
    assert checked > 0


def test_frame_has_one_row_per_finding_with_location() -> None:
    findings = deploysim.check(MANIFEST, INVENTORY)
    frame = findings.to_frame()
    assert len(frame) == len(findings)
    assert list(frame.columns[:8]) == ["rule_id", "rule_name", "severity", "message", "file",
                                       "pointer", "line", "column"]
    assert frame["rule_id"].str.match(r"DS\d{3}").all()
    assert (frame["line"] > 0).all()
    assert frame["pointer"].str.startswith("/").all()


def test_disable_and_severity_change_findings() -> None:
    findings = deploysim.check(MANIFEST, INVENTORY)
    first = findings[0]
    without = deploysim.check(MANIFEST, INVENTORY, disable=[first["rule_id"]])
    assert all(f["rule_id"] != first["rule_id"] for f in without)
    by_name = deploysim.check(MANIFEST, INVENTORY, disable=[first["rule_name"]])
    assert list(by_name) == list(without)
    other = "note" if first["severity"] != "note" else "error"
    changed = deploysim.check(MANIFEST, INVENTORY, severity={first["rule_id"]: other})
    assert {f["severity"] for f in changed if f["rule_id"] == first["rule_id"]} == {other}


def test_baseline_suppresses_by_fingerprint() -> None:
    findings = deploysim.check(MANIFEST, INVENTORY)
    first = findings[0]
    accepted = deploysim.check(MANIFEST, INVENTORY, baseline={first["fingerprint"]: "known"})
    again = [f for f in accepted if f["fingerprint"] == first["fingerprint"]]
    assert again[0]["suppressed"] and again[0]["suppression"]["reason"] == "known"
    assert accepted.summary["suppressed"] == findings.summary["suppressed"] + 1


def test_unknown_rule_or_severity_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="DS999"):
        deploysim.check(MANIFEST, disable=["DS999"])
    with pytest.raises(ValueError, match="loud"):
        deploysim.check(MANIFEST, severity={"DS001": "loud"})


def test_bad_manifest_raises_scenario_error_with_pointer() -> None:
    manifest = json.loads(MANIFEST.read_text())
    broken = copy.deepcopy(manifest)
    broken["groups"]["smars"]["verison"] = broken["groups"]["smars"].pop("version")
    with pytest.raises(deploysim.ScenarioError) as caught:
        deploysim.check(broken, file="broken.json")
    assert "/groups/smars" in caught.value.pointers
    problem = caught.value.problems[caught.value.pointers.index("/groups/smars")]
    assert problem.file == "broken.json"
    assert "verison" in str(caught.value)


def test_bad_inventory_value_names_its_pointer() -> None:
    inventory = json.loads(INVENTORY.read_text())
    inventory["hosts"][2]["version"] = 7
    with pytest.raises(deploysim.ScenarioError) as caught:
        deploysim.check(MANIFEST, inventory)
    assert caught.value.pointer == "/hosts/2/version"


def test_missing_file_and_empty_manifest_are_scenario_errors(tmp_path: Path) -> None:
    with pytest.raises(deploysim.ScenarioError, match="nope.json"):
        deploysim.check(tmp_path / "nope.json")
    manifest = json.loads(MANIFEST.read_text())
    manifest["groups"]["smars"]["hosts"] = []
    manifest.pop("rollout", None)
    with pytest.raises(deploysim.ScenarioError):
        deploysim.check(manifest)


def test_malformed_manifest_has_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"manifest_version": 1,\n "groups": }\n')
    with pytest.raises(deploysim.ScenarioError) as caught:
        deploysim.check(path)
    assert caught.value.problems[0].line == 2


def test_rules_catalogue() -> None:
    catalogue = deploysim.check_rules()
    assert catalogue["id"].is_unique and catalogue["name"].is_unique
    assert catalogue["id"].iloc[0] == "DS001"
    assert set(catalogue["severity"]) <= {"note", "warning", "error"}
    assert all((SOURCE_DIR / doc).exists() for doc in catalogue["doc"])

"""Scenario: loading, dicts, JSON, dotted-path changes and the error mapping."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

import deploysim


def test_load_reads_name_seed_and_sources(knight: deploysim.Scenario) -> None:
    assert "Knight" in knight.name
    assert knight.seed >= 0
    assert knight.sources and all(isinstance(s, str) for s in knight.sources)
    assert knight.file.endswith("knight_capital_2012.json")
    assert knight.end_s > 0
    assert len(knight.hash) > 0
    assert "Knight" in repr(knight)


def test_load_accepts_overrides_like_set(scenarios_dir: Path) -> None:
    path = scenarios_dir / "knight_capital_2012.json"
    gated = deploysim.Scenario.load(path, ["deployment.preflight_gate=true"])
    assert gated.to_dict()["deployment"]["preflight_gate"] is True


def test_variant_file_resolves_extends(scenarios_dir: Path) -> None:
    variant = deploysim.Scenario.load(scenarios_dir / "knight_capital_2012_preflight_gate.json")
    assert "extends" not in variant.to_dict()


def test_dict_round_trip_gives_the_same_result(knight: deploysim.Scenario) -> None:
    document = knight.to_dict()
    again = deploysim.Scenario.from_dict(document)
    assert again.file == "<memory>"
    assert again.to_dict() == document
    assert again.run(seed=3).summary == knight.run(seed=3).summary


def test_json_round_trip_and_pickle(knight: deploysim.Scenario) -> None:
    again = deploysim.Scenario.from_json(knight.to_json(indent=2))
    assert again == deploysim.Scenario.from_dict(knight.to_dict())
    unpickled = pickle.loads(pickle.dumps(knight))
    assert unpickled == knight
    assert unpickled.file == knight.file


def test_with_values_changes_a_copy(small_batches: deploysim.Scenario) -> None:
    big = small_batches.with_values({"deployment.strategy.batch_size": 200})
    assert big.to_dict()["deployment"]["strategy"]["batch_size"] == 200
    assert small_batches.to_dict()["deployment"]["strategy"]["batch_size"] == 10
    assert big.run().summary != small_batches.run().summary


def test_with_values_accepts_numpy_scalars(small_batches: deploysim.Scenario) -> None:
    numpy = pytest.importorskip("numpy")
    changed = small_batches.with_values({"deployment.strategy.batch_size": numpy.int64(20)})
    assert changed.to_dict()["deployment"]["strategy"]["batch_size"] == 20


def test_scenario_error_is_a_value_error_with_pointer(small_batches: deploysim.Scenario) -> None:
    with pytest.raises(deploysim.ScenarioError) as caught:
        small_batches.with_values({"deployment.strategy.batch_size": 0})
    assert isinstance(caught.value, ValueError)
    assert caught.value.pointer == "/deployment/strategy/batch_size"
    problem = caught.value.problems[0]
    assert problem.found == "0"
    assert problem.expected
    assert "/deployment/strategy/batch_size" in str(caught.value)


def test_unknown_key_suggests_the_right_one(knight: deploysim.Scenario) -> None:
    document = copy.deepcopy(knight.to_dict())
    document["deployment"]["stratgy"] = document["deployment"].pop("strategy")
    with pytest.raises(deploysim.ScenarioError) as caught:
        deploysim.Scenario.from_dict(document, file="typo.json")
    assert "/deployment" in caught.value.pointers
    problem = caught.value.problems[caught.value.pointers.index("/deployment")]
    assert "stratgy" in problem.detail
    assert 'did you mean "strategy"' in problem.hint
    assert all(p.file == "typo.json" for p in caught.value.problems)


def test_every_problem_is_reported(knight: deploysim.Scenario) -> None:
    document = copy.deepcopy(knight.to_dict())
    del document["name"]
    document["deployment"]["stratgy"] = document["deployment"].pop("strategy")
    with pytest.raises(deploysim.ScenarioError) as caught:
        deploysim.Scenario.from_dict(document)
    assert len(caught.value.problems) >= 1
    assert str(caught.value).count("\n") == len(caught.value.problems) - 1


def test_malformed_json_has_line_and_column() -> None:
    with pytest.raises(deploysim.ScenarioError) as caught:
        deploysim.Scenario.from_json('{"name": "x",\n "fleet": }', file="broken.json")
    problem = caught.value.problems[0]
    assert problem.file == "broken.json"
    assert problem.line == 2 and problem.column > 0


def test_missing_file_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(deploysim.ScenarioError) as caught:
        deploysim.Scenario.load(tmp_path / "nope.json")
    assert "nope.json" in str(caught.value)


def test_bad_override_path_names_the_key(knight: deploysim.Scenario) -> None:
    with pytest.raises(deploysim.ScenarioError) as caught:
        knight.with_values({"deploymnt.preflight_gate": True})
    assert "deployment" in str(caught.value)


def test_values_without_json_form_raise_type_error(knight: deploysim.Scenario) -> None:
    with pytest.raises(TypeError, match="no JSON form"):
        knight.with_values({"deployment.preflight_gate": {1, 2}})
    with pytest.raises(TypeError, match="key must be a str"):
        deploysim.Scenario.from_dict({1: "x"})  # type: ignore[dict-item]


def test_scenario_error_pickles() -> None:
    with pytest.raises(deploysim.ScenarioError) as caught:
        deploysim.Scenario.from_json("[]")
    again = pickle.loads(pickle.dumps(caught.value))
    assert isinstance(again, deploysim.ScenarioError)
    assert again.problems == caught.value.problems

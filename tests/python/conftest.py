"""Shared fixtures: the source tree, the built CLI and the bundled scenarios."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

import deploysim

SOURCE_DIR = Path(os.environ.get("DEPLOYSIM_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCENARIOS = SOURCE_DIR / "scenarios"


@pytest.fixture(scope="session")
def scenarios_dir() -> Path:
    """The bundled scenarios."""
    return SCENARIOS


@pytest.fixture(scope="session")
def knight() -> deploysim.Scenario:
    """The Knight Capital replay."""
    return deploysim.Scenario.load(SCENARIOS / "knight_capital_2012.json")


@pytest.fixture(scope="session")
def small_batches() -> deploysim.Scenario:
    """A rolling deploy with a random install time and automated rollback."""
    return deploysim.Scenario.load(SCENARIOS / "instagram_small_batches.json")


@pytest.fixture(scope="session")
def cli() -> Path:
    """The built `deploysim` binary (DEPLOYSIM_CLI, set by ctest)."""
    path = os.environ.get("DEPLOYSIM_CLI")
    if not path or not Path(path).exists():
        pytest.skip("DEPLOYSIM_CLI does not name the built deploysim binary (ctest sets it)")
    return Path(path)


def run_cli(cli: Path, *args: str) -> Any:
    """Runs the CLI with --json and returns the parsed output."""
    completed = subprocess.run([str(cli), *args, "--json"], check=True, capture_output=True,
                               text=True)
    return json.loads(completed.stdout)

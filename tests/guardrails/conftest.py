"""Shared fixtures: the example stack config, the example roster and their guardrail plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from vending.guardrails.catalog import Catalog, load_catalog
from vending.guardrails.compiler import GuardrailPlan, plan_guardrails
from vending.roster import Roster, load_roster
from vending.settings import StackSettings, load_stack_file

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def settings() -> StackSettings:
    loaded, _ = load_stack_file(PROJECT_DIR / "Pulumi.example.yaml")
    return loaded


@pytest.fixture(scope="session")
def roster(settings: StackSettings) -> Roster:
    return load_roster(PROJECT_DIR / "config" / "roster.yaml", settings)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def plan(settings: StackSettings, roster: Roster) -> GuardrailPlan:
    return plan_guardrails(settings, roster.teams)

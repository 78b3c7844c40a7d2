"""Shared fixtures: the real program on the Pulumi mock engine, and roster helpers."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from vending.plan import Plan, PlanInputs, build_plan
from vending.settings import StackSettings, load_stack_file

PROJECT_DIR = Path(__file__).resolve().parents[1]
EXAMPLE_STACK = PROJECT_DIR / "Pulumi.example.yaml"
EXAMPLE_ROSTER = PROJECT_DIR / "config" / "roster.yaml"

# No test may reach AWS: fake credentials, no instance metadata, a region set.
for key, value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}.items():
    os.environ[key] = value
os.environ.pop("AWS_PROFILE", None)

PlanFactory = Callable[..., Plan]


@pytest.fixture
def example_settings() -> StackSettings:
    settings, _ = load_stack_file(EXAMPLE_STACK)
    return settings


@pytest.fixture
def write_roster(tmp_path: Path) -> Callable[[str], Path]:
    """Write dedented roster YAML to a temporary file and return its path."""
    counter = iter(range(1_000_000))

    def write(text: str, name: str | None = None) -> Path:
        path = tmp_path / (name or f"roster-{next(counter)}.yaml")
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_stack(tmp_path: Path) -> Callable[..., Path]:
    """Write a stack file: the example config with ``sandbox-vending:`` keys overridden."""

    def write(**overrides: Any) -> Path:
        data = yaml.safe_load(EXAMPLE_STACK.read_text(encoding="utf-8"))
        for key, value in overrides.items():
            full_key = f"sandbox-vending:{key}"
            if value is None:
                data["config"].pop(full_key, None)
            else:
                data["config"][full_key] = value
        path = tmp_path / f"Pulumi.test-{len(list(tmp_path.glob('Pulumi.*')))}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def run_plan(write_stack: Callable[..., Path]) -> PlanFactory:
    """Run the real ``__main__.py`` on the mock engine and return the plan.

    Keyword arguments: ``roster`` (a path; default the example roster),
    ``missing_users`` and ``missing_groups`` (user names and group display
    names the mock identity store leaves out) and any stack setting by its
    camelCase key.
    """

    def run(
        roster: Path | None = None,
        missing_users: frozenset[str] = frozenset(),
        missing_groups: frozenset[str] = frozenset(),
        **settings: Any,
    ) -> Plan:
        stack_file = write_stack(**settings) if settings else EXAMPLE_STACK
        return build_plan(
            PlanInputs(
                project_dir=PROJECT_DIR,
                stack_file=stack_file,
                roster=roster or EXAMPLE_ROSTER,
                missing_users=missing_users,
                missing_groups=missing_groups,
            )
        )

    return run


@pytest.fixture(scope="session")
def example_plan() -> Plan:
    """The plan of the example roster and stack config, computed once per session."""
    return build_plan(PlanInputs(project_dir=PROJECT_DIR, stack_file=EXAMPLE_STACK))

"""sandboxctl exit codes and output for validate and plan."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_ROSTER
from vending import names
from vending.cli import main
from vending.plan import ACTION_TYPE, ALARM_TYPE, ASSIGNMENT_TYPE, BUDGET_TYPE


def test_validate_example_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "roster config/roster.yaml (3 teams, 12 learners: 10 active, 1 suspended, 1 closed)" in out
    assert "stack config Pulumi.example.yaml (5 guardrail policies compiled)" in out


def test_validate_bad_roster_exits_one(write_roster: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    text = EXAMPLE_ROSTER.read_text(encoding="utf-8").replace("budget_usd: 50", "budjet_usd: 50", 1)
    assert main(["validate", str(write_roster(text))]) == 1
    err = capsys.readouterr().err
    assert ":8: defaults.budjet_usd: unknown key 'budjet_usd'" in err


def test_validate_missing_file_exits_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "absent.yaml")]) == 1
    assert "file not found" in capsys.readouterr().err


def test_bad_stack_config_exits_one(write_stack: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    stack = write_stack(allowedRegions=["eu-west-1"])
    assert main(["validate", "--stack-config", str(stack)]) == 1
    assert "must include us-east-1" in capsys.readouterr().err


def test_plan_json_lists_every_active_learner(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    active = [row["id"] for row in plan["learners"] if row["status"] == "active"]
    assert len(active) == 10
    by_parent: dict[str, set[str]] = {}
    for resource in plan["resources"]:
        by_parent.setdefault(resource["parent"], set()).add(resource["type"])
    for learner_id in active:
        urn = next(item["urn"] for item in plan["resources"] if item["name"] == learner_id)
        types = by_parent[urn]
        for token in (names.ACCOUNT_TYPE, BUDGET_TYPE, ACTION_TYPE, ALARM_TYPE, ASSIGNMENT_TYPE):
            assert token in types, (learner_id, token)


def test_plan_json_resource_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--format", "json"]) == 0
    resource = json.loads(capsys.readouterr().out)["resources"][0]
    assert {"type", "name", "parent", "inputs", "protect", "ignore_changes"} <= set(resource)


def test_plan_invalid_roster_declares_nothing(
    write_roster: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    text = EXAMPLE_ROSTER.read_text(encoding="utf-8").replace("status: suspended", "status: paused")
    assert main(["plan", str(write_roster(text))]) == 1
    captured = capsys.readouterr()
    assert "must be 'active', 'suspended' or 'closed'" in captured.err
    assert captured.out == ""


def test_plan_table_shows_learners(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan"]) == 0
    out = capsys.readouterr().out
    assert "sbx-jdoe" in out
    assert "sbx-suspended" in out
    assert "(unprotected)" in out

"""sandboxctl exit codes and output for validate and plan."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def _roster_with(write_roster: Callable[[str], Path], team_line: str) -> Path:
    text = EXAMPLE_ROSTER.read_text(encoding="utf-8")
    anchor = "    instructors: [lead.data@example.com]\n"
    return write_roster(text.replace(anchor, anchor + team_line + "\n", 1))


# (case name, roster line added to the first team, text expected on stderr)
GUARDRAIL_ROSTERS = [
    (
        "add typo",
        "    guardrails: {add: [deny-iam-user-acces-keys]}",
        ":16: teams[0].guardrails.add[0]: unknown guardrail id (value: 'deny-iam-user-acces-keys'). "
        "Fix: did you mean 'deny-iam-user-access-keys'?",
    ),
    (
        "relax not relaxable",
        "    guardrails: {relax: [deny-root-user]}",
        ":16: teams[0].guardrails.relax[0]: this guardrail protects the platform and cannot be relaxed",
    ),
]


@pytest.mark.parametrize("command", ["validate", "plan"])
@pytest.mark.parametrize(
    ("line", "expected"), [case[1:] for case in GUARDRAIL_ROSTERS], ids=[case[0] for case in GUARDRAIL_ROSTERS]
)
def test_roster_guardrail_mistake_exits_one(
    write_roster: Callable[[str], Path], capsys: pytest.CaptureFixture[str], command: str, line: str, expected: str
) -> None:
    assert main([command, str(_roster_with(write_roster, line))]) == 1
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err


# (case name, stack setting, text expected on stderr from validate)
QUOTA_STACKS = [
    ("too few policies per target", {"scpMaxPerTarget": 3}, "only 2 fit beside FullAWSAccess (scpMaxPerTarget 3)"),
    ("policies too small", {"scpMaxChars": 2000}, "SCPs of at most 2000 characters"),
]


@pytest.mark.parametrize("command", ["validate", "plan"])
@pytest.mark.parametrize(
    ("setting", "expected"), [case[1:] for case in QUOTA_STACKS], ids=[case[0] for case in QUOTA_STACKS]
)
def test_guardrails_over_quota_exit_one(
    write_stack: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    command: str,
    setting: dict[str, int],
    expected: str,
) -> None:
    stack = write_stack(**setting)
    assert main([command, "--stack-config", str(stack)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert expected in err
    assert "Traceback" not in err


def test_validate_names_stack_when_guardrails_fail(
    write_stack: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    stack = write_stack(scpMaxPerTarget=3)
    assert main(["validate", "--stack-config", str(stack)]) == 1
    assert f"{stack}: the guardrails do not compile" in capsys.readouterr().err


def test_validate_stack_guardrail_typo(write_stack: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    stack = write_stack(guardrails=["region-lokc"])
    assert main(["validate", "--stack-config", str(stack)]) == 1
    err = capsys.readouterr().err
    line = next(n for n, text in enumerate(stack.read_text().splitlines(), start=1) if "region-lokc" in text)
    assert f"{stack}:{line}: guardrails[0]: unknown guardrail id (value: 'region-lokc')" in err
    assert "Fix: did you mean region-lock?" in err


def test_plan_debug_logs_traceback(write_stack: Callable[..., Path], caplog: pytest.LogCaptureFixture) -> None:
    stack = write_stack(scpMaxPerTarget=3)
    with caplog.at_level(logging.DEBUG, logger="vending.cli"):
        assert main(["--debug", "plan", "--stack-config", str(stack)]) == 1
    assert any(record.exc_info for record in caplog.records)


# (case name, path under tmp_path to create, text expected on stderr)
UNREADABLE = [
    ("directory", "rosters", "rosters: not a file: the path is a directory. Fix: name the YAML file itself"),
]


@pytest.mark.parametrize(("name", "expected"), [case[1:] for case in UNREADABLE], ids=[c[0] for c in UNREADABLE])
def test_validate_unreadable_roster(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, expected: str
) -> None:
    (tmp_path / name).mkdir()
    assert main(["validate", str(tmp_path / name)]) == 1
    assert expected in capsys.readouterr().err


def test_validate_permission_denied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "roster.yaml"
    path.write_text(EXAMPLE_ROSTER.read_text(encoding="utf-8"), encoding="utf-8")

    read_text = Path.read_text

    def deny(self: Path, *args: Any, **kwargs: Any) -> str:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return read_text(self, *args, **kwargs)

    # Tests may run as root, where chmod does not stop reads.
    monkeypatch.setattr(Path, "read_text", deny)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: cannot read the file: Permission denied. Fix: check its path and permissions" in err


@pytest.mark.parametrize("value", ["2027-02-30", "tomorrow", "2027-13-01"])
def test_today_rejects_invalid_date(capsys: pytest.CaptureFixture[str], value: str) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["validate", "--today", value])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert f"invalid date '{value}': use a real calendar date, YYYY-MM-DD" in err
    assert "fromisoformat" not in err


def test_validate_duplicate_learner_email(
    write_roster: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    text = EXAMPLE_ROSTER.read_text(encoding="utf-8")
    text = text.replace("email: alex.smith@example.com", "email: Jane.Doe@example.com")
    assert main(["validate", str(write_roster(text))]) == 1
    expected = ":22: teams[0].learners[1].email: email is already used by learner 'jdoe' at line 17"
    assert expected in capsys.readouterr().err

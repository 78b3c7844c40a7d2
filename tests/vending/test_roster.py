"""Roster v1 validation: structure, rules, inheritance and error reporting."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_ROSTER, PROJECT_DIR
from vending.errors import ValidationError
from vending.roster import load_roster
from vending.schema import render
from vending.settings import StackSettings

VALID = """
version: 1
defaults:
  budget_usd: 50
  account_email: "aws-sandbox+{learner}@example.com"
teams:
  - id: team-a
    name: Team A
    learners:
      - id: ann
        name: Ann
        email: ann@example.com
      - id: bob
        name: Bob
        email: bob@example.com
"""

# (case name, roster text, expected line, text the message must contain)
BAD_ROSTERS = [
    (
        "duplicate learner id",
        VALID.replace("id: bob", "id: ann"),
        12,
        "learner id is already used at line 9",
    ),
    (
        "duplicate email differing in case",
        VALID.replace(
            "name: Bob\n        email: bob@example.com",
            "name: Bob\n        email: bob@example.com\n        account_email: AWS-SANDBOX+ann@example.com",
        ),
        15,
        "account email is already used",
    ),
    (
        "invalid email",
        VALID.replace("email: bob@example.com", "email: bob@example"),
        14,
        "not a valid email address",
    ),
    (
        "email over 64 characters after templating",
        VALID.replace("id: bob", "id: bob-" + "x" * 30).replace(
            'account_email: "aws-sandbox+{learner}@example.com"',
            'account_email: "aws-sandbox+{learner}@training.example.com"',
        ),
        12,
        "AWS accepts 6 to 64",
    ),
    (
        "misspelled key",
        VALID.replace("budget_usd: 50", "budjet_usd: 50"),
        3,
        "unknown key 'budjet_usd'",
    ),
    (
        "negative budget",
        VALID.replace("name: Team A", "name: Team A\n    budget_usd: -5"),
        8,
        "greater than 0",
    ),
    (
        "impossible date",
        VALID.replace("name: Team A", "name: Team A\n    expires: 2027-02-30"),
        8,
        "not a real calendar date",
    ),
    (
        "unknown status",
        VALID.replace("email: bob@example.com", "email: bob@example.com\n        status: paused"),
        15,
        "'active', 'suspended' or 'closed'",
    ),
    (
        "broken yaml",
        VALID.replace("    name: Team A", "    name: [Team A"),
        8,
        "invalid YAML",
    ),
    (
        "empty file",
        "",
        1,
        "the roster is empty",
    ),
    (
        "duplicate key",
        VALID.replace("    name: Team A", "    name: Team A\n    name: Team B"),
        8,
        "duplicate key",
    ),
    (
        "account name too long",
        VALID.replace("email: bob@example.com", "email: bob@example.com\n        account_name: " + "B" * 51),
        15,
        "AWS accepts 1 to 50",
    ),
    (
        "unknown placeholder",
        VALID.replace("{learner}", "{learnr}"),
        4,
        "unknown placeholder(s) {learnr}",
    ),
    (
        "invalid id",
        VALID.replace("id: team-a", "id: Team_A"),
        6,
        "lowercase letters, digits and hyphens",
    ),
    (
        "wrong version",
        VALID.replace("version: 1", "version: 2"),
        1,
        "only version 1 exists",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "message"), [case[1:] for case in BAD_ROSTERS], ids=[case[0] for case in BAD_ROSTERS]
)
def test_bad_roster_reports_line_and_message(
    write_roster: Callable[[str], Path], example_settings: StackSettings, text: str, line: int, message: str
) -> None:
    path = write_roster(text)
    with pytest.raises(ValidationError) as caught:
        load_roster(path, example_settings)
    problems = caught.value.problems
    matching = [problem for problem in problems if message in str(problem)]
    assert matching, f"no problem mentions {message!r}: {[str(p) for p in problems]}"
    assert matching[0].line == line
    assert matching[0].file == str(path)


def test_error_text_names_file_value_and_fix(
    write_roster: Callable[[str], Path], example_settings: StackSettings
) -> None:
    path = write_roster(VALID.replace("budget_usd: 50", "budjet_usd: 50"))
    with pytest.raises(ValidationError) as caught:
        load_roster(path, example_settings)
    text = str(caught.value)
    assert f"{path}:3:" in text
    assert "did you mean 'budget_usd'?" in text


def test_every_problem_reported_at_once(write_roster: Callable[[str], Path], example_settings: StackSettings) -> None:
    text = VALID.replace("budget_usd: 50", "budjet_usd: 50").replace("email: bob@example.com", "email: bob")
    with pytest.raises(ValidationError) as caught:
        load_roster(write_roster(text), example_settings)
    assert len(caught.value.problems) == 1  # structure errors stop before the rule pass
    text = VALID.replace("email: bob@example.com", "email: bob").replace("id: bob", "id: ann")
    with pytest.raises(ValidationError) as caught:
        load_roster(write_roster(text), example_settings)
    assert len(caught.value.problems) == 2
    assert {problem.line for problem in caught.value.problems} == {12, 14}


def test_defaults_inherited_team_then_learner(
    write_roster: Callable[[str], Path], example_settings: StackSettings
) -> None:
    text = VALID.replace("name: Team A", "name: Team A\n    budget_usd: 80\n    expires: 2027-05-01").replace(
        "email: bob@example.com", "email: bob@example.com\n        budget_usd: 120"
    )
    roster = load_roster(write_roster(text), example_settings)
    ann, bob = roster.learners
    assert ann.budget_usd == 80
    assert bob.budget_usd == 120
    assert str(bob.expires) == "2027-05-01"
    assert ann.account_email == "aws-sandbox+ann@example.com"
    assert ann.account_name == "sbx-ann"


def test_renamed_learner_keeps_account_email(
    write_roster: Callable[[str], Path], example_settings: StackSettings
) -> None:
    text = VALID.replace("id: bob", "id: robert\n        previous_ids: [bob]")
    roster = load_roster(write_roster(text), example_settings)
    robert = roster.learner("robert")
    assert robert.account_email == "aws-sandbox+bob@example.com"
    assert robert.account_name == "sbx-robert"


def test_too_many_budget_subscribers(write_roster: Callable[[str], Path], example_settings: StackSettings) -> None:
    instructors = ", ".join(f"i{n}@example.com" for n in range(9))
    text = VALID.replace("name: Team A", f"name: Team A\n    instructors: [{instructors}]")
    with pytest.raises(ValidationError) as caught:
        load_roster(write_roster(text), example_settings)
    assert "AWS Budgets allows 10" in str(caught.value)


def test_oversized_file_rejected(write_roster: Callable[[str], Path], example_settings: StackSettings) -> None:
    path = write_roster(VALID + "#" * (5 * 1024 * 1024))
    with pytest.raises(ValidationError) as caught:
        load_roster(path, example_settings)
    assert "larger than" in str(caught.value)


def test_alias_bomb_rejected(write_roster: Callable[[str], Path], example_settings: StackSettings) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1},"
        f" *a{n - 1}, *a{n - 1}]"
        for n in range(1, 8)
    ]
    with pytest.raises(ValidationError) as caught:
        load_roster(write_roster("\n".join(lines)), example_settings)
    assert "expands to more than" in str(caught.value)


def test_example_roster_valid(example_settings: StackSettings) -> None:
    roster = load_roster(EXAMPLE_ROSTER, example_settings)
    assert len(roster.teams) == 3
    assert len(roster.learners) == 12
    assert {learner.status for learner in roster.learners} == {"active", "suspended", "closed"}


def test_schema_file_current() -> None:
    committed = (PROJECT_DIR / "config" / "roster.schema.json").read_text(encoding="utf-8")
    assert committed == render(), "config/roster.schema.json is stale: run `make schema`"


def test_schema_rejects_unknown_keys() -> None:
    schema = json.loads(render())
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["LearnerEntry"]["additionalProperties"] is False

"""Roster problems: named bad inputs with their line, location, message and fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.vending.test_roster import VALID
from vending.errors import Problem, ValidationError
from vending.roster import load_roster
from vending.settings import StackSettings

TEAM = "name: Team A"
BOB = "name: Bob\n        email: bob@example.com"
LONG_TEMPLATE = 'account_email: "aws-sandbox+{learner}@training.example.com"'
LONG_ID = "bob-" + "x" * 30
LONG_EMAIL = f"aws-sandbox+{LONG_ID}@training.example.com"


def _team(extra: str) -> str:
    return VALID.replace(TEAM, f"{TEAM}\n    {extra}")


def _bob(extra: str) -> str:
    return VALID.replace(BOB, f"{BOB}\n        {extra}")


def _shared(extra_bob: str) -> str:
    return _team("shared_account: true").replace("email: bob@example.com", extra_bob)


# (case name, roster text, line, location, text in the message, text in the fix)
CASES = [
    (
        "guardrail add typo",
        _team("guardrails: {add: [deny-iam-user-acces-keys]}"),
        8,
        "teams[0].guardrails.add[0]",
        "unknown guardrail id",
        "did you mean 'deny-iam-user-access-keys'?",
    ),
    (
        "guardrail relax unknown",
        _team("guardrails:\n      relax: [regoin-lock]"),
        9,
        "teams[0].guardrails.relax[0]",
        "unknown guardrail id",
        "did you mean 'region-lock'?",
    ),
    (
        "relax not relaxable",
        _team("guardrails: {relax: [deny-root-user]}"),
        8,
        "teams[0].guardrails.relax[0]",
        "protects the platform and cannot be relaxed",
        "relaxable guardrails: deny-ai-capacity",
    ),
    (
        "added and relaxed",
        _team("guardrails: {add: [region-lock], relax: [region-lock]}"),
        8,
        "teams[0].guardrails.relax[0]",
        "both added and relaxed",
        "keep it in one of the two lists",
    ),
    (
        "email repeated in another case",
        VALID.replace("email: bob@example.com", "email: ANN@Example.com"),
        14,
        "teams[0].learners[1].email",
        "email is already used by learner 'ann' at line 9",
        "give each learner their own address",
    ),
    (
        "user repeated in another case",
        VALID.replace("email: ann@example.com", "email: ann@example.com\n        user: pat").replace(
            "email: bob@example.com", "email: bob@example.com\n        user: PAT"
        ),
        16,
        "teams[0].learners[1].user",
        "Identity Center user name is already used by learner 'ann' at line 9",
        "give each learner their own 'user'",
    ),
    (
        "user equal to another email",
        _bob("user: Ann@example.com"),
        15,
        "teams[0].learners[1].user",
        "Identity Center user name is already used by learner 'ann' at line 9",
        "list the person once",
    ),
    (
        "exact email repeat in shared team",
        _shared("email: ann@example.com"),
        15,
        "teams[0].learners[1].email",
        "email is already used by learner 'ann' at line 10",
        "give each learner their own address",
    ),
    (
        "template email too long",
        VALID.replace("id: bob", f"id: {LONG_ID}").replace(
            'account_email: "aws-sandbox+{learner}@example.com"', LONG_TEMPLATE
        ),
        12,
        "teams[0].learners[1].id",
        f"account email '{LONG_EMAIL}' (from the account_email template at line 4) is 67 characters",
        "shorten the address or the template",
    ),
    (
        "team template email too long",
        _team(LONG_TEMPLATE).replace("id: bob", f"id: {LONG_ID}"),
        13,
        "teams[0].learners[1].id",
        "(from the account_email template at line 8) is 67 characters",
        "shorten the address or the template",
    ),
    (
        "template makes invalid email",
        VALID.replace("aws-sandbox+{learner}@example.com", "aws sandbox+{learner}@example.com"),
        9,
        "teams[0].learners[0].id",
        "(from the account_email template at line 4) is not a valid email address",
        "name@example.com",
    ),
    (
        "previous id clash",
        _bob("previous_ids: [ann]"),
        15,
        "teams[0].learners[1].previous_ids[0]",
        "previous id of this learner is already used at line 9",
        "learner ids and previous ids must be unique",
    ),
    (
        "team previous id clash",
        VALID + "  - id: team-b\n    name: Team B\n    previous_ids: [old, team-a]\n",
        17,
        "teams[1].previous_ids[1]",
        "previous id of this team is already used at line 6",
        "team ids and previous ids must be unique",
    ),
    (
        "top level list",
        "- version: 1\n- teams: []\n",
        1,
        "",
        "the roster must be a mapping with version, defaults and teams, not a list",
        "start the file with 'version: 1'",
    ),
    (
        "top level scalar",
        "just some text\n",
        1,
        "",
        "the roster must be a mapping with version, defaults and teams, not text",
        "as in config/roster.yaml",
    ),
    (
        "teams as mapping",
        "version: 1\nteams:\n  team-a: {name: Team A}\n",
        2,
        "teams",
        "teams must be a list of teams, not a mapping",
        "'- id: ...'",
    ),
    (
        "learner as string",
        VALID.replace("      - id: bob\n        name: Bob\n        email: bob@example.com", "      - bob"),
        12,
        "teams[0].learners[1]",
        "each learner must be a mapping with id, name and email, not text",
        "name and email indented below it",
    ),
    (
        "learners as string",
        VALID.split("    learners:")[0] + "    learners: ann\n",
        8,
        "teams[0].learners",
        "learners must be a list of learners, not text",
        "'- id: ...'",
    ),
    (
        "team as list",
        "version: 1\nteams:\n  - [team-a]\n",
        3,
        "teams[0]",
        "each team must be a mapping with id, name and learners, not a list",
        "'- id: ...'",
    ),
    (
        "defaults as list",
        VALID.replace("  budget_usd: 50\n", "  - budget_usd: 50\n").replace(
            '  account_email: "aws', '  - account_email: "aws'
        ),
        2,
        "defaults",
        "defaults must be a mapping",
        "indent 'key: value' lines under defaults",
    ),
    (
        "guardrails as list",
        _team("guardrails: [region-lock]"),
        8,
        "teams[0].guardrails",
        "guardrails must be a mapping with 'add' and 'relax' lists, not a list",
        "guardrails: {add:",
    ),
    (
        "budget over maximum",
        VALID.replace("budget_usd: 50", "budget_usd: 2000000"),
        3,
        "defaults.budget_usd",
        "must be at most 1000000",
        "use a number at most 1000000",
    ),
    (
        "budget with currency sign",
        VALID.replace("budget_usd: 50", "budget_usd: $150"),
        3,
        "defaults.budget_usd",
        "must be a number, not text",
        "write the number without a currency sign",
    ),
    (
        "budget as flag",
        VALID.replace("budget_usd: 50", "budget_usd: yes"),
        3,
        "defaults.budget_usd",
        "must be a number, not true/false",
        "write a number such as 50",
    ),
    (
        "budget infinite",
        VALID.replace("budget_usd: 50", "budget_usd: .inf"),
        3,
        "defaults.budget_usd",
        "must be a finite number",
        "write a number such as 50",
    ),
    (
        "version 2",
        VALID.replace("version: 1", "version: 2"),
        1,
        "version",
        "only version 1 exists",
        "write version: 1",
    ),
    (
        "numeric id",
        VALID.replace("id: bob", "id: 1234"),
        12,
        "teams[0].learners[1].id",
        "must be text, not a number",
        'quote it, for example "1234"',
    ),
    (
        "empty name",
        VALID.replace("name: Bob", 'name: ""'),
        13,
        "teams[0].learners[1].name",
        "must not be empty",
        "write a value or remove the key",
    ),
    (
        "shared account not a flag",
        _team("shared_account: maybe"),
        8,
        "teams[0].shared_account",
        "must be true or false",
        "write true or false",
    ),
    (
        "expires with a time",
        _team("expires: 2027-03-01T10:00:00"),
        8,
        "teams[0].expires",
        "must be a date without a time",
        "YYYY-MM-DD",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "location", "message", "fix"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_roster_problem_reported(
    write_roster: Callable[[str], Path],
    example_settings: StackSettings,
    text: str,
    line: int,
    location: str,
    message: str,
    fix: str,
) -> None:
    path = write_roster(text)
    with pytest.raises(ValidationError) as caught:
        load_roster(path, example_settings)
    matching = [problem for problem in caught.value.problems if message in problem.message]
    assert matching, f"no problem mentions {message!r}: {[str(p) for p in caught.value.problems]}"
    assert matching[0].line == line
    assert matching[0].location == location
    assert fix in matching[0].fix
    assert "Entry" not in str(caught.value)
    assert "RosterFile" not in str(caught.value)


def test_shared_team_allows_case_variants(
    write_roster: Callable[[str], Path], example_settings: StackSettings
) -> None:
    roster = load_roster(write_roster(_shared("email: Ann@example.com")), example_settings)
    assert [learner.email for learner in roster.learners] == ["ann@example.com", "Ann@example.com"]


def test_email_repeat_across_teams_rejected(
    write_roster: Callable[[str], Path], example_settings: StackSettings
) -> None:
    text = _team("shared_account: true") + (
        "  - id: team-b\n    name: Team B\n    learners:\n"
        "      - id: cid\n        name: Cid\n        email: Ann@example.com\n"
    )
    with pytest.raises(ValidationError) as caught:
        load_roster(write_roster(text), example_settings)
    assert [problem.line for problem in caught.value.problems] == [21]


def test_template_problem_once_per_learner(
    write_roster: Callable[[str], Path], example_settings: StackSettings
) -> None:
    text = VALID.replace("@example.com\"", "@" + "d" * 60 + '.example.com"')
    with pytest.raises(ValidationError) as caught:
        load_roster(write_roster(text), example_settings)
    assert [problem.location for problem in caught.value.problems] == [
        "teams[0].learners[0].id",
        "teams[0].learners[1].id",
    ]


# Inputs that trigger as many kinds of problem as possible, structure and rules.
MANY_BAD = [
    VALID.replace("budget_usd: 50", "budjet_usd: 50"),
    VALID.replace("    name: Team A\n", ""),
    VALID.replace("teams:\n", "teams: []\n").split("  - id: team-a")[0],
    VALID.replace("name: Bob", "name: " + "B" * 200),
    VALID.replace("id: bob", "id: Bob_1"),
    _bob("status: paused"),
    _bob("status: 3"),
    _bob("previous_ids: bob-old"),
    _bob("previous_ids: [Old_Id]"),
    _bob("account_name: " + "b" * 60),
    _bob("expires: 2027-02-30"),
    _bob("expires: soon"),
    _bob("instructors: [x]"),
    _team("instructors: lead@example.com"),
    _team("instructors: [12]"),
    _team("budget_usd: -5"),
    _team("budget_usd: [5]"),
    _team("budget_usd: .nan"),
    _team("guardrails: {add: [nope], relax: [deny-root-user, nope-again]}"),
    _team("guardrails: {add: x}"),
    _team("previous_ids: [Bad_Id]"),
    _team("shared_account: [true]"),
    VALID.replace("version: 1", "version: '1'"),
    VALID.replace("version: 1\n", ""),
    VALID.replace("{learner}", "{learnr}"),
    VALID.replace("id: bob", "id: ann"),
    VALID.replace("email: bob@example.com", "email: bob@example"),
    VALID.replace("email: bob@example.com", "email: b@c"),
    VALID.replace('  account_email: "aws-sandbox+{learner}@example.com"\n', ""),
    VALID.replace("  budget_usd: 50\n", ""),
    VALID.replace("    name: Team A", "    name: [Team A"),
    VALID.replace("    name: Team A", "    name: Team A\n    name: Team B"),
    VALID.replace("    name: Team A", "    ? [a, b]\n    : c"),
    "",
    "version: 1\n",
    "null\n",
]


@pytest.mark.parametrize("text", MANY_BAD, ids=[f"input-{index}" for index in range(len(MANY_BAD))])
def test_every_problem_has_fix(
    write_roster: Callable[[str], Path], example_settings: StackSettings, text: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        load_roster(write_roster(text), example_settings)
    without_fix: list[Problem] = [problem for problem in caught.value.problems if not problem.fix.strip()]
    assert not without_fix, [str(problem) for problem in without_fix]


def test_instructor_limit_problem_has_fix(
    write_roster: Callable[[str], Path], example_settings: StackSettings
) -> None:
    instructors = ", ".join(f"i{n}@example.com" for n in range(9))
    with pytest.raises(ValidationError) as caught:
        load_roster(write_roster(_team(f"instructors: [{instructors}]")), example_settings)
    assert all(problem.fix for problem in caught.value.problems)

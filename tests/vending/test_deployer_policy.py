"""sandboxctl deployer-policy: parliament finds nothing, and every declared resource type is covered."""

from __future__ import annotations

import json
from typing import Any

import pytest
from parliament import analyze_policy_string

from vending.cli import main
from vending.deployer_policy import PolicyScope, build_policy, grants_by_type
from vending.plan import Plan

# Actions missing from parliament's snapshot of the AWS action database, allowed on purpose.
# account:PutAccountName arrived in April 2025, after parliament 1.6.4's database was built.
ALLOWED_UNKNOWN: frozenset[str] = frozenset({"account:PutAccountName"})
SCOPES = {
    "identity center": PolicyScope("sbx", "111111111111", "OrganizationAccountAccessRole", "identity_center"),
    "iam role": PolicyScope("sbx", "111111111111", "SandboxAdmin", "iam_role"),
    "any account": PolicyScope("lab", "*", "OrganizationAccountAccessRole", "identity_center"),
}
WRITE_VERBS = ("Create", "Delete", "Update", "Put", "Attach", "Detach", "Modify", "Move", "Close", "Tag", "Untag")


def actions_of(policy: dict[str, Any]) -> set[str]:
    return {action for statement in policy["Statement"] for action in statement["Action"]}


def statement_with(policy: dict[str, Any], action: str) -> dict[str, Any]:
    return next(statement for statement in policy["Statement"] if action in statement["Action"])


def unknown_action(location: object) -> str | None:
    """Return the action an UNKNOWN_ACTION finding names: parliament puts it in location["string"]."""
    return location.get("string") if isinstance(location, dict) else None


@pytest.mark.parametrize("read_only", [False, True], ids=["deploy", "preview"])
@pytest.mark.parametrize("scope", list(SCOPES), ids=list(SCOPES))
def test_parliament_finds_nothing(scope: str, read_only: bool) -> None:
    policy = build_policy(SCOPES[scope], read_only=read_only)
    findings = analyze_policy_string(json.dumps(policy)).findings
    unexpected = [
        finding
        for finding in findings
        if not (finding.issue == "UNKNOWN_ACTION" and unknown_action(finding.location) in ALLOWED_UNKNOWN)
    ]
    assert unexpected == []


def test_covers_every_declared_type(example_plan: Plan) -> None:
    declared = {item.type for item in example_plan.run.registrations if item.custom}
    assert declared <= set(grants_by_type(SCOPES["identity center"]))


def test_each_type_has_actions_in_policy(example_plan: Plan) -> None:
    scope = SCOPES["identity center"]
    policy_actions = actions_of(build_policy(scope))
    table = grants_by_type(scope)
    for token in {item.type for item in example_plan.run.registrations if item.custom}:
        granted = {action for grant in table[token] for action in (*grant.read, *grant.write)}
        assert granted, token
        assert granted <= policy_actions, token


def test_pass_role_only_to_budgets() -> None:
    statement = statement_with(build_policy(SCOPES["identity center"]), "iam:PassRole")
    assert statement["Condition"] == {"StringEquals": {"iam:PassedToService": "budgets.amazonaws.com"}}
    assert statement["Resource"] == ["arn:aws:iam::111111111111:role/sbx-platform-budget-action"]


def test_close_account_needs_project_tag() -> None:
    statement = statement_with(build_policy(SCOPES["identity center"]), "organizations:CloseAccount")
    assert statement["Condition"] == {"StringEquals": {"aws:ResourceTag/ManagedBy": "sandbox-vending"}}


@pytest.mark.parametrize(("scope", "expected"), [("identity center", False), ("iam role", True)])
def test_assume_role_only_for_iam_role_mode(scope: str, expected: bool) -> None:
    assert ("sts:AssumeRole" in actions_of(build_policy(SCOPES[scope]))) is expected


def test_assume_role_names_account_role() -> None:
    statement = statement_with(build_policy(SCOPES["iam role"]), "sts:AssumeRole")
    assert statement["Resource"] == ["arn:aws:iam::*:role/SandboxAdmin"]


def test_budgets_scoped_by_prefix() -> None:
    statement = statement_with(build_policy(SCOPES["any account"]), "budgets:ModifyBudget")
    assert statement["Resource"] == ["arn:aws:budgets::*:budget/lab-*"]


def test_read_only_has_no_writes() -> None:
    actions = actions_of(build_policy(SCOPES["identity center"], read_only=True))
    writes = [action for action in actions if action.split(":")[1].startswith(WRITE_VERBS)]
    assert writes == []


def test_cli_prints_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deployer-policy", "--account-id", "123456789012"]) == 0
    policy = json.loads(capsys.readouterr().out)
    assert policy["Version"] == "2012-10-17"
    assert "organizations:CreateAccount" in actions_of(policy)


@pytest.mark.parametrize("value", ["12345", "abcdefghijkl", ""])
def test_cli_rejects_bad_account_id(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["deployer-policy", "--account-id", value])
    assert raised.value.code == 2
    assert "12-digit AWS account id" in capsys.readouterr().err

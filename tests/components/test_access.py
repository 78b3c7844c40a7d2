"""Access under the mock engine: Identity Center assignments, instructor groups, team accounts, admin roles."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest

from tests.conftest import PROJECT_DIR, PlanFactory
from vending import names
from vending.mockrun import IDENTITY_STORE_ID, OfflineMocks, Registration, run_program
from vending.plan import (
    ALARM_TYPE,
    ASSIGNMENT_TYPE,
    BUDGET_TYPE,
    OU_TYPE,
    READINESS_TYPE,
    ROLE_TYPE,
    Plan,
    PlanInputs,
    engine_config,
    roster_group_names,
    roster_user_names,
)

ACCESS_ROSTER = """
version: 1
defaults:
  budget_usd: 50
  account_email: "aws-sandbox+{learner}@example.com"
teams:
  - id: solo
    name: Solo cohort
    instructors: [lead.solo@example.com]
    instructor_group: Solo Instructors
    learners:
      - {id: ana, name: Ana, email: ana@example.com}
      - {id: ben, name: Ben, email: ben@example.com, status: suspended}
      - {id: cy, name: Cy, email: cy@example.com, status: closed}
  - id: squad
    name: Squad
    budget_usd: 200
    shared_account: true
    instructors: [lead.squad@example.com]
    instructor_group: Squad Instructors
    learners:
      - {id: dee, name: Dee, email: dee@example.com}
      - {id: eli, name: Eli, email: eli@example.com}
      - {id: fay, name: Fay, email: fay@example.com, status: suspended}
"""

PRINCIPALS = {
    "ana": ["arn:aws:iam::222222222222:user/ana"],
    "dee": ["arn:aws:iam::222222222222:user/dee"],
    "eli": ["arn:aws:iam::222222222222:role/eli-sso", "arn:aws:iam::222222222222:user/eli"],
    "fay": ["arn:aws:iam::222222222222:user/fay"],
}
ROLE_SETTINGS: dict[str, Any] = {"accessMode": "iam_role", "identityAccountPrincipals": PRINCIPALS}
ACCESS_ROLE = "OrganizationAccountAccessRole"


@pytest.fixture
def roster(write_roster: Callable[[str], Path]) -> Path:
    return write_roster(ACCESS_ROSTER)


@pytest.fixture
def center_plan(run_plan: PlanFactory, roster: Path) -> Plan:
    return run_plan(roster=roster, sessionDuration="PT4H")


@pytest.fixture
def role_plan(run_plan: PlanFactory, roster: Path) -> Plan:
    return run_plan(roster=roster, **ROLE_SETTINGS)


def named(plan: Plan, name: str) -> Registration:
    return plan.run.by_name(name)


def assignment_keys(plan: Plan, component: str) -> list[str]:
    parent = named(plan, component)
    return sorted(
        item.name.removeprefix(f"{component}-") for item in plan.run.children_of(parent) if item.type == ASSIGNMENT_TYPE
    )


# Identity Center mode -----------------------------------------------------------------------------------------------

ASSIGNMENTS_BY_STATUS = [
    ("active learner", "ana", ["instructor-group", "instructor-lead.solo@example.com", "learner-access"]),
    ("suspended learner", "ben", []),
    ("closed learner", "cy", []),
    (
        "shared account",
        "team-squad",
        ["instructor-group", "instructor-lead.squad@example.com", "member-dee", "member-eli"],
    ),
]


@pytest.mark.parametrize(
    ("case", "component", "expected"), ASSIGNMENTS_BY_STATUS, ids=[c[0] for c in ASSIGNMENTS_BY_STATUS]
)
def test_assignments_per_status(center_plan: Plan, case: str, component: str, expected: list[str]) -> None:
    assert assignment_keys(center_plan, component) == expected


def test_instructor_group_assignment(center_plan: Plan) -> None:
    assignment = named(center_plan, "ana-instructor-group")
    instructor_set = named(center_plan, "access-instructor")
    assert assignment.inputs["principalType"] == "GROUP"
    assert assignment.inputs["principalId"].startswith("group-")
    assert assignment.inputs["permissionSetArn"] == instructor_set.outputs["arn"]
    assert assignment.inputs["targetId"] == named(center_plan, "ana-account").id


def test_instructor_user_assignment(center_plan: Plan) -> None:
    assignment = named(center_plan, "ana-instructor-lead.solo@example.com")
    instructor_set = named(center_plan, "access-instructor")
    assert assignment.inputs["principalType"] == "USER"
    assert assignment.inputs["permissionSetArn"] == instructor_set.outputs["arn"]


def test_groups_looked_up_once(roster: Path, write_stack: Callable[..., Path]) -> None:
    _, parsed, config = engine_config(PlanInputs(project_dir=PROJECT_DIR, stack_file=write_stack(), roster=roster))
    mocks = OfflineMocks(user_names=roster_user_names(parsed), group_names=roster_group_names(parsed))
    run_program(PROJECT_DIR, config, mocks)
    assert mocks.calls.count("aws:identitystore/getGroups:getGroups") == 1


def test_missing_group_fails_with_name(run_plan: PlanFactory, roster: Path) -> None:
    with pytest.raises(pulumi.RunError) as caught:
        run_plan(roster=roster, missing_groups=frozenset({"Squad Instructors"}))
    message = str(caught.value)
    assert "instructor group of team 'squad': display name 'Squad Instructors'" in message
    assert IDENTITY_STORE_ID in message


def test_session_duration_from_settings(center_plan: Plan) -> None:
    for name in ("access-learner", "access-instructor"):
        assert named(center_plan, name).inputs["sessionDuration"] == "PT4H"


BOUNDARIES = [
    (
        "managed policy arn",
        {"permissionsBoundaryPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"},
        {"managedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"},
    ),
    (
        "customer managed name and path",
        {"permissionsBoundaryPolicyName": "sandbox-boundary", "permissionsBoundaryPolicyPath": "/boundaries/"},
        {"customerManagedPolicyReference": {"name": "sandbox-boundary", "path": "/boundaries/"}},
    ),
]


@pytest.mark.parametrize(("case", "settings", "expected"), BOUNDARIES, ids=[c[0] for c in BOUNDARIES])
def test_permissions_boundary(
    run_plan: PlanFactory, roster: Path, case: str, settings: dict[str, Any], expected: dict[str, Any]
) -> None:
    plan = run_plan(roster=roster, **settings)
    attachment = named(plan, "access-learner-boundary")
    assert attachment.inputs["permissionsBoundary"] == expected
    assert attachment.inputs["permissionSetArn"] == named(plan, "access-learner").outputs["arn"]


DENY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "ec2:PurchaseReservedInstancesOffering", "Resource": "*"}],
}


def test_inline_deny_policy(run_plan: PlanFactory, roster: Path) -> None:
    plan = run_plan(roster=roster, learnerDenyPolicy=json.dumps(DENY_POLICY))
    inline = named(plan, "access-learner-deny")
    assert json.loads(inline.inputs["inlinePolicy"]) == DENY_POLICY
    assert inline.inputs["permissionSetArn"] == named(plan, "access-learner").outputs["arn"]


def test_no_limits_by_default(center_plan: Plan) -> None:
    names_found = {item.name for item in center_plan.run.registrations}
    assert "access-learner-boundary" not in names_found
    assert "access-learner-deny" not in names_found


# Shared team account -------------------------------------------------------------------------------------------------


def test_shared_team_has_one_account(center_plan: Plan) -> None:
    accounts = [item for item in center_plan.run.of_type(names.ACCOUNT_TYPE) if item.inputs["tags"]["Team"] == "squad"]
    assert [item.name for item in accounts] == ["team-squad-account"]
    assert accounts[0].inputs["name"] == "sbx-squad"
    assert accounts[0].inputs["email"] == "aws-sandbox+squad@example.com"


def test_shared_members_have_no_own_sandbox(center_plan: Plan) -> None:
    components = {item.name for item in center_plan.run.of_type(names.LEARNER_TYPE)}
    assert components == {"ana", "ben", "cy"}


def test_shared_budget_and_alarm(center_plan: Plan) -> None:
    team = named(center_plan, "team-squad")
    account = named(center_plan, "team-squad-account")
    children = center_plan.run.children_of(team)
    budget = next(item for item in children if item.type == BUDGET_TYPE)
    alarm = next(item for item in children if item.type == ALARM_TYPE)
    assert budget.inputs["name"] == "sbx-team-squad"
    assert budget.inputs["limitAmount"] == "200.00"
    assert budget.inputs["costFilters"] == [{"name": "LinkedAccount", "values": [account.id]}]
    assert budget.inputs["notifications"][0]["subscriberEmailAddresses"] == [
        "cloud-ops@example.com",
        "dee@example.com",
        "eli@example.com",
        "fay@example.com",
        "lead.squad@example.com",
    ]
    assert alarm.inputs["dimensions"] == {"Currency": "USD", "LinkedAccount": account.id}
    assert alarm.inputs["threshold"] == 160.0


def test_shared_outputs_point_to_team_account(center_plan: Plan) -> None:
    account_id = named(center_plan, "team-squad-account").id
    learners = center_plan.run.outputs["learners"]
    for learner_id in ("dee", "eli", "fay"):
        assert learners[learner_id]["account_id"] == account_id
        assert learners[learner_id]["shared_account_team"] == "squad"
        assert learners[learner_id]["budget_usd"] == 200


def close_member(text: str, learner_id: str, status: str = "closed") -> str:
    """Set the status of a member written as ``{id: X, name: Y, email: Z[, status: S]}``."""
    lines = []
    for line in text.splitlines():
        if line.strip().startswith(f"- {{id: {learner_id},"):
            line = line.split(", status:")[0].rstrip("}") + f", status: {status}}}"
        lines.append(line)
    return "\n".join(lines) + "\n"


ALL_CLOSED = close_member(close_member(close_member(ACCESS_ROSTER, "dee"), "eli"), "fay")


SHARED_STATUSES = [
    ("any member active", ACCESS_ROSTER, "sbx-squad", True, 4),
    ("all members closed", ALL_CLOSED, "sbx-suspended", False, 0),
    (
        "suspended and closed",
        ALL_CLOSED.replace("email: fay@example.com, status: closed", "email: fay@example.com, status: suspended"),
        "sbx-suspended",
        True,
        0,
    ),
]


@pytest.mark.parametrize(
    ("case", "text", "ou", "protected", "assignments"), SHARED_STATUSES, ids=[c[0] for c in SHARED_STATUSES]
)
def test_shared_account_status(
    run_plan: PlanFactory,
    write_roster: Callable[[str], Path],
    case: str,
    text: str,
    ou: str,
    protected: bool,
    assignments: int,
) -> None:
    plan = run_plan(roster=write_roster(text))
    account = named(plan, "team-squad-account")
    ou_names = {item.id: item.inputs["name"] for item in plan.run.of_type(OU_TYPE)}
    assert ou_names[account.inputs["parentId"]] == ou
    assert account.protect is protected
    assert len(assignment_keys(plan, "team-squad")) == assignments


def test_outputs_sign_in_url_identity_center(center_plan: Plan) -> None:
    learners = center_plan.run.outputs["learners"]
    assert learners["ana"]["sign_in_url"] == "https://d-example.awsapps.com/start"
    assert learners["ana"]["access_mode"] == "identity_center"
    assert learners["ben"]["sign_in_url"] is None


# Admin role mode ------------------------------------------------------------------------------------------------------

ROLES_BY_STATUS = [
    ("active learner", "ana", True),
    ("suspended learner", "ben", False),
    ("closed learner", "cy", False),
    ("shared account", "team-squad", True),
]


@pytest.mark.parametrize(("case", "component", "has_role"), ROLES_BY_STATUS, ids=[c[0] for c in ROLES_BY_STATUS])
def test_roles_per_status(role_plan: Plan, case: str, component: str, has_role: bool) -> None:
    roles = [item for item in role_plan.run.of_type(ROLE_TYPE) if item.name == f"{component}-admin-role"]
    assert len(roles) == (1 if has_role else 0)
    # The provider stays so that Pulumi can delete a role through it.
    assert named(role_plan, f"{component}-admin-provider").type == names.PROVIDER_TYPE


def test_no_assignments_in_role_mode(role_plan: Plan) -> None:
    assert role_plan.run.of_type(ASSIGNMENT_TYPE) == []


def trust_of(plan: Plan, component: str) -> dict[str, Any]:
    role = named(plan, f"{component}-admin-role")
    policy: dict[str, Any] = json.loads(role.inputs["assumeRolePolicy"])
    return policy


TRUSTED = [
    ("own account", "ana", PRINCIPALS["ana"]),
    ("shared account, active members only", "team-squad", sorted(PRINCIPALS["dee"] + PRINCIPALS["eli"])),
]


@pytest.mark.parametrize(("case", "component", "principals"), TRUSTED, ids=[c[0] for c in TRUSTED])
def test_trust_policy_principals(role_plan: Plan, case: str, component: str, principals: list[str]) -> None:
    statement = trust_of(role_plan, component)["Statement"][0]
    assert statement["Principal"] == {"AWS": principals}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Effect"] == "Allow"


def test_trust_policy_requires_mfa(role_plan: Plan) -> None:
    statement = trust_of(role_plan, "ana")["Statement"][0]
    assert statement["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_role_name_and_policy(role_plan: Plan) -> None:
    role = named(role_plan, "ana-admin-role")
    attachment = named(role_plan, "ana-admin-role-policy")
    assert role.inputs["name"] == "sbx-learner-admin"
    assert not role.inputs["name"].startswith("sbx-platform-")
    assert role.inputs["maxSessionDuration"] == 8 * 3600
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/AdministratorAccess"


@pytest.mark.parametrize("component", ["ana", "ben", "team-squad"])
def test_provider_role_arn_from_account_id(role_plan: Plan, component: str) -> None:
    provider = named(role_plan, f"{component}-admin-provider")
    account = named(role_plan, f"{component}-account")
    assume_roles = json.loads(provider.inputs["assumeRoles"])
    assert assume_roles[0]["roleArn"] == f"arn:aws:iam::{account.id}:role/{ACCESS_ROLE}"
    assert provider.inputs["region"] == "us-east-1"


def test_readiness_waits_for_account(role_plan: Plan) -> None:
    readiness = named(role_plan, "ana-admin-ready")
    account = named(role_plan, "ana-account")
    assert readiness.type == READINESS_TYPE
    assert readiness.inputs["role_arn"] == f"arn:aws:iam::{account.id}:role/{ACCESS_ROLE}"
    assert account.urn in readiness.dependencies


@pytest.mark.parametrize("component", ["ana", "team-squad"])
def test_readiness_before_account_resources(role_plan: Plan, component: str) -> None:
    readiness = named(role_plan, f"{component}-admin-ready")
    provider = named(role_plan, f"{component}-admin-provider")
    inside = [item for item in role_plan.run.registrations if item.name.startswith(f"{component}-admin-role")]
    assert len(inside) == 2  # the role and its policy attachment
    assert readiness.urn in provider.dependencies
    for item in inside:
        assert readiness.urn in item.dependencies, item.name


def test_role_boundary_and_deny_policy(run_plan: PlanFactory, roster: Path) -> None:
    plan = run_plan(
        roster=roster,
        permissionsBoundaryPolicyName="sandbox-boundary",
        learnerDenyPolicy=json.dumps(DENY_POLICY),
        **ROLE_SETTINGS,
    )
    account = named(plan, "ana-account")
    role = named(plan, "ana-admin-role")
    inline = named(plan, "ana-admin-role-deny")
    assert role.inputs["permissionsBoundary"] == f"arn:aws:iam::{account.id}:policy/sandbox-boundary"
    assert json.loads(inline.inputs["policy"]) == DENY_POLICY
    assert named(plan, "ana-admin-ready").urn in inline.dependencies


def test_missing_principals_fail_with_names(run_plan: PlanFactory, roster: Path) -> None:
    principals = {key: value for key, value in PRINCIPALS.items() if key not in ("ana", "eli")}
    with pytest.raises(pulumi.RunError) as caught:
        run_plan(roster=roster, accessMode="iam_role", identityAccountPrincipals=principals)
    message = str(caught.value)
    assert "learner 'ana' (team solo)" in message
    assert "learner 'eli' (team squad)" in message
    assert "learner 'ben'" not in message


def test_outputs_sign_in_url_role_mode(role_plan: Plan) -> None:
    account_id = named(role_plan, "team-squad-account").id
    learner = role_plan.run.outputs["learners"]["dee"]
    assert learner["access_mode"] == "iam_role"
    assert learner["sign_in_url"] == (
        f"https://signin.aws.amazon.com/switchrole?roleName=sbx-learner-admin&account={account_id}"
    )


def test_plan_rows_show_role_access(role_plan: Plan) -> None:
    access = {row.id: row.access for row in role_plan.learners}
    assert access["ana"] == ["admin-role"]
    assert access["dee"] == ["admin-role"]
    assert access["fay"] == []

"""Org and team stacks under the mock engine, with the org stack's outputs mocked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from components.sharding import OUTPUT_POLICY_IDS, qualified_stack_name
from tests.conftest import EXAMPLE_ROSTER, EXAMPLE_STACK, PROJECT_DIR
from vending import names
from vending.errors import ValidationError
from vending.mockrun import OfflineMocks, ProgramRun, run_program
from vending.plan import ATTACHMENT_TYPE, OU_TYPE, POLICY_TYPE, PlanInputs, engine_config, roster_user_names
from vending.settings import load_stack_file

REFERENCE_TYPE = "pulumi:pulumi:StackReference"
ORG_STACK = "organization/sandbox-vending/org"
TEAM = "platform-bootcamp"



@pytest.fixture(scope="module")
def org_run(tmp_path_factory: pytest.TempPathFactory) -> ProgramRun:
    return _run_kind(tmp_path_factory, None, stackKind="org")


@pytest.fixture(scope="module")
def team_run(tmp_path_factory: pytest.TempPathFactory, org_run: ProgramRun) -> ProgramRun:
    return _run_kind(tmp_path_factory, org_run.outputs, stackKind="team", orgStack="org", teams=[TEAM])


def guardrail_roster(directory: Path) -> Path:
    """The example roster with one team adding a guardrail and another relaxing one."""
    data = yaml.safe_load(EXAMPLE_ROSTER.read_text(encoding="utf-8"))
    for team in data["teams"]:
        if team["id"] == TEAM:
            team["guardrails"] = {"add": ["deny-iam-user-access-keys"]}
        if team["id"] == "ml-research":
            team["guardrails"] = {"relax": ["deny-ai-capacity"]}
    path = directory / "roster.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _run_kind(factory: pytest.TempPathFactory, outputs: dict[str, Any] | None, **overrides: Any) -> ProgramRun:
    directory = factory.mktemp("stack")
    roster_file = guardrail_roster(directory)
    data = yaml.safe_load(EXAMPLE_STACK.read_text(encoding="utf-8"))
    for key, value in overrides.items():
        data["config"][f"sandbox-vending:{key}"] = value
    stack_file = directory / "Pulumi.test.yaml"
    stack_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    inputs = PlanInputs(project_dir=PROJECT_DIR, stack_file=stack_file, roster=roster_file)
    _, roster, config = engine_config(inputs)
    mocks = OfflineMocks(user_names=roster_user_names(roster), stack_outputs={ORG_STACK: outputs or {}})
    return run_program(PROJECT_DIR, config, mocks)


def ou_names(run: ProgramRun) -> list[str]:
    return sorted(item.inputs["name"] for item in run.of_type(OU_TYPE))


def test_org_stack_shared_ous(org_run: ProgramRun) -> None:
    assert ou_names(org_run) == ["sbx-sandboxes", "sbx-suspended"]


def test_org_stack_no_learners(org_run: ProgramRun) -> None:
    assert org_run.of_type(names.LEARNER_TYPE) == []


def test_org_stack_exports(org_run: ProgramRun) -> None:
    expected = {
        "sandboxes_ou_id",
        "suspended_ou_id",
        "spend_topic_arn",
        "budget_action_role_arn",
        "spend_freeze_policy_id",
        "guardrail_policy_ids",
        "learner_permission_set_arn",
        "instructor_permission_set_arn",
    }
    assert set(org_run.outputs) == expected


def test_org_stack_policies(org_run: ProgramRun) -> None:
    exported = org_run.outputs[OUTPUT_POLICY_IDS]
    assert sorted(exported.values()) == sorted(item.id for item in org_run.of_type(POLICY_TYPE))


def test_org_stack_attaches_shared_ous_only(org_run: ProgramRun) -> None:
    targets = {item.inputs["targetId"] for item in org_run.of_type(ATTACHMENT_TYPE)}
    assert targets == {item.id for item in org_run.of_type(OU_TYPE)}


def test_team_stack_attaches_team_guardrails(org_run: ProgramRun, team_run: ProgramRun) -> None:
    (team_ou,) = team_run.of_type(OU_TYPE)
    attached = sorted(item.inputs["policyId"] for item in team_run.of_type(ATTACHMENT_TYPE))
    assert attached != []
    assert all(item.inputs["targetId"] == team_ou.id for item in team_run.of_type(ATTACHMENT_TYPE))
    assert set(attached) <= set(org_run.outputs[OUTPUT_POLICY_IDS].values())


def test_all_stack_attaches_same_team_guardrails(
    tmp_path_factory: pytest.TempPathFactory, team_run: ProgramRun
) -> None:
    all_run = _run_kind(tmp_path_factory, None)
    team_ou = next(item for item in all_run.of_type(OU_TYPE) if item.inputs["name"] == f"sbx-{TEAM}")
    # Attachments are named <component>-<policy key>-team-<team id>; the policy keys must match.
    expected = sorted(
        item.name.removeprefix("guardrails-")
        for item in all_run.of_type(ATTACHMENT_TYPE)
        if item.inputs["targetId"] == team_ou.id
    )
    assert sorted(item.name.removeprefix("teams-") for item in team_run.of_type(ATTACHMENT_TYPE)) == expected


def test_team_stack_reads_org_stack(team_run: ProgramRun) -> None:
    reference = team_run.by_name("org-stack", REFERENCE_TYPE)
    assert reference.inputs["name"] == ORG_STACK


def test_team_stack_team_ous(team_run: ProgramRun) -> None:
    assert ou_names(team_run) == [f"sbx-{TEAM}"]


def test_team_ou_under_org_sandboxes(org_run: ProgramRun, team_run: ProgramRun) -> None:
    (team_ou,) = team_run.of_type(OU_TYPE)
    assert team_ou.inputs["parentId"] == org_run.outputs["sandboxes_ou_id"]


def test_team_stack_learners(team_run: ProgramRun) -> None:
    teams = {item.inputs["tags"]["Team"] for item in team_run.of_type(names.ACCOUNT_TYPE)}
    assert teams == {TEAM}


def test_team_stack_declares_no_shared(team_run: ProgramRun) -> None:
    for token in (POLICY_TYPE, "aws:sns/topic:Topic", "aws:iam/role:Role", "aws:ssoadmin/permissionSet:PermissionSet"):
        assert team_run.of_type(token) == [], token


def test_team_stack_uses_org_ids(org_run: ProgramRun, team_run: ProgramRun) -> None:
    suspended = team_run.by_name("tjohnson-account", names.ACCOUNT_TYPE)
    action = team_run.by_name("obrien-hard-stop", "aws:budgets/budgetAction:BudgetAction")
    assert suspended.inputs["parentId"] == org_run.outputs["suspended_ou_id"]
    assert action.inputs["executionRoleArn"] == org_run.outputs["budget_action_role_arn"]
    assert action.inputs["definition"]["scpActionDefinition"]["policyId"] == org_run.outputs["spend_freeze_policy_id"]


def test_team_stack_assignments(org_run: ProgramRun, team_run: ProgramRun) -> None:
    assignment = team_run.by_name("obrien-learner-access", "aws:ssoadmin/accountAssignment:AccountAssignment")
    assert assignment.inputs["permissionSetArn"] == org_run.outputs["learner_permission_set_arn"]


def test_team_stack_without_org_outputs(tmp_path_factory: pytest.TempPathFactory) -> None:
    with pytest.raises(pulumi.RunError, match="has no output"):
        _run_kind(tmp_path_factory, {}, stackKind="team", orgStack="org", teams=[TEAM])


@pytest.mark.parametrize(
    ("org_stack", "expected"),
    [("org", ORG_STACK), ("acme/sandbox-vending/org", "acme/sandbox-vending/org")],
    ids=["bare", "qualified"],
)
def test_qualified_stack_name(org_stack: str, expected: str) -> None:
    assert qualified_stack_name(org_stack) == expected


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"stackKind": "team", "teams": [TEAM]}, "needs orgStack"),
        ({"stackKind": "team", "orgStack": "org"}, "needs teams"),
        ({"stackKind": "org", "teams": [TEAM]}, "manages no teams"),
        ({"stackKind": "region"}, "stackKind"),
    ],
    ids=["team-without-org", "team-without-teams", "org-with-teams", "unknown-kind"],
)
def test_stack_kind_settings(write_stack: Callable[..., Path], overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        load_stack_file(write_stack(**overrides))

"""Each learner's sandbox under the mock engine: account, access, budget, hard stop, alarm."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_ROSTER, PlanFactory
from vending import names
from vending.mockrun import OUTPUT_STR_MARKER
from vending.plan import ACTION_TYPE, ALARM_TYPE, ASSIGNMENT_TYPE, BUDGET_TYPE, OU_TYPE, Plan


def children_by_type(plan: Plan, learner_id: str) -> dict[str, list]:  # type: ignore[type-arg]
    component = plan.run.by_name(learner_id, names.LEARNER_TYPE)
    grouped: dict[str, list] = {}  # type: ignore[type-arg]
    for child in plan.run.children_of(component):
        grouped.setdefault(child.type, []).append(child)
    return grouped


def ou_id(plan: Plan, name: str) -> str:
    return next(item.id for item in plan.run.of_type(OU_TYPE) if item.inputs["name"] == name)


def test_active_learner_resources(example_plan: Plan) -> None:
    children = children_by_type(example_plan, "jdoe")
    assert len(children[names.ACCOUNT_TYPE]) == 1
    assert len(children[BUDGET_TYPE]) == 1
    assert len(children[ACTION_TYPE]) == 1
    assert len(children[ALARM_TYPE]) == 1
    assert len(children[ASSIGNMENT_TYPE]) == 2  # the learner and one instructor


def test_account_inputs(example_plan: Plan) -> None:
    account = example_plan.run.by_name("jdoe-account", names.ACCOUNT_TYPE)
    assert account.inputs["email"] == "aws-sandbox+jdoe@example.com"
    assert account.inputs["name"] == "sbx-jdoe"
    assert account.inputs["closeOnDeletion"] is True
    assert account.inputs["parentId"] == ou_id(example_plan, "sbx-data-eng-2027q1")
    assert account.inputs["tags"] == {
        "ManagedBy": "sandbox-vending",
        "Team": "data-eng-2027q1",
        "Learner": "jdoe",
        "Expires": "2027-03-31",
    }


def test_account_protect_and_ignore_changes(example_plan: Plan) -> None:
    account = example_plan.run.by_name("jdoe-account", names.ACCOUNT_TYPE)
    assert account.protect is True
    assert account.ignore_changes == ["roleName", "iamUserAccessToBilling"]
    assert account.delete_timeout == "4h"


def test_closed_learner_unprotected(example_plan: Plan) -> None:
    account = example_plan.run.by_name("tjohnson-account", names.ACCOUNT_TYPE)
    assert account.protect is False
    assert account.inputs["parentId"] == ou_id(example_plan, "sbx-suspended")
    assert ASSIGNMENT_TYPE not in children_by_type(example_plan, "tjohnson")


def test_suspended_learner_keeps_controls(example_plan: Plan) -> None:
    account = example_plan.run.by_name("kwong-account", names.ACCOUNT_TYPE)
    children = children_by_type(example_plan, "kwong")
    assert account.protect is True
    assert account.inputs["parentId"] == ou_id(example_plan, "sbx-suspended")
    assert ASSIGNMENT_TYPE not in children
    assert len(children[BUDGET_TYPE]) == 1
    assert len(children[ALARM_TYPE]) == 1


def test_spend_controls_not_protected(example_plan: Plan) -> None:
    children = children_by_type(example_plan, "jdoe")
    for token in (BUDGET_TYPE, ACTION_TYPE, ALARM_TYPE, ASSIGNMENT_TYPE):
        assert all(child.protect is False for child in children[token]), token


def test_budget_filter_and_notifications(example_plan: Plan) -> None:
    budget = children_by_type(example_plan, "jdoe")[BUDGET_TYPE][0]
    account = example_plan.run.by_name("jdoe-account", names.ACCOUNT_TYPE)
    assert budget.inputs["costFilters"] == [{"name": "LinkedAccount", "values": [account.id]}]
    assert budget.inputs["budgetType"] == "COST"
    assert budget.inputs["timeUnit"] == "MONTHLY"
    assert budget.inputs["limitAmount"] == "75.00"
    assert budget.inputs["costTypes"] == {"includeCredit": False, "includeRefund": False}
    kinds = sorted((item["notificationType"], item["threshold"]) for item in budget.inputs["notifications"])
    assert kinds == [("ACTUAL", 50.0), ("ACTUAL", 80.0), ("ACTUAL", 100.0), ("FORECASTED", 100.0)]
    first = budget.inputs["notifications"][0]
    assert first["subscriberEmailAddresses"] == [
        "cloud-ops@example.com",
        "jane.doe@example.com",
        "lead.data@example.com",
    ]
    assert first["subscriberSnsTopicArns"] == ["arn:aws:sns:us-east-1:111111111111:sbx-spend-alerts"]


def test_budget_amount_override_order(example_plan: Plan) -> None:
    amounts = {row.id: row.budget_usd for row in example_plan.learners}
    assert amounts["mgarcia"] == 150  # learner
    assert amounts["jdoe"] == 75  # team
    assert amounts["obrien"] == 50  # defaults


def test_hard_stop_action(example_plan: Plan) -> None:
    action = children_by_type(example_plan, "jdoe")[ACTION_TYPE][0]
    account = example_plan.run.by_name("jdoe-account", names.ACCOUNT_TYPE)
    freeze = example_plan.run.by_name("guardrails-spend-freeze")
    role = example_plan.run.by_name("spend-budget-action-role")
    assert action.inputs["actionType"] == "APPLY_SCP_POLICY"
    assert action.inputs["approvalModel"] == "AUTOMATIC"
    assert action.inputs["actionThreshold"] == {"actionThresholdType": "PERCENTAGE", "actionThresholdValue": 100.0}
    assert action.inputs["definition"]["scpActionDefinition"] == {"policyId": freeze.id, "targetIds": [account.id]}
    assert action.inputs["executionRoleArn"] == role.outputs["arn"]


def test_billing_alarm(example_plan: Plan) -> None:
    alarm = children_by_type(example_plan, "jdoe")[ALARM_TYPE][0]
    account = example_plan.run.by_name("jdoe-account", names.ACCOUNT_TYPE)
    assert alarm.inputs["namespace"] == "AWS/Billing"
    assert alarm.inputs["metricName"] == "EstimatedCharges"
    assert alarm.inputs["dimensions"] == {"Currency": "USD", "LinkedAccount": account.id}
    assert alarm.inputs["region"] == "us-east-1"
    assert alarm.inputs["threshold"] == 60.0
    assert alarm.inputs["treatMissingData"] == "notBreaching"
    assert alarm.inputs["alarmActions"] == ["arn:aws:sns:us-east-1:111111111111:sbx-spend-alerts"]


def test_assignment_targets_account(example_plan: Plan) -> None:
    assignments = children_by_type(example_plan, "jdoe")[ASSIGNMENT_TYPE]
    account = example_plan.run.by_name("jdoe-account", names.ACCOUNT_TYPE)
    learner_set = example_plan.run.by_name("access-learner")
    learner_assignment = next(item for item in assignments if item.name == "jdoe-learner-access")
    assert learner_assignment.inputs["targetId"] == account.id
    assert learner_assignment.inputs["targetType"] == "AWS_ACCOUNT"
    assert learner_assignment.inputs["principalType"] == "USER"
    assert learner_assignment.inputs["permissionSetArn"] == learner_set.outputs["arn"]


def test_no_output_formatted_as_string(example_plan: Plan) -> None:
    text = example_plan.to_json()
    assert OUTPUT_STR_MARKER not in text


def test_outputs_per_learner(example_plan: Plan) -> None:
    learners = example_plan.run.outputs["learners"]
    assert set(learners) == {row.id for row in example_plan.learners}
    assert learners["jdoe"]["team"] == "data-eng-2027q1"
    assert learners["jdoe"]["status"] == "active"
    assert learners["jdoe"]["budget_usd"] == 75
    assert learners["jdoe"]["expires"] == "2027-03-31"
    assert learners["jdoe"]["account_id"] == example_plan.run.by_name("jdoe-account", names.ACCOUNT_TYPE).id


def test_reordering_roster_changes_nothing(
    run_plan: PlanFactory, write_roster: Callable[[str], Path], example_plan: Plan
) -> None:
    import yaml

    data = yaml.safe_load(EXAMPLE_ROSTER.read_text(encoding="utf-8"))
    data["teams"].reverse()
    for team in data["teams"]:
        team["learners"].reverse()
    reordered = run_plan(roster=write_roster(yaml.safe_dump(data)))

    def index(plan: Plan) -> dict[str, dict]:  # type: ignore[type-arg]
        return {item.urn: item.inputs for item in plan.run.registrations}

    assert index(reordered) == index(example_plan)


MISSING_USERS = [
    ("learner", "sobrien", "learner 'obrien' (team platform-bootcamp): user name 'sobrien'"),
    ("instructor", "lead.ml@example.com", "instructor of team 'ml-research': user name 'lead.ml@example.com'"),
]


@pytest.mark.parametrize(("case", "user", "expected"), MISSING_USERS, ids=[c[0] for c in MISSING_USERS])
def test_missing_user_fails_with_names(run_plan: PlanFactory, case: str, user: str, expected: str) -> None:
    import pulumi

    with pytest.raises(pulumi.RunError) as caught:
        run_plan(missing_users=frozenset({user}))
    assert expected in str(caught.value)


def test_expired_learner_suspended(run_plan: PlanFactory) -> None:
    plan = run_plan(today="2027-01-20")
    row = next(row for row in plan.learners if row.id == "efischer")
    assert row.status == "suspended"
    assert row.status_reason == "expired on 2027-01-15"
    assert row.ou == "sbx-suspended"
    assert row.access == []

"""Reversing a learner's spend freeze.

moto does not implement budget actions, so botocore Stubbers return every
STS and Budgets response here. A Stubber also fails the test on any call it
does not expect, such as an ExecuteBudgetAction that must not happen.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from vending.aws.clients import AwsClients
from vending.aws.unfreeze import StillOverBudgetError, threshold_amount, unfreeze
from vending.errors import VendingError
from vending.roster import Learner, Roster

ACCOUNT = "123456789012"
LEARNER_ACCOUNT = "333333333333"
ACTION_ID = "12345678-1234-1234-1234-123456789012"
POLICY_ID = "p-spendfreeze"
BUDGET = "sbx-jdoe"


@pytest.fixture
def stubbed() -> Iterator[tuple[AwsClients, Stubber]]:
    clients = AwsClients(boto3.Session(region_name="us-east-1"), "us-east-1")
    sts = Stubber(clients.sts)
    sts.add_response("get_caller_identity", {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:root",
                                             "UserId": "AIDEXAMPLE"})
    budgets = Stubber(clients.budgets)
    with sts, budgets:
        yield clients, budgets
        budgets.assert_no_pending_responses()


@pytest.fixture
def jdoe(roster: Roster) -> Learner:
    return roster.learner("jdoe")


def budget_response(limit: float, actual: float) -> dict[str, Any]:
    return {"Budget": {
        "BudgetName": BUDGET, "BudgetType": "COST", "TimeUnit": "MONTHLY",
        "BudgetLimit": {"Amount": str(limit), "Unit": "USD"},
        "CalculatedSpend": {"ActualSpend": {"Amount": str(actual), "Unit": "USD"}},
    }}


def action(status: str, threshold: float = 100, threshold_type: str = "PERCENTAGE") -> dict[str, Any]:
    return {
        "ActionId": ACTION_ID, "BudgetName": BUDGET, "NotificationType": "ACTUAL", "ActionType": "APPLY_SCP_POLICY",
        "ActionThreshold": {"ActionThresholdValue": threshold, "ActionThresholdType": threshold_type},
        "Definition": {"ScpActionDefinition": {"PolicyId": POLICY_ID, "TargetIds": [LEARNER_ACCOUNT]}},
        "ExecutionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/sbx-platform-budget-action",
        "ApprovalModel": "AUTOMATIC", "Status": status,
        "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "ops@example.com"}],
    }


def expect_reads(budgets: Stubber, limit: float, actual: float, actions: list[dict[str, Any]]) -> None:
    budgets.add_response("describe_budget", budget_response(limit, actual),
                         {"AccountId": ACCOUNT, "BudgetName": BUDGET})
    budgets.add_response("describe_budget_actions_for_budget", {"Actions": actions},
                         {"AccountId": ACCOUNT, "BudgetName": BUDGET})


def expect_reverse(budgets: Stubber) -> None:
    params = {"AccountId": ACCOUNT, "BudgetName": BUDGET, "ActionId": ACTION_ID,
              "ExecutionType": "REVERSE_BUDGET_ACTION"}
    budgets.add_response("execute_budget_action", dict(params), params)


def test_frozen_action_reversed(stubbed: tuple[AwsClients, Stubber], jdoe: Learner) -> None:
    clients, budgets = stubbed
    expect_reads(budgets, limit=150, actual=80, actions=[action("EXECUTION_SUCCESS")])
    expect_reverse(budgets)

    result = unfreeze(clients, "sbx", jdoe)

    assert result.reversed_any
    assert result.outcomes[0].policy_id == POLICY_ID
    assert result.outcomes[0].target_ids == (LEARNER_ACCOUNT,)


@pytest.mark.parametrize("status", ["STANDBY", "PENDING", "REVERSE_SUCCESS", "EXECUTION_FAILURE"])
def test_not_frozen_left_alone(stubbed: tuple[AwsClients, Stubber], jdoe: Learner, status: str) -> None:
    clients, budgets = stubbed
    expect_reads(budgets, limit=75, actual=10, actions=[action(status)])

    result = unfreeze(clients, "sbx", jdoe)

    assert not result.reversed_any
    assert result.outcomes[0].status == status


def test_no_actions_at_all(stubbed: tuple[AwsClients, Stubber], jdoe: Learner) -> None:
    clients, budgets = stubbed
    expect_reads(budgets, limit=75, actual=10, actions=[])

    assert unfreeze(clients, "sbx", jdoe).outcomes == []


@pytest.mark.parametrize(("limit", "actual"), [(75, 75), (75, 90.5)], ids=["at-limit", "over-limit"])
def test_still_over_budget_rejected(stubbed: tuple[AwsClients, Stubber], jdoe: Learner, limit: float,
                                    actual: float) -> None:
    clients, budgets = stubbed
    expect_reads(budgets, limit=limit, actual=actual, actions=[action("EXECUTION_SUCCESS")])

    with pytest.raises(StillOverBudgetError, match="would apply again"):
        unfreeze(clients, "sbx", jdoe)


def test_roster_ahead_of_live_budget(stubbed: tuple[AwsClients, Stubber], jdoe: Learner) -> None:
    clients, budgets = stubbed
    # The roster budget is 75 but the live budget is still 50, because pulumi up has not run yet.
    expect_reads(budgets, limit=50, actual=60, actions=[action("EXECUTION_SUCCESS")])

    with pytest.raises(StillOverBudgetError, match="run pulumi up first"):
        unfreeze(clients, "sbx", jdoe)


def test_force_reverses_anyway(stubbed: tuple[AwsClients, Stubber], jdoe: Learner) -> None:
    clients, budgets = stubbed
    expect_reads(budgets, limit=75, actual=90, actions=[action("EXECUTION_SUCCESS")])
    expect_reverse(budgets)

    assert unfreeze(clients, "sbx", jdoe, force=True).reversed_any


def test_dry_run_changes_nothing(stubbed: tuple[AwsClients, Stubber], jdoe: Learner) -> None:
    clients, budgets = stubbed
    expect_reads(budgets, limit=150, actual=80, actions=[action("EXECUTION_SUCCESS")])

    result = unfreeze(clients, "sbx", jdoe, dry_run=True)

    assert not result.reversed_any
    assert "dry run" in result.outcomes[0].message


def test_missing_budget_rejected(stubbed: tuple[AwsClients, Stubber], jdoe: Learner) -> None:
    clients, budgets = stubbed
    budgets.add_client_error("describe_budget", service_error_code="NotFoundException")

    with pytest.raises(VendingError, match="budget sbx-jdoe not found"):
        unfreeze(clients, "sbx", jdoe)


@pytest.mark.parametrize(
    ("threshold", "threshold_type", "expected"),
    [(100, "PERCENTAGE", 80.0), (50, "PERCENTAGE", 40.0), (65, "ABSOLUTE_VALUE", 65.0)],
    ids=["percent-100", "percent-50", "absolute"],
)
def test_threshold_amount(threshold: float, threshold_type: str, expected: float) -> None:
    assert threshold_amount(action("STANDBY", threshold, threshold_type), 80) == expected

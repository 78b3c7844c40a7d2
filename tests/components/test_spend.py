"""Shared spend controls: the alert topic, its policy and subscriptions, and the budget action role."""

from __future__ import annotations

import json

from vending.mockrun import MANAGEMENT_ACCOUNT_ID
from vending.plan import Plan


def statements(document: str) -> list[dict]:  # type: ignore[type-arg]
    return json.loads(document)["Statement"]  # type: ignore[no-any-return]


def test_topic_in_billing_region(example_plan: Plan) -> None:
    topic = example_plan.run.by_name("spend-topic")
    assert topic.inputs["name"] == "sbx-spend-alerts"
    assert topic.inputs["region"] == "us-east-1"


def test_topic_policy_principals(example_plan: Plan) -> None:
    policy = example_plan.run.by_name("spend-topic-policy")
    found = statements(policy.inputs["policy"])
    services = sorted(statement["Principal"]["Service"] for statement in found)
    assert services == ["budgets.amazonaws.com", "cloudwatch.amazonaws.com"]
    for statement in found:
        assert statement["Action"] == "SNS:Publish"
        assert statement["Resource"] == example_plan.run.by_name("spend-topic").outputs["arn"]
        assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": MANAGEMENT_ACCOUNT_ID}}


def test_ops_email_subscriptions(example_plan: Plan) -> None:
    subscriptions = example_plan.run.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert [item.inputs["endpoint"] for item in subscriptions] == ["cloud-ops@example.com"]
    assert subscriptions[0].inputs["protocol"] == "email"


def test_action_role_trusts_budgets(example_plan: Plan) -> None:
    role = example_plan.run.by_name("spend-budget-action-role")
    (trust,) = statements(role.inputs["assumeRolePolicy"])
    assert role.inputs["name"] == "sbx-platform-budget-action"
    assert trust["Principal"] == {"Service": "budgets.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": MANAGEMENT_ACCOUNT_ID}}


def test_action_role_may_only_attach_freeze(example_plan: Plan) -> None:
    policy = example_plan.run.by_name("spend-budget-action-policy")
    freeze_arn = example_plan.run.by_name("guardrails-spend-freeze").outputs["arn"]
    apply = next(item for item in statements(policy.inputs["policy"]) if item["Sid"] == "ApplySpendFreeze")
    assert apply["Action"] == ["organizations:AttachPolicy", "organizations:DetachPolicy"]
    assert apply["Resource"][0] == freeze_arn


def test_action_role_policy_passes_parliament(example_plan: Plan) -> None:
    from parliament import analyze_policy_string

    policy = example_plan.run.by_name("spend-budget-action-policy")
    findings = analyze_policy_string(policy.inputs["policy"]).findings
    assert [finding.issue for finding in findings] == []

"""Parliament finds nothing, beyond commented allowances, on every compiled policy."""

from __future__ import annotations

import pytest
from guardrail_helpers import make_settings, make_team

from vending.guardrails.compiler import CompiledPolicy, GuardrailPlan, plan_guardrails
from vending.guardrails.lint import ALLOWANCES, lint_policy
from vending.guardrails.packing import policy_document


def policy_with(statement: dict[str, object]) -> CompiledPolicy:
    content = policy_document([statement])
    return CompiledPolicy("test-1", "test-1", "test", content, ("test",), len(content))


def unallowed(policy: CompiledPolicy) -> list[str]:
    return [str(finding) for finding in lint_policy(policy) if not finding.allowed_because]


def test_example_plan_is_clean(plan: GuardrailPlan) -> None:
    findings = [finding for policy in plan.all_policies() for finding in unallowed(policy)]
    assert findings == []


def test_opt_in_guardrail_is_clean() -> None:
    result = plan_guardrails(make_settings(), [make_team("alpha", add=("deny-iam-user-access-keys",))])
    assert unallowed(result.teams["alpha"][0]) == []


@pytest.mark.parametrize("key", ["deny_all", "spend_freeze"])
def test_special_policy_is_clean(plan: GuardrailPlan, key: str) -> None:
    assert unallowed(getattr(plan, key)) == []


def test_unknown_action_is_found() -> None:
    policy = policy_with({"Sid": "Bad", "Effect": "Deny", "Action": "ec2:LaunchRocket", "Resource": "*"})
    assert any("UNKNOWN_ACTION" in finding for finding in unallowed(policy))


def test_wrong_condition_key_is_found() -> None:
    policy = policy_with({"Sid": "Bad", "Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*",
                          "Condition": {"StringNotLike": {"ec2:InstanceFamily": "t3"}}})
    assert any("UNKNOWN_CONDITION_FOR_ACTION" in finding for finding in unallowed(policy))


def test_every_allowance_is_used(plan: GuardrailPlan) -> None:
    reasons = {finding.allowed_because for policy in plan.all_policies() for finding in lint_policy(policy)}
    assert {allowance.reason for allowance in ALLOWANCES} <= reasons

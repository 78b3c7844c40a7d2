"""Monthly cost estimate of budgets, budget actions and alarms."""

from __future__ import annotations

import pytest

from vending.costs import control_costs
from vending.plan import Plan


@pytest.mark.parametrize(
    ("action_budgets", "alarms", "action_usd", "alarm_usd"),
    [(2, 10, 0.0, 0.0), (3, 11, 2.93, 0.1), (100, 100, 298.2, 9.0)],
    ids=["within free allowances", "one over", "hundred learners"],
)
def test_control_costs(action_budgets: int, alarms: int, action_usd: float, alarm_usd: float) -> None:
    lines = {line.item: line for line in control_costs(action_budgets, action_budgets, alarms)}
    assert lines["action-enabled budgets"].monthly_usd == action_usd
    assert lines["billing alarms"].monthly_usd == alarm_usd


def test_plan_reports_control_costs(example_plan: Plan) -> None:
    lines = {line.item: line for line in example_plan.costs}
    assert lines["action-enabled budgets"].count == 12
    assert lines["billing alarms"].count == 12

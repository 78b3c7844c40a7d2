"""Monthly cost of the spend controls themselves, estimated from the plan.

Prices are list prices in USD for the management account, checked on
2026-12-04. They change, so every figure is labelled an estimate.

- AWS Budgets: the AWS Price List offer file for AWSBudgets (read from the
  copy in the huggingface.co dataset labofsahil/aws-pricing-dataset,
  AWSBudgets.csv). Budgets without actions cost $0.00 per budget-day.
  Action-enabled budgets are free for the first 62 budget-days a month (two
  budgets) and cost $0.10 per budget-day after that.
- Amazon CloudWatch: a standard-resolution metric alarm costs $0.10 a month
  (c3x.dev cost guide for aws_cloudwatch_metric_alarm, a third-party summary).
  NOTE: the 10 free alarms are the AWS free tier as commonly stated; no source
  was opened for that figure, so check aws.amazon.com/cloudwatch/pricing/.
- Amazon SNS email delivery is left out: a few alerts a month per learner
  cost next to nothing (an estimate, not a looked-up price).
"""

from __future__ import annotations

from dataclasses import dataclass

ACTION_BUDGET_DAY_USD = 0.10
FREE_ACTION_BUDGET_DAYS = 62
ALARM_MONTH_USD = 0.10
FREE_ALARMS = 10
# Average days in a month (365.25 / 12), for budget-day charges.
DAYS_PER_MONTH = 30.44


@dataclass(frozen=True)
class CostLine:
    item: str
    count: int
    monthly_usd: float
    basis: str


def control_costs(budgets: int, action_budgets: int, alarms: int) -> list[CostLine]:
    """Estimate the monthly cost of ``budgets`` budgets (``action_budgets`` with actions) and ``alarms`` alarms.

    Free allowances are per payer account, so other budgets or alarms already
    in the management account use them up first; the figures assume none.
    """
    budget_days = action_budgets * DAYS_PER_MONTH
    billable_days = max(0.0, budget_days - FREE_ACTION_BUDGET_DAYS)
    billable_alarms = max(0, alarms - FREE_ALARMS)
    return [
        CostLine("budgets without actions", budgets - action_budgets, 0.0, "no charge"),
        CostLine(
            "action-enabled budgets",
            action_budgets,
            round(billable_days * ACTION_BUDGET_DAY_USD, 2),
            f"${ACTION_BUDGET_DAY_USD:.2f} per budget-day after {FREE_ACTION_BUDGET_DAYS} free budget-days",
        ),
        CostLine(
            "billing alarms",
            alarms,
            round(billable_alarms * ALARM_MONTH_USD, 2),
            f"${ALARM_MONTH_USD:.2f} per alarm-month after {FREE_ALARMS} free alarms",
        ),
    ]

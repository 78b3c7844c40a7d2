"""Monthly cost of the spend controls themselves, estimated from the plan.

Prices are list prices in USD for the management account, checked on
2026-12-04. They change, so every figure is labelled an estimate.

- AWS Budgets, from the AWS Price List offer file for AWSBudgets
  (pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSBudgets/current/index.csv,
  also summarised at aws.amazon.com/aws-cost-management/aws-budgets/pricing/):
  budgets without actions cost $0.00 per budget-day; action-enabled budgets
  are free for the first 62 budget-days a month (two budgets) and $0.10 per
  budget-day after that.
- Amazon CloudWatch (aws.amazon.com/cloudwatch/pricing/): a standard-resolution
  metric alarm costs $0.10 a month; the free tier covers 10 alarms per account.
- Amazon SNS (aws.amazon.com/sns/pricing/): the first 1,000 email deliveries a
  month are free, then $2.00 per 100,000; alerts stay far below that, so email
  delivery is left out.
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

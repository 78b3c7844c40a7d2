"""AWS Budgets reads and budget action execution for learner budgets."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from vending.aws.clients import AwsClients, aws_call, error_code, paginate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BudgetSpend:
    """A budget's limit and this period's spend, in the budget's unit (USD here)."""

    name: str
    limit: float
    actual: float
    forecast: float | None
    unit: str


def read_budget(clients: AwsClients, account_id: str, budget_name: str) -> BudgetSpend | None:
    """Return the limit and spend of ``budget_name`` in ``account_id``, or None when the budget does not exist."""
    subject = f"budget {budget_name} in account {account_id}"
    with aws_call("budgets:ViewBudget", subject):
        try:
            budget = clients.budgets.describe_budget(AccountId=account_id, BudgetName=budget_name)["Budget"]
        except ClientError as error:
            if error_code(error) == "NotFoundException":
                log.info("%s not found", subject)
                return None
            raise
    limit = budget.get("BudgetLimit", {})
    spend = budget.get("CalculatedSpend", {})
    forecast = spend.get("ForecastedSpend")
    return BudgetSpend(
        name=budget_name,
        limit=float(limit.get("Amount", 0)),
        actual=float(spend.get("ActualSpend", {}).get("Amount", 0)),
        forecast=float(forecast["Amount"]) if forecast else None,
        unit=str(limit.get("Unit", "USD")),
    )


def list_budget_actions(clients: AwsClients, account_id: str, budget_name: str) -> list[dict[str, Any]]:
    return list(paginate(clients.budgets, "describe_budget_actions_for_budget", "Actions",
                         "budgets:DescribeBudgetActionsForBudget", f"budget {budget_name} in account {account_id}",
                         AccountId=account_id, BudgetName=budget_name))


def execute_budget_action(clients: AwsClients, account_id: str, budget_name: str, action_id: str,
                          execution_type: str) -> None:
    log.info("running %s on action %s of budget %s in account %s", execution_type, action_id, budget_name, account_id)
    with aws_call("budgets:ExecuteBudgetAction", f"action {action_id} of budget {budget_name}"):
        clients.budgets.execute_budget_action(AccountId=account_id, BudgetName=budget_name, ActionId=action_id,
                                              ExecutionType=execution_type)

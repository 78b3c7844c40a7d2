"""Reverse the spend-freeze budget action of one learner for the current budget period.

A learner's budget action attaches the spend-freeze SCP to their account when
actual spend reaches the hard limit. After an operator raises ``budget_usd``
and runs ``pulumi up``, ExecuteBudgetAction with REVERSE_BUDGET_ACTION detaches
it again. Execution types are listed in the Budgets API reference,
https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_ExecuteBudgetAction.html
and action statuses in the ActionStatus enum of the botocore 1.44 budgets model.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from vending import names
from vending.aws.budgets import BudgetSpend, execute_budget_action, list_budget_actions, read_budget
from vending.aws.clients import AwsClients, aws_call
from vending.errors import VendingError
from vending.roster import Learner

log = logging.getLogger(__name__)

REVERSE = "REVERSE_BUDGET_ACTION"
# The action ran and its SCP is attached: the only status that REVERSE_BUDGET_ACTION undoes.
APPLIED = "EXECUTION_SUCCESS"
# Operator-facing meaning of every other status.
STATUS_MEANING = {
    "STANDBY": "not triggered, nothing is frozen",
    "PENDING": "triggered and waiting for manual approval, so nothing is attached yet",
    "EXECUTION_IN_PROGRESS": "the freeze is being applied; run this again in a few minutes",
    "EXECUTION_FAILURE": "the freeze failed to apply, so nothing is attached; check the action history",
    "REVERSE_IN_PROGRESS": "a reversal is already running",
    "REVERSE_SUCCESS": "already reversed for this period",
    "REVERSE_FAILURE": "an earlier reversal failed; check the action's history in the console",
    "RESET_IN_PROGRESS": "the action is being reset",
    "RESET_FAILURE": "a reset failed; check the action's history in the console",
}


class StillOverBudgetError(VendingError):
    """Spend still reaches the action's threshold, so a reversed freeze would apply again."""


@dataclass(frozen=True)
class ActionOutcome:
    """The finding or change of ``unfreeze`` for one budget action."""

    action_id: str
    status: str
    policy_id: str
    target_ids: tuple[str, ...]
    reversed: bool
    message: str


@dataclass
class UnfreezeResult:
    learner_id: str
    budget_name: str
    management_account_id: str
    spend: BudgetSpend
    outcomes: list[ActionOutcome] = field(default_factory=list)

    @property
    def reversed_any(self) -> bool:
        return any(outcome.reversed for outcome in self.outcomes)


def unfreeze(clients: AwsClients, prefix: str, learner: Learner, force: bool = False,
             dry_run: bool = False) -> UnfreezeResult:
    """Reverse every applied budget action on ``learner``'s budget.

    Raises ``StillOverBudgetError`` before changing anything when actual spend
    still reaches an applied action's threshold, unless ``force`` is set.
    ``dry_run`` reports what would be reversed without calling ExecuteBudgetAction.
    """
    with aws_call("sts:GetCallerIdentity"):
        account_id = str(clients.sts.get_caller_identity()["Account"])
    budget_name = names.budget(prefix, learner.id)
    spend = read_budget(clients, account_id, budget_name)
    if spend is None:
        raise VendingError(f"budget {budget_name} not found in account {account_id}; budget actions live in the "
                           "management account, so run this with its credentials after pulumi up")

    result = UnfreezeResult(learner.id, budget_name, account_id, spend)
    actions = list_budget_actions(clients, account_id, budget_name)
    applied = [action for action in actions if action.get("Status") == APPLIED]
    for action in actions:
        if action.get("Status") != APPLIED:
            meaning = STATUS_MEANING.get(action.get("Status", ""), "unknown status")
            result.outcomes.append(_outcome(action, False, meaning))
    if not applied:
        return result

    if not force:
        _check_spend_below_thresholds(learner, spend, applied)
    for action in applied:
        if dry_run:
            result.outcomes.append(_outcome(action, False, "applied; would be reversed (dry run)"))
            continue
        execute_budget_action(clients, account_id, budget_name, action["ActionId"], REVERSE)
        result.outcomes.append(_outcome(action, True, "reversal requested; the SCP is detached within minutes"))
    return result


def threshold_amount(action: dict[str, Any], budget_limit: float) -> float:
    """Return the spend at which ``action`` triggers, in the budget's unit."""
    threshold = action.get("ActionThreshold", {})
    value = float(threshold.get("ActionThresholdValue", 100))
    if threshold.get("ActionThresholdType") == "ABSOLUTE_VALUE":
        return value
    return budget_limit * value / 100


def _check_spend_below_thresholds(learner: Learner, spend: BudgetSpend, applied: list[dict[str, Any]]) -> None:
    for action in applied:
        trigger = threshold_amount(action, spend.limit)
        if spend.actual < trigger:
            continue
        message = (f"learner {learner.id}: actual spend {spend.actual:.2f} {spend.unit} still reaches the freeze "
                   f"threshold {trigger:.2f} {spend.unit} of action {action['ActionId']} "
                   f"(budget limit {spend.limit:.2f}), so the freeze would apply again")
        if learner.budget_usd > spend.limit:
            message += (f". The roster budget is {learner.budget_usd:.2f} USD but the live budget is "
                        f"{spend.limit:.2f}: run pulumi up first")
        else:
            message += ". Raise budget_usd in the roster and run pulumi up first"
        raise StillOverBudgetError(message + ", or pass --force to reverse it anyway")


def _outcome(action: dict[str, Any], reversed_now: bool, message: str) -> ActionOutcome:
    scp = action.get("Definition", {}).get("ScpActionDefinition", {})
    return ActionOutcome(
        action_id=str(action.get("ActionId", "")),
        status=str(action.get("Status", "")),
        policy_id=str(scp.get("PolicyId", "")),
        target_ids=tuple(scp.get("TargetIds", [])),
        reversed=reversed_now,
        message=message,
    )

"""Compare the roster with the live organization, learner by learner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from vending import names
from vending.aws.budgets import read_budget
from vending.aws.clients import AwsClients
from vending.aws.organization import Organization, parent_ou, read_organization
from vending.roster import Learner, Roster

Progress = Callable[[str], None]


@dataclass(frozen=True)
class LearnerStatus:
    """One roster learner compared with AWS; a field is None where AWS has no value for it."""

    learner_id: str
    team_id: str
    status: str
    account_id: str | None
    state: str | None
    ou: str | None
    expected_ou: str
    in_place: bool | None
    spend_usd: float | None
    budget_limit_usd: float | None
    roster_budget_usd: float
    days_to_expiry: int | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class UnownedAccount:
    """An account in the sandboxes tree whose email no roster learner has."""

    account_id: str
    name: str
    email: str
    state: str
    ou: str


@dataclass
class StatusReport:
    learners: list[LearnerStatus]
    unowned: list[UnownedAccount]

    def to_json(self) -> dict[str, Any]:
        return {
            "learners": [asdict(row) for row in self.learners],
            "unowned": [asdict(row) for row in self.unowned],
        }


def expected_ou(prefix: str, learner: Learner, today: date) -> str:
    """Return the OU name where ``learner``'s account belongs: the team OU while active, else the suspended OU."""
    if learner.effective_status(today) == "active":
        return names.team_ou(prefix, learner.team_id)
    return names.suspended_ou(prefix)


def build_status(clients: AwsClients, roster: Roster, prefix: str, today: date,
                 progress: Progress | None = None) -> StatusReport:
    """Read the organization and every learner's budget; report one row per learner plus unowned accounts."""
    report = progress or (lambda _message: None)
    organization = read_organization(clients, prefix, report)
    rows = []
    for learner in roster.learners:
        report(f"learner {learner.id}")
        rows.append(_learner_status(clients, organization, learner, prefix, today))
    owned = {learner.account_email.lower() for learner in roster.learners}
    unowned = [
        UnownedAccount(account.id, account.name, account.email, account.state,
                       organization.ou_name(organization.parent_of[account.id]))
        for account in organization.tree_accounts()
        if account.email.lower() not in owned
    ]
    return StatusReport(rows, unowned)


def _learner_status(clients: AwsClients, organization: Organization, learner: Learner, prefix: str,
                    today: date) -> LearnerStatus:
    notes: list[str] = []
    wanted_ou = expected_ou(prefix, learner, today)
    account = organization.account_by_email(learner.account_email)
    ou_name = None
    if account is None:
        notes.append("no account with this email yet")
    else:
        _, ou_name = parent_ou(clients, organization, account.id)
        if ou_name != wanted_ou:
            notes.append(f"account is in {ou_name}, expected {wanted_ou}")

    budget_name = names.budget(prefix, learner.id)
    spend = read_budget(clients, organization.management_account_id, budget_name)
    if spend is None:
        notes.append(f"budget {budget_name} not found")
    elif spend.limit != learner.budget_usd:
        notes.append(f"live budget is {spend.limit:.2f}, roster says {learner.budget_usd:.2f}")

    return LearnerStatus(
        learner_id=learner.id,
        team_id=learner.team_id,
        status=learner.effective_status(today),
        account_id=account.id if account else None,
        state=account.state if account else None,
        ou=ou_name,
        expected_ou=wanted_ou,
        in_place=(ou_name == wanted_ou) if account else None,
        spend_usd=spend.actual if spend else None,
        budget_limit_usd=spend.limit if spend else None,
        roster_budget_usd=learner.budget_usd,
        days_to_expiry=(learner.expires - today).days if learner.expires else None,
        notes=tuple(notes),
    )

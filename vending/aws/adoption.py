"""Match roster account emails to accounts that already exist in the organization.

CreateAccount fails with EMAIL_ALREADY_EXISTS when any account, even a closed
one, still owns the email, so every roster email that an existing account uses must
either be imported into the stack or changed before ``pulumi up``. Rules:

- An ACTIVE account directly under the root or anywhere in ``<prefix>-sandboxes``
  is adoptable: ``pulumi up`` moves it to the learner's OU after the import.
- The management account is never adoptable.
- A SUSPENDED, PENDING_CLOSURE or CLOSED account is a conflict: AWS keeps its
  email until the account is permanently closed.
- An account that is not yet ACTIVE (PENDING_ACTIVATION) is a conflict until it is.
- An account in an OU outside the sandboxes tree is a conflict: it belongs to
  another part of the organization, and adopting it would move it and replace
  its guardrails. Move it into the sandboxes OU first if it really is the
  learner's sandbox.

Learners of a ``shared_account`` team share one account and are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vending.aws.clients import AwsClients
from vending.aws.organization import ACTIVE, OrgAccount, Organization, parent_ou
from vending.roster import Learner, Roster


@dataclass(frozen=True)
class AccountMatch:
    """An existing account that the stack can adopt for ``learner``."""

    learner: Learner
    account: OrgAccount
    parent_id: str
    parent_name: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmailConflict:
    """A roster email owned by an account the stack cannot adopt."""

    learner: Learner
    account: OrgAccount
    parent_name: str
    reason: str
    fix: str

    def __str__(self) -> str:
        return (f"learner {self.learner.id}: {self.learner.account_email} belongs to account {self.account.id} "
                f"({self.account.name}, {self.account.state}, in {self.parent_name}): {self.reason}. Fix: {self.fix}")


@dataclass
class AdoptionPlan:
    """Every roster learner sorted by what ``pulumi up`` would meet in AWS."""

    adoptable: list[AccountMatch] = field(default_factory=list)
    conflicts: list[EmailConflict] = field(default_factory=list)
    # Learners with no account yet: pulumi up creates one.
    missing: list[Learner] = field(default_factory=list)
    skipped: list[tuple[Learner, str]] = field(default_factory=list)


def plan_adoption(clients: AwsClients, organization: Organization, roster: Roster, prefix: str) -> AdoptionPlan:
    """Sort roster learners into adoptable, conflicting, missing and skipped accounts.

    Calls ListParents only for accounts outside the root and the sandboxes tree.
    """
    plan = AdoptionPlan()
    shared_teams = {team.id for team in roster.teams if team.shared_account}
    for learner in roster.learners:
        if learner.team_id in shared_teams:
            plan.skipped.append((learner, f"team {learner.team_id} uses one shared account"))
            continue
        account = organization.account_by_email(learner.account_email)
        if account is None:
            plan.missing.append(learner)
            continue
        parent_id, parent_name = parent_ou(clients, organization, account.id)
        conflict = _conflict(organization, learner, account, parent_id, parent_name, prefix)
        if conflict is not None:
            plan.conflicts.append(conflict)
        else:
            plan.adoptable.append(AccountMatch(learner, account, parent_id, parent_name,
                                               _notes(learner, account, parent_name)))
    return plan


def _conflict(organization: Organization, learner: Learner, account: OrgAccount, parent_id: str,
              parent_name: str, prefix: str) -> EmailConflict | None:
    change_email = "give the learner another account_email in the roster"
    if account.id == organization.management_account_id:
        return EmailConflict(learner, account, parent_name, "it is the management account", change_email)
    if account.is_closed:
        return EmailConflict(
            learner, account, parent_name,
            "the account is closed, and AWS keeps its email until the account is permanently closed",
            f"{change_email}, or remove the entry if the learner needs no account",
        )
    if account.state != ACTIVE:
        return EmailConflict(learner, account, parent_name, f"the account is {account.state}, not ACTIVE",
                             "wait until it is ACTIVE and run this again")
    if parent_id != organization.root_id and not organization.in_sandboxes_tree(parent_id):
        return EmailConflict(
            learner, account, parent_name,
            f"it sits outside OU {prefix}-sandboxes, so adopting it would move it and replace its guardrails",
            f"move it under {prefix}-sandboxes first if it is this learner's sandbox, otherwise {change_email}",
        )
    return None


def _notes(learner: Learner, account: OrgAccount, parent_name: str) -> tuple[str, ...]:
    notes = []
    if account.name != learner.account_name:
        notes.append(f"account name is {account.name!r}, the roster expects {learner.account_name!r}")
    if parent_name == "Root":
        notes.append("the account is under the root; pulumi up moves it into the sandboxes tree")
    return tuple(notes)

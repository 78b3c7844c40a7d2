"""Lifecycle changes between two rosters, and the guard against mass suspension or closure.

A typo in an expiry date or a bad merge can suspend a whole cohort, and a
deleted block of entries closes accounts. The guard counts the learners a
change suspends, closes or removes, and rejects the change when they exceed
``maxLifecycleChangeShare`` of the learners before it, unless the stack sets
``allowMassChange`` for that run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from vending.errors import LifecycleError
from vending.roster import Roster
from vending.settings import PROJECT, StackSettings

# Transitions the guard counts, keyed by (status before, status after); None is "no entry".
GUARDED = {
    ("active", "suspended"): "suspend",
    ("active", "closed"): "close",
    ("suspended", "closed"): "close",
    ("active", None): "remove",
    ("suspended", None): "remove",
    ("closed", None): "remove",
}


@dataclass(frozen=True)
class LifecycleChange:
    learner_id: str
    before: str | None
    after: str | None
    kind: str


def renames(roster: Roster) -> dict[str, str]:
    """Map every previous learner id to its current id."""
    return {old: learner.id for learner in roster.learners for old in learner.previous_ids}


def lifecycle_changes(
    before: Mapping[str, str], after: Mapping[str, str], renamed: Mapping[str, str] | None = None
) -> list[LifecycleChange]:
    """List the guarded transitions from ``before`` to ``after`` (learner id -> effective status)."""
    renamed = renamed or {}
    changes = []
    for learner_id, old_status in sorted(before.items()):
        current_id = renamed.get(learner_id, learner_id)
        new_status = after.get(current_id)
        kind = GUARDED.get((old_status, new_status))
        if kind is not None:
            changes.append(LifecycleChange(current_id, old_status, new_status, kind))
    return changes


def allowed_count(total: int, share: float) -> int:
    """Return how many learners one change may suspend, close or remove: at least one."""
    return max(1, math.floor(total * share + 1e-9))


def check_mass_change(
    before: Mapping[str, str],
    after: Mapping[str, str],
    settings: StackSettings,
    renamed: Mapping[str, str] | None = None,
) -> list[LifecycleChange]:
    """Return the guarded changes, or raise ``LifecycleError`` when there are too many."""
    changes = lifecycle_changes(before, after, renamed)
    limit = allowed_count(len(before), settings.max_lifecycle_change_share)
    if len(changes) > limit and not settings.allow_mass_change:
        listed = ", ".join(f"{change.learner_id} ({change.kind})" for change in changes[:20])
        more = f" and {len(changes) - 20} more" if len(changes) > 20 else ""
        raise LifecycleError(
            f"this change suspends, closes or removes {len(changes)} of {len(before)} learners, more than "
            f"maxLifecycleChangeShare {settings.max_lifecycle_change_share:.0%} allows ({limit}): {listed}{more}. "
            "If that is intended, set it for this run with "
            f"`pulumi config set {PROJECT}:allowMassChange true`, apply, then set it back to false; "
            "otherwise check the roster for a wrong expiry date or deleted entries"
        )
    return changes


# Organizations account states of a closed account: PENDING_CLOSURE, then SUSPENDED for about 90 days,
# then CLOSED (AccountState in the Organizations API reference).
CLOSED_ACCOUNT_STATUSES = frozenset({"PENDING_CLOSURE", "SUSPENDED", "CLOSED"})


def statuses_in_organization(
    roster: Roster, sandbox_accounts: Mapping[str, str], suspended_emails: Iterable[str]
) -> dict[str, str]:
    """Return the status each learner's account has in AWS now, for learners whose account exists.

    ``sandbox_accounts`` maps the lower-cased email of every account under the
    sandboxes OU to its Organizations account state; ``suspended_emails`` are those in the
    suspended OU. A closed account counts as closed wherever it is.
    """
    suspended = {email.lower() for email in suspended_emails}
    found: dict[str, str] = {}
    for learner in roster.learners:
        email = learner.account_email.lower()
        status = sandbox_accounts.get(email)
        if status is None:
            continue
        if status in CLOSED_ACCOUNT_STATUSES:
            found[learner.id] = "closed"
        elif email in suspended:
            found[learner.id] = "suspended"
        else:
            found[learner.id] = "active"
    return found

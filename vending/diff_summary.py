"""The learner-level summary of a roster change: who is added, moved, suspended, closed or removed.

It also compares the guardrail policies (with their sizes before and after)
and counts the account closures the change causes against the AWS closure
quota.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vending import names
from vending.diff import ResourceDiff, diff_plans
from vending.errors import LifecycleError
from vending.lifecycle import check_mass_change, renames
from vending.plan import POLICY_TYPE, LearnerRow, Plan

# CloseAccount quota: max(250, 20% of member accounts) per rolling 30 days, at most 1,000.
# Source: AWS Organizations API reference, CloseAccount
# (docs.aws.amazon.com/organizations/latest/APIReference/API_CloseAccount.html).
# NOTE: older copies of that page give "10% of member accounts, between 10 and 1000".
# This follows the newer text, so check the page before relying on the exact number.
CLOSURE_QUOTA_FLOOR = 250
CLOSURE_QUOTA_SHARE = 0.20
CLOSURE_QUOTA_MAX = 1000
# Separator of the access keys in an ``access`` learner change. ``vending.diff_render`` splits on it
# to find the keys that embed an email address.
ACCESS_SEPARATOR = ", "


def closure_quota(member_accounts: int) -> int:
    """Return how many member accounts an organization of this size may close in 30 days."""
    return min(CLOSURE_QUOTA_MAX, max(CLOSURE_QUOTA_FLOOR, int(member_accounts * CLOSURE_QUOTA_SHARE)))


@dataclass(frozen=True)
class LearnerChange:
    """One learner whose sandbox changes; ``before`` and ``after`` describe the changed value."""

    id: str
    before: str = ""
    after: str = ""
    note: str = ""

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "before": self.before, "after": self.after, "note": self.note}


@dataclass(frozen=True)
class GuardrailChange:
    """One guardrail policy created, changed or deleted, with its size in characters."""

    name: str
    change: str
    size_before: int | None
    size_after: int | None
    targets: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "change": self.change,
            "size_before": self.size_before,
            "size_after": self.size_after,
            "targets": self.targets,
        }


@dataclass
class LearnerSummary:
    """Learner-level changes, grouped as the pull-request comment lists them."""

    added: list[LearnerChange] = field(default_factory=list)
    removed: list[LearnerChange] = field(default_factory=list)
    renamed: list[LearnerChange] = field(default_factory=list)
    moved: list[LearnerChange] = field(default_factory=list)
    suspended: list[LearnerChange] = field(default_factory=list)
    expired: list[LearnerChange] = field(default_factory=list)
    reactivated: list[LearnerChange] = field(default_factory=list)
    closed: list[LearnerChange] = field(default_factory=list)
    budget: list[LearnerChange] = field(default_factory=list)
    access: list[LearnerChange] = field(default_factory=list)

    GROUPS = (
        "added",
        "removed",
        "renamed",
        "moved",
        "suspended",
        "expired",
        "reactivated",
        "closed",
        "budget",
        "access",
    )

    def groups(self) -> list[tuple[str, list[LearnerChange]]]:
        return [(name, getattr(self, name)) for name in self.GROUPS]

    def is_empty(self) -> bool:
        return not any(items for _, items in self.groups())

    def as_json(self) -> dict[str, list[dict[str, str]]]:
        return {name: [item.as_json() for item in items] for name, items in self.groups()}


@dataclass(frozen=True)
class Closures:
    """Accounts this change closes, and the 30-day quota they count against."""

    count: int
    org_accounts: int | None

    @property
    def quota(self) -> int | None:
        return None if self.org_accounts is None else closure_quota(self.org_accounts)

    @property
    def within_quota(self) -> bool | None:
        return None if self.quota is None else self.count <= self.quota

    def as_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "org_accounts": self.org_accounts,
            "quota": self.quota,
            "within_quota": self.within_quota,
        }


@dataclass
class DiffReport:
    """Everything ``sandboxctl diff`` prints: resource changes, learner summary, guardrails, closures.

    ``errors`` lists why the change cannot be applied as is, and each one makes
    the command exit 1. ``warnings`` lists what a reviewer must read but does
    not stop the change.
    """

    base_label: str
    head_label: str
    resources: ResourceDiff
    learners: LearnerSummary
    guardrails: list[GuardrailChange]
    closures: Closures
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The mass-change guard's message when the change suspends or closes too many learners at once.
    mass_change: str | None = None
    # Set when the head stack config's allowMassChange lets through a change the guard would reject.
    mass_change_allowed: str | None = None

    @property
    def failed(self) -> bool:
        """True when ``errors`` is not empty.

        That happens when the change replaces an Account, deletes or replaces a
        protected resource, or trips the mass suspension and closure guard.
        """
        return bool(self.errors)

    def as_json(self) -> dict[str, Any]:
        return {
            "base": self.base_label,
            "head": self.head_label,
            "summary": self.resources.counts(),
            "resources": [change.as_json() for change in self.resources.changes if change.op != "same"],
            "renamed_resources": [
                change.as_json() for change in self.resources.changes if change.op == "same" and change.renamed
            ],
            "learners": self.learners.as_json(),
            "guardrails": [item.as_json() for item in self.guardrails],
            "closures": self.closures.as_json(),
            "account_replacements": len(self.resources.account_replacements),
            "mass_change": self.mass_change,
            "mass_change_allowed": self.mass_change_allowed,
            "failed": self.failed,
            "errors": self.errors,
            "warnings": self.warnings,
        }


def build_report(
    base: Plan, head: Plan, base_label: str, head_label: str, org_accounts: int | None = None
) -> DiffReport:
    """Diff two plans and summarise the result per learner and per guardrail policy."""
    resources = diff_plans(base, head)
    report = DiffReport(
        base_label=base_label,
        head_label=head_label,
        resources=resources,
        learners=summarise_learners(base, head),
        guardrails=compare_guardrails(base, head),
        closures=Closures(count=len(resources.account_closures), org_accounts=org_accounts),
        mass_change=mass_change_error(base, head),
        mass_change_allowed=mass_change_override(base, head),
    )
    report.errors = collect_errors(report)
    report.warnings = collect_warnings(report)
    return report


def mass_change_error(base: Plan, head: Plan) -> str | None:
    """Return the guard's message when ``head`` suspends, closes or removes too many of ``base``'s learners."""
    before = {row.id: row.status for row in base.learners}
    after = {row.id: row.status for row in head.learners}
    try:
        check_mass_change(before, after, head.settings, renames(head.roster))
    except LifecycleError as error:
        return str(error)
    return None


def mass_change_override(base: Plan, head: Plan) -> str | None:
    """Return a note when ``allowMassChange`` in the head stack config lets a guarded change through."""
    if not head.settings.allow_mass_change:
        return None
    strict = head.settings.model_copy(update={"allow_mass_change": False})
    before = {row.id: row.status for row in base.learners}
    after = {row.id: row.status for row in head.learners}
    try:
        changes = check_mass_change(before, after, strict, renames(head.roster))
    except LifecycleError:
        changes = check_mass_change(before, after, head.settings, renames(head.roster))
        listed = ", ".join(f"{change.learner_id} ({change.kind})" for change in changes)
        return (
            f"allowMassChange is true in the stack config, so the mass-change guard lets through "
            f"{len(changes)} of {len(before)} learners suspended, closed or removed: {listed}. "
            "Set it back to false after this change is applied"
        )
    return None


def summarise_learners(base: Plan, head: Plan) -> LearnerSummary:
    """Group the learners of both plans by what changes for them, each group sorted by learner id."""
    summary = LearnerSummary()
    base_rows = {row.id: row for row in base.learners}
    base_roster = {learner.id: learner for learner in base.roster.learners}
    matched: set[str] = set()
    for row in head.learners:
        learner = head.roster.learner(row.id)
        old_id = next((key for key in (row.id, *reversed(learner.previous_ids)) if key in base_rows), None)
        if old_id is None:
            summary.added.append(LearnerChange(row.id, after=f"{row.team}, {row.status}"))
            continue
        matched.add(old_id)
        _compare_learner(summary, base_rows[old_id], base_roster[old_id].status, row, learner.status)
    # A team's shared account outlives any one member, so removing a member closes nothing.
    head_accounts = {row.account_email.lower() for row in head.learners}
    for old_id, old_row in base_rows.items():
        if old_id in matched:
            continue
        if old_row.account_email.lower() in head_accounts:
            note = "the shared team account stays, so only this learner's access is removed"
        elif old_row.protected:
            note = "the account is protected, so pulumi preview fails. Set status: closed first, apply, then remove"
        else:
            note = "deleting the entry CLOSES the account (CloseAccount)"
        summary.removed.append(LearnerChange(old_id, before=f"{old_row.team}, {old_row.status}", note=note))
    for _, items in summary.groups():
        items.sort(key=lambda item: item.id)
    return summary


def _compare_learner(summary: LearnerSummary, old: LearnerRow, old_status: str, new: LearnerRow, status: str) -> None:
    if old.id != new.id:
        summary.renamed.append(LearnerChange(new.id, before=old.id, after=new.id))
    if old.team != new.team:
        summary.moved.append(LearnerChange(new.id, before=old.team, after=new.team))
    if status == "closed" and old_status != "closed":
        summary.closed.append(
            LearnerChange(new.id, before=old.status, after="closed", note="unprotected; removing the entry closes it")
        )
    elif status == "suspended" and old_status != "suspended":
        summary.suspended.append(LearnerChange(new.id, before=old.status, after="suspended"))
    elif new.status == "suspended" and status == "active" and old.status == "active":
        summary.expired.append(LearnerChange(new.id, before="active", after="suspended", note=new.status_reason))
    elif new.status == "active" and old.status != "active":
        summary.reactivated.append(LearnerChange(new.id, before=old.status, after="active"))
    if old.budget_usd != new.budget_usd:
        summary.budget.append(LearnerChange(new.id, before=f"{old.budget_usd:g} USD", after=f"{new.budget_usd:g} USD"))
    if sorted(old.access) != sorted(new.access):
        before = ACCESS_SEPARATOR.join(sorted(old.access)) or "none"
        after = ACCESS_SEPARATOR.join(sorted(new.access)) or "none"
        summary.access.append(LearnerChange(new.id, before=before, after=after))


def compare_guardrails(base: Plan, head: Plan) -> list[GuardrailChange]:
    """Compare the SCPs of both plans by policy name, with their sizes in characters."""
    old = {item.inputs.get("name", item.name): item.inputs.get("content", "") for item in base.run.of_type(POLICY_TYPE)}
    new = {item.inputs.get("name", item.name): item.inputs.get("content", "") for item in head.run.of_type(POLICY_TYPE)}
    targets = {row.name: row.targets for row in head.policies} | {
        row.name: row.targets for row in base.policies if row.name not in new
    }
    changes = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if before is None:
            kind = "created"
        elif after is None:
            kind = "deleted"
        else:
            kind = "changed"
        changes.append(
            GuardrailChange(
                name=name,
                change=kind,
                size_before=None if before is None else len(before),
                size_after=None if after is None else len(after),
                targets=targets.get(name, []),
            )
        )
    return changes


def collect_errors(report: DiffReport) -> list[str]:
    """List why the change cannot be applied as is: the mass-change guard, then resource errors by URN."""
    errors = [report.mass_change] if report.mass_change else []
    for change in report.resources.changes:
        errors.extend(f"{change.type} {change.name}: {text}" for text in change.errors)
    return errors


def collect_warnings(report: DiffReport) -> list[str]:
    """List what a reviewer must not miss but does not stop the change: replacements, closures, the quota."""
    warnings = [report.mass_change_allowed] if report.mass_change_allowed else []
    for change in report.resources.of_op("replace"):
        if change.type != names.ACCOUNT_TYPE:
            warnings.append(f"{change.type} {change.name} would be replaced")
    for change in report.resources.changes:
        warnings.extend(f"{change.type} {change.name}: {text}" for text in change.warnings)
    closures = report.closures
    if closures.count and closures.quota is None:
        warnings.append(
            f"{closures.count} account closure(s): AWS allows max(250, 20% of member accounts), at most 1,000, "
            "per rolling 30 days (older AWS text: 10%, between 10 and 1,000); "
            "pass --org-accounts N to check this change against it"
        )
    elif closures.count and closures.within_quota is False:
        warnings.append(
            f"{closures.count} account closures exceed the 30-day quota of {closures.quota} "
            f"for {closures.org_accounts} member accounts: CloseAccount would fail part way"
        )
    return warnings


__all__ = ["DiffReport", "build_report", "closure_quota", "diff_plans"]

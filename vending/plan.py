"""The offline plan: what ``pulumi up`` would declare, computed on the mock engine.

``build_plan`` validates the inputs, runs the real program with
``vending.mockrun`` and summarises the registrations per learner and per
guardrail policy. Nothing here needs AWS credentials or the Pulumi CLI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from vending import names
from vending.costs import CostLine, control_costs
from vending.mockrun import OfflineMocks, ProgramRun, Registration, run_program
from vending.roster import Roster, load_roster
from vending.settings import PROJECT, StackSettings, load_stack_file

OU_TYPE = "aws:organizations/organizationalUnit:OrganizationalUnit"
POLICY_TYPE = "aws:organizations/policy:Policy"
ATTACHMENT_TYPE = "aws:organizations/policyAttachment:PolicyAttachment"
ASSIGNMENT_TYPE = "aws:ssoadmin/accountAssignment:AccountAssignment"
BUDGET_TYPE = "aws:budgets/budget:Budget"
ACTION_TYPE = "aws:budgets/budgetAction:BudgetAction"
ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm"
ROLE_TYPE = "aws:iam/role:Role"
READINESS_TYPE = "pulumi-python:dynamic:Resource"


@dataclass
class PlanInputs:
    """Sources of the plan's inputs; ``roster`` and ``today`` override the stack file."""

    project_dir: Path
    stack_file: Path
    roster: Path | None = None
    today: date | None = None
    missing_users: frozenset[str] = frozenset()
    missing_groups: frozenset[str] = frozenset()
    extra_config: dict[str, Any] = field(default_factory=dict)


@dataclass
class LearnerRow:
    id: str
    team: str
    status: str
    status_reason: str
    account_name: str
    account_email: str
    account_id: str
    ou: str
    protected: bool
    access: list[str]
    budget_usd: float
    hard_stop_percent: float | None
    alarm_threshold_usd: float | None
    expires: str | None


@dataclass
class PolicyRow:
    name: str
    size: int
    targets: list[str]


@dataclass
class Plan:
    settings: StackSettings
    roster: Roster
    run: ProgramRun
    learners: list[LearnerRow]
    policies: list[PolicyRow]
    attachments_per_target: dict[str, int]
    costs: list[CostLine] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "resources": [registration.as_json() for registration in self.run.registrations],
            "learners": [row.__dict__ for row in self.learners],
            "guardrails": {
                "max_chars": self.settings.scp_max_chars,
                "max_per_target": self.settings.scp_max_per_target,
                "policies": [row.__dict__ for row in self.policies],
                "attachments_per_target": self.attachments_per_target,
            },
            "outputs": self.run.outputs,
            "control_costs": [line.__dict__ for line in self.costs],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_json(), indent=2, sort_keys=True, default=str)


def engine_config(inputs: PlanInputs) -> tuple[StackSettings, Roster, dict[str, Any]]:
    """Validate the stack file and roster, and return the raw config for the mock engine."""
    settings, raw = load_stack_file(inputs.stack_file)
    config = dict(raw)
    overrides: dict[str, Any] = dict(inputs.extra_config)
    if inputs.roster is not None:
        overrides["rosterPath"] = str(inputs.roster.resolve())
    if inputs.today is not None:
        overrides["today"] = inputs.today.isoformat()
    for key, value in overrides.items():
        config[f"{PROJECT}:{key}"] = value
    if overrides:
        settings = settings.model_copy(update={"today": inputs.today or settings.today})
    roster_file = inputs.roster or inputs.project_dir / settings.roster_path
    roster = load_roster(roster_file, settings, display_name=_display(roster_file))
    return settings, roster, config


def roster_user_names(roster: Roster) -> set[str]:
    """User names the offline identity store holds: every learner's and instructor's."""
    users = {learner.user_name for learner in roster.learners}
    for team in roster.teams:
        users.update(team.instructors)
    return users


def roster_group_names(roster: Roster) -> set[str]:
    """Group display names the offline identity store holds: every team's instructor group."""
    return {team.instructor_group for team in roster.teams if team.instructor_group}


def build_plan(inputs: PlanInputs) -> Plan:
    settings, roster, config = engine_config(inputs)
    mocks = OfflineMocks(
        user_names=roster_user_names(roster),
        missing_users=inputs.missing_users,
        group_names=roster_group_names(roster),
        missing_groups=inputs.missing_groups,
    )
    run = run_program(inputs.project_dir, config, mocks)
    return summarise(settings, roster, run)


def summarise(settings: StackSettings, roster: Roster, run: ProgramRun) -> Plan:
    ou_names = {item.id: item.inputs.get("name", item.name) for item in run.of_type(OU_TYPE)}
    outputs = run.outputs.get("learners", {})
    rows = []
    for learner in roster.learners:
        team = roster.team(learner.team_id)
        if team.shared_account:
            component = run.by_name(names.team_component(team.id), names.TEAM_TYPE)
            budget_usd = team.budget_usd
        else:
            component = run.by_name(names.learner_component(learner.id), names.LEARNER_TYPE)
            budget_usd = learner.budget_usd
        children = run.children_of(component)
        account = run.by_name(names.account_resource(component.name), names.ACCOUNT_TYPE)
        alarm = next((child for child in children if child.type == ALARM_TYPE), None)
        action = next((child for child in children if child.type == ACTION_TYPE), None)
        info = outputs.get(learner.id, {})
        rows.append(
            LearnerRow(
                id=learner.id,
                team=learner.team_id,
                status=info.get("status", ""),
                status_reason=info.get("status_reason", ""),
                account_name=account.inputs.get("name", ""),
                account_email=account.inputs.get("email", ""),
                account_id=info.get("account_id", ""),
                ou=ou_names.get(account.inputs.get("parentId", ""), "?"),
                protected=account.protect,
                access=_access_of(run, component, learner.id, info.get("status") == "active"),
                budget_usd=budget_usd,
                hard_stop_percent=(
                    action.inputs.get("actionThreshold", {}).get("actionThresholdValue") if action else None
                ),
                alarm_threshold_usd=alarm.inputs.get("threshold") if alarm else None,
                expires=learner.expires.isoformat() if learner.expires else None,
            )
        )
    policies, per_target = _policy_rows(run, ou_names)
    costs = control_costs(
        budgets=len(run.of_type(BUDGET_TYPE)),
        action_budgets=len({item.inputs.get("budgetName") for item in run.of_type(ACTION_TYPE)}),
        alarms=len(run.of_type(ALARM_TYPE)),
    )
    return Plan(settings, roster, run, rows, policies, per_target, costs)


def _access_of(run: ProgramRun, component: Registration, learner_id: str, active: bool) -> list[str]:
    """Return the learner's access to the sandbox: assignment keys, and ``admin-role`` in iam_role mode.

    On a shared account, only this learner's own ``member-<id>`` assignment
    counts as theirs, and is reported as ``learner-access``.
    """
    found = []
    for child in run.children_of(component):
        if child.type != ASSIGNMENT_TYPE:
            continue
        key = child.name.removeprefix(f"{component.name}-")
        if key == f"member-{learner_id}":
            key = "learner-access"
        elif key.startswith("member-"):
            continue
        found.append(key)
    role = [item for item in run.of_type(ROLE_TYPE) if item.name == f"{component.name}-admin-role"]
    if role and active:
        found.append("admin-role")
    return found


def _policy_rows(run: ProgramRun, ou_names: dict[str, str]) -> tuple[list[PolicyRow], dict[str, int]]:
    policy_by_id = {item.id: item for item in run.of_type(POLICY_TYPE)}
    targets: dict[str, list[str]] = {policy_id: [] for policy_id in policy_by_id}
    # FullAWSAccess stays attached to every target and counts against the quota.
    per_target: dict[str, int] = {}
    for attachment in run.of_type(ATTACHMENT_TYPE):
        target = ou_names.get(attachment.inputs.get("targetId", ""), attachment.inputs.get("targetId", "?"))
        targets.setdefault(attachment.inputs.get("policyId", ""), []).append(target)
        per_target[target] = per_target.get(target, 1) + 1
    rows = [
        PolicyRow(
            name=item.inputs.get("name", item.name),
            size=len(item.inputs.get("content", "")),
            targets=sorted(targets.get(policy_id, [])) or ["(attached by budget actions)"],
        )
        for policy_id, item in policy_by_id.items()
    ]
    return sorted(rows, key=lambda row: row.name), dict(sorted(per_target.items()))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)

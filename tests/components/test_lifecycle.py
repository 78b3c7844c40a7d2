"""Lifecycle under the mock engine: status and expiry, renames, and replacement safety."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PlanFactory
from vending import names
from vending.plan import ASSIGNMENT_TYPE, Plan

BASE = """
version: 1
defaults:
  budget_usd: 50
  account_email: "aws-sandbox+{learner}@example.com"
teams:
  - id: team-a
    name: Team A
    instructors: [lead.a@example.com]
    learners:
      - id: ann
        name: Ann
        email: ann@example.com
        {ann_extra}
  - id: team-b
    name: Team B
    learners:
      - id: bob
        name: Bob
        email: bob@example.com
"""

# The same roster with Ann moved from team A to team B.
MOVED = """
version: 1
defaults:
  budget_usd: 50
  account_email: "aws-sandbox+{learner}@example.com"
teams:
  - id: team-a
    name: Team A
    instructors: [lead.a@example.com]
    learners: []
  - id: team-b
    name: Team B
    learners:
      - id: ann
        name: Ann
        email: ann@example.com
      - id: bob
        name: Bob
        email: bob@example.com
"""

# Account inputs AWS cannot change in place: a change replaces (closes and recreates) the account.
REPLACEMENT_INPUTS = ("email", "roleName", "iamUserAccessToBilling")


def roster_text(ann_extra: str = "") -> str:
    return BASE.replace("{ann_extra}", ann_extra)


def account(plan: Plan, learner_id: str = "ann") -> dict:  # type: ignore[type-arg]
    return plan.run.by_name(names.account_resource(learner_id), names.ACCOUNT_TYPE).inputs


def row(plan: Plan, learner_id: str = "ann"):  # type: ignore[no-untyped-def]
    return next(item for item in plan.learners if item.id == learner_id)


@pytest.mark.parametrize(
    ("ann_extra", "today", "ou", "protected", "access"),
    [
        ("status: active", "2026-12-04", "sbx-team-a", True, True),
        ("status: suspended", "2026-12-04", "sbx-suspended", True, False),
        ("status: closed", "2026-12-04", "sbx-suspended", False, False),
        ("expires: 2026-12-04", "2026-12-04", "sbx-team-a", True, True),
        ("expires: 2026-12-03", "2026-12-04", "sbx-suspended", True, False),
        ("status: closed\n        expires: 2026-01-01", "2026-12-04", "sbx-suspended", False, False),
    ],
    ids=["active", "suspended", "closed", "expires today", "expired", "closed and expired"],
)
def test_status_places_account(
    run_plan: PlanFactory,
    write_roster: Callable[[str], Path],
    ann_extra: str,
    today: str,
    ou: str,
    protected: bool,
    access: bool,
) -> None:
    plan = run_plan(roster=write_roster(roster_text(ann_extra)), today=today)
    ann = row(plan)
    assert ann.ou == ou
    assert ann.protected is protected
    assert ("learner-access" in ann.access) is access
    assert ("instructor-lead.a@example.com" in ann.access) is access


def test_reactivation_moves_back(run_plan: PlanFactory, write_roster: Callable[[str], Path]) -> None:
    suspended = run_plan(roster=write_roster(roster_text("status: suspended")))
    active = run_plan(roster=write_roster(roster_text("status: active")))
    assert row(suspended).ou == "sbx-suspended"
    assert row(active).ou == "sbx-team-a"
    assert row(active).account_id == row(suspended).account_id


@pytest.mark.parametrize(
    "change",
    [
        lambda text: text.replace("name: Ann", "name: Ann Lee"),
        lambda text: text.replace("{ann_extra}", "budget_usd: 90"),
        lambda text: text.replace("{ann_extra}", "status: suspended"),
        lambda text: text.replace("{ann_extra}", "status: closed"),
        lambda text: text.replace("{ann_extra}", "expires: 2020-01-01"),
        lambda text: MOVED,
    ],
    ids=["name", "budget", "suspend", "close", "expire", "team move"],
)
def test_replacement_inputs_unchanged(
    run_plan: PlanFactory, write_roster: Callable[[str], Path], change: Callable[[str], str]
) -> None:
    before = run_plan(roster=write_roster(roster_text()))
    after = run_plan(roster=write_roster(change(BASE).replace("{ann_extra}", "")))
    for key in REPLACEMENT_INPUTS:
        assert account(after)[key] == account(before)[key], key


def test_team_move_changes_parent_only(run_plan: PlanFactory, write_roster: Callable[[str], Path]) -> None:
    before = run_plan(roster=write_roster(roster_text()))
    after = run_plan(roster=write_roster(MOVED))
    assert row(before).ou == "sbx-team-a"
    assert row(after).ou == "sbx-team-b"
    assert account(after)["email"] == account(before)["email"]


def test_rename_aliases_component(run_plan: PlanFactory, write_roster: Callable[[str], Path]) -> None:
    renamed = roster_text().replace("id: ann", "id: anne\n        previous_ids: [ann]")
    plan = run_plan(roster=write_roster(renamed))
    component = plan.run.by_name("anne", names.LEARNER_TYPE)
    assert "ann" in component.aliases
    assert account(plan, "anne")["email"] == "aws-sandbox+ann@example.com"
    assert account(plan, "anne")["name"] == "sbx-anne"


def test_rename_keeps_budget_and_alarm_names(run_plan: PlanFactory, write_roster: Callable[[str], Path]) -> None:
    before = run_plan(roster=write_roster(roster_text()))
    after = run_plan(roster=write_roster(roster_text().replace("id: ann", "id: anne\n        previous_ids: [ann]")))
    assert after.run.by_name("anne-budget").inputs["name"] == before.run.by_name("ann-budget").inputs["name"]
    assert (
        after.run.by_name("anne-billing-alarm").inputs["name"] == before.run.by_name("ann-billing-alarm").inputs["name"]
    )


def test_team_rename_aliases_ou(run_plan: PlanFactory, write_roster: Callable[[str], Path]) -> None:
    renamed = roster_text().replace("id: team-a", "id: team-alpha\n    previous_ids: [team-a]")
    plan = run_plan(roster=write_roster(renamed))
    assert "org-team-team-a" in plan.run.by_name("org-team-team-alpha").aliases


def test_suspended_has_no_assignments(run_plan: PlanFactory, write_roster: Callable[[str], Path]) -> None:
    plan = run_plan(roster=write_roster(roster_text("status: suspended")))
    component = plan.run.by_name("ann", names.LEARNER_TYPE)
    assert [item for item in plan.run.children_of(component) if item.type == ASSIGNMENT_TYPE] == []

"""Status rows built from moto: OUs, spend, expiry and unowned accounts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.vending.aws_fixtures import PREFIX, OrgTree
from vending.aws.clients import AwsClients
from vending.aws.status import LearnerStatus, StatusReport, build_status
from vending.roster import Roster

TODAY = date(2026, 12, 4)


@pytest.fixture
def report(clients: AwsClients, problem_accounts: OrgTree, budgets: dict[str, Any], roster: Roster) -> StatusReport:
    return build_status(clients, roster, PREFIX, TODAY)


def row(report: StatusReport, learner_id: str) -> LearnerStatus:
    return next(item for item in report.learners if item.learner_id == learner_id)


def test_one_row_per_learner(report: StatusReport, roster: Roster) -> None:
    assert [item.learner_id for item in report.learners] == [learner.id for learner in roster.learners]


@pytest.mark.parametrize(
    ("learner_id", "ou", "in_place"),
    [
        pytest.param("jdoe", "sbx-data-eng-2027q1", True, id="active-in-team-ou"),
        pytest.param("asmith", "sbx-suspended", False, id="active-in-suspended-ou"),
        pytest.param("kwong", "sbx-suspended", True, id="suspended-in-suspended-ou"),
        pytest.param("hsato", "Root", False, id="active-under-root"),
        pytest.param("obrien", "workloads", False, id="active-in-foreign-ou"),
        pytest.param("tjohnson", "sbx-suspended", True, id="closed-in-suspended-ou"),
        pytest.param("mgarcia", None, None, id="no-account"),
    ],
)
def test_ou_placement(report: StatusReport, learner_id: str, ou: str | None, in_place: bool | None) -> None:
    item = row(report, learner_id)

    assert item.ou == ou
    assert item.in_place is in_place


def test_account_id_and_state(report: StatusReport, problem_accounts: OrgTree) -> None:
    jdoe = row(report, "jdoe")
    tjohnson = row(report, "tjohnson")

    assert jdoe.account_id == problem_accounts.accounts["sbx-jdoe"]
    assert jdoe.state == "ACTIVE"
    assert tjohnson.state == "SUSPENDED"


def test_spend_against_budget(report: StatusReport) -> None:
    jdoe = row(report, "jdoe")

    assert jdoe.spend_usd == 12.5
    assert jdoe.budget_limit_usd == 75


def test_missing_budget_reported(report: StatusReport) -> None:
    asmith = row(report, "asmith")

    assert asmith.spend_usd is None
    assert "budget sbx-asmith not found" in asmith.notes


def test_budget_drift_noted(report: StatusReport) -> None:
    # The roster gives kwong the team budget of 75, but the live budget is 50.
    assert "live budget is 50.00, roster says 75.00" in row(report, "kwong").notes


def test_days_to_expiry(report: StatusReport) -> None:
    assert row(report, "jdoe").days_to_expiry == (date(2027, 3, 31) - TODAY).days
    assert row(report, "hsato").days_to_expiry is None


def test_unowned_account_listed(report: StatusReport, problem_accounts: OrgTree) -> None:
    assert [(item.account_id, item.ou) for item in report.unowned] == [
        (problem_accounts.accounts["stray"], "sbx-ml-research"),
    ]


def test_expired_learner_expects_suspended_ou(clients: AwsClients, team_accounts: OrgTree, roster: Roster) -> None:
    report = build_status(clients, roster, PREFIX, date(2027, 4, 1))

    assert row(report, "jdoe").expected_ou == "sbx-suspended"
    assert row(report, "jdoe").in_place is False


def test_json_is_serializable(report: StatusReport) -> None:
    import json

    document = json.loads(json.dumps(report.to_json()))

    assert document["learners"][0]["learner_id"] == "jdoe"
    assert len(document["unowned"]) == 1

"""Matching roster emails to existing accounts, and the import file built from the matches."""

from __future__ import annotations

import pytest

from tests.vending.aws_fixtures import MANAGEMENT_EMAIL, PREFIX, OrgTree
from vending import names
from vending.aws.adoption import AdoptionPlan, plan_adoption
from vending.aws.clients import AwsClients
from vending.aws.organization import read_organization
from vending.pulumi_import import build_import_file
from vending.roster import Roster, parse_roster_text
from vending.settings import StackSettings


@pytest.fixture
def plan(clients: AwsClients, problem_accounts: OrgTree, roster: Roster) -> AdoptionPlan:
    return plan_adoption(clients, read_organization(clients, PREFIX), roster, PREFIX)


def test_adoptable_learners(plan: AdoptionPlan) -> None:
    assert {match.learner.id for match in plan.adoptable} == {"jdoe", "asmith", "kwong", "hsato"}


def test_case_insensitive_match(plan: AdoptionPlan, problem_accounts: OrgTree) -> None:
    jdoe = next(match for match in plan.adoptable if match.learner.id == "jdoe")

    assert jdoe.account.id == problem_accounts.accounts["sbx-jdoe"]


@pytest.mark.parametrize(
    ("learner_id", "reason"),
    [
        pytest.param("obrien", "outside OU sbx-sandboxes", id="foreign-ou"),
        pytest.param("tjohnson", "closed", id="closed-account"),
    ],
)
def test_conflict_reasons(plan: AdoptionPlan, learner_id: str, reason: str) -> None:
    conflicts = {conflict.learner.id: conflict for conflict in plan.conflicts}

    assert learner_id in conflicts
    assert reason in conflicts[learner_id].reason


def test_conflicts_only_those(plan: AdoptionPlan) -> None:
    assert {conflict.learner.id for conflict in plan.conflicts} == {"obrien", "tjohnson"}


def test_missing_accounts_listed(plan: AdoptionPlan) -> None:
    assert {learner.id for learner in plan.missing} == {
        "mgarcia", "lnguyen", "pkumar", "bmuller", "efischer", "rokafor",
    }


def test_root_account_noted(plan: AdoptionPlan) -> None:
    hsato = next(match for match in plan.adoptable if match.learner.id == "hsato")

    assert hsato.parent_name == "Root"
    assert any("hana-old-name" in note for note in hsato.notes)


def test_management_account_rejected(clients: AwsClients, ou_tree: OrgTree, settings: StackSettings) -> None:
    text = f"""
version: 1
defaults: {{budget_usd: 10, account_email: "aws-sandbox+{{learner}}@example.com"}}
teams:
  - id: ops
    name: Ops
    learners:
      - {{id: boss, name: Boss, email: boss@example.com, account_email: "{MANAGEMENT_EMAIL.upper()}"}}
"""
    roster = parse_roster_text(text, "roster.yaml", settings)

    plan = plan_adoption(clients, read_organization(clients, PREFIX), roster, PREFIX)

    assert [conflict.learner.id for conflict in plan.conflicts] == ["boss"]
    assert plan.conflicts[0].reason == "it is the management account"


def test_shared_team_skipped(clients: AwsClients, ou_tree: OrgTree, settings: StackSettings) -> None:
    text = """
version: 1
defaults: {budget_usd: 10}
teams:
  - id: pairs
    name: Pairs
    shared_account: true
    account_email: "team+{team}@example.com"
    learners:
      - {id: ann, name: Ann, email: ann@example.com}
"""
    roster = parse_roster_text(text, "roster.yaml", settings)

    plan = plan_adoption(clients, read_organization(clients, PREFIX), roster, PREFIX)

    assert [learner.id for learner, _ in plan.skipped] == ["ann"]


def test_import_file_entries(plan: AdoptionPlan, problem_accounts: OrgTree) -> None:
    document = build_import_file(plan.adoptable, "org/sandbox-vending/dev", "ALLOW")
    jdoe = next(item for item in document["resources"] if item["name"] == names.account_resource("jdoe"))

    assert jdoe["type"] == "aws:organizations/account:Account"
    assert jdoe["id"] == f"{problem_accounts.accounts['sbx-jdoe']}_ALLOW"
    assert jdoe["parent"] == "jdoe"
    assert document["nameTable"]["jdoe"] == names.component_urn("dev", "jdoe")


def test_import_file_one_per_match(plan: AdoptionPlan) -> None:
    document = build_import_file(plan.adoptable, "dev", "DENY")

    assert [item["name"] for item in document["resources"]] == [
        "asmith-account", "hsato-account", "jdoe-account", "kwong-account",
    ]
    assert all(item["id"].endswith("_DENY") for item in document["resources"])


def test_import_file_creates_components(plan: AdoptionPlan) -> None:
    document = build_import_file(plan.adoptable, "dev", "ALLOW", create_components=True)
    components = [item for item in document["resources"] if item.get("component")]

    assert "nameTable" not in document
    assert {item["name"] for item in components} == {"jdoe", "asmith", "kwong", "hsato"}
    assert all(item["type"] == names.LEARNER_TYPE for item in components)

"""Reading the organization snapshot from moto."""

from __future__ import annotations

from tests.vending.aws_fixtures import PREFIX, OrgTree
from vending.aws.clients import AwsClients
from vending.aws.organization import parent_ou, read_organization


def test_snapshot_lists_every_account(clients: AwsClients, problem_accounts: OrgTree) -> None:
    organization = read_organization(clients, PREFIX)

    listed = {account.id for account in organization.accounts}

    assert set(problem_accounts.accounts.values()) <= listed
    assert organization.management_account_id in listed


def test_snapshot_walks_sandboxes_tree(clients: AwsClients, team_accounts: OrgTree) -> None:
    organization = read_organization(clients, PREFIX)

    tree_names = {unit.name for unit in organization.tree_ous.values()}

    assert tree_names == {"sbx-data-eng-2027q1", "sbx-platform-bootcamp", "sbx-ml-research", "sbx-suspended"}
    assert not organization.in_sandboxes_tree(team_accounts.ous["workloads"])


def test_email_lookup_ignores_case(clients: AwsClients, team_accounts: OrgTree) -> None:
    organization = read_organization(clients, PREFIX)

    account = organization.account_by_email("aws-sandbox+jdoe@example.com")

    assert account is not None
    assert account.id == team_accounts.accounts["sbx-jdoe"]


def test_parent_outside_tree_looked_up(clients: AwsClients, problem_accounts: OrgTree) -> None:
    organization = read_organization(clients, PREFIX)
    account_id = problem_accounts.accounts["prod-obrien"]

    assert account_id not in organization.parent_of
    assert parent_ou(clients, organization, account_id) == (problem_accounts.ous["workloads"], "workloads")


def test_missing_sandboxes_ou(clients: AwsClients, organization: str) -> None:
    snapshot = read_organization(clients, PREFIX)

    assert snapshot.sandboxes_ou is None
    assert snapshot.tree_accounts() == []


def test_pagination_reads_all_accounts(clients: AwsClients, ou_tree: OrgTree) -> None:
    """moto pages ListAccountsForParent by 20, so 25 accounts need two pages."""
    from tests.vending.aws_fixtures import add_account

    for index in range(25):
        add_account(clients, ou_tree, f"bulk-{index}", f"bulk{index}@example.com", "sbx-ml-research")

    organization = read_organization(clients, PREFIX)

    assert len(organization.tree_accounts()) == 25

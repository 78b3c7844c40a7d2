"""moto fixtures for the boto3 operations, each building on the one before.

aws_credentials -> mocked_aws -> organization (all features, SCPs enabled)
-> ou_tree (sandboxes, team and suspended OUs, plus a foreign OU)
-> team_accounts (accounts the stack can adopt, one misplaced, one unowned)
-> problem_accounts (an account in the foreign OU and a closed account).

Nothing here reaches AWS: moto intercepts every call, the credentials are
fake, and no endpoint or metadata address is configured.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from vending.aws.clients import AwsClients
from vending.roster import Roster, load_roster
from vending.settings import StackSettings, load_stack_file

REPO = Path(__file__).resolve().parents[2]
PREFIX = "sbx"
MANAGEMENT_EMAIL = "master@example.com"  # moto's fixed management account email


@dataclass
class OrgTree:
    """Ids of the organization objects that fixtures create, by name."""

    root_id: str
    ous: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def settings() -> StackSettings:
    return load_stack_file(REPO / "Pulumi.example.yaml")[0]


@pytest.fixture
def roster(settings: StackSettings) -> Roster:
    return load_roster(REPO / "config" / "roster.yaml", settings)


@pytest.fixture
def mocked_aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def clients(mocked_aws: None) -> AwsClients:
    return AwsClients(boto3.Session(region_name="us-east-1"), "us-east-1")


@pytest.fixture
def organization(clients: AwsClients) -> str:
    """Create an organization with all features and SCPs enabled; return its root id."""
    org = clients.organizations
    org.create_organization(FeatureSet="ALL")
    root_id = str(org.list_roots()["Roots"][0]["Id"])
    org.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    return root_id


@pytest.fixture
def ou_tree(clients: AwsClients, organization: str) -> OrgTree:
    org = clients.organizations
    tree = OrgTree(root_id=organization)

    def create(name: str, parent_id: str) -> str:
        tree.ous[name] = org.create_organizational_unit(ParentId=parent_id, Name=name)["OrganizationalUnit"]["Id"]
        return tree.ous[name]

    sandboxes = create(f"{PREFIX}-sandboxes", organization)
    for team in ("data-eng-2027q1", "platform-bootcamp", "ml-research"):
        create(f"{PREFIX}-{team}", sandboxes)
    create(f"{PREFIX}-suspended", sandboxes)
    create("workloads", organization)
    return tree


def add_account(clients: AwsClients, tree: OrgTree, key: str, email: str, ou_name: str | None) -> str:
    """Create an account and move it from the root to ``ou_name`` (None keeps it under the root)."""
    org = clients.organizations
    status = org.create_account(AccountName=key, Email=email)["CreateAccountStatus"]
    account_id = str(status["AccountId"])
    if ou_name is not None:
        org.move_account(AccountId=account_id, SourceParentId=tree.root_id, DestinationParentId=tree.ous[ou_name])
    tree.accounts[key] = account_id
    return account_id


@pytest.fixture
def team_accounts(clients: AwsClients, ou_tree: OrgTree) -> OrgTree:
    """Accounts the stack can adopt: in place, in the wrong OU, under the root, plus one no learner owns."""
    # Upper case on purpose: AWS compares account emails case-insensitively.
    add_account(clients, ou_tree, "sbx-jdoe", "AWS-Sandbox+JDoe@Example.com", "sbx-data-eng-2027q1")
    add_account(clients, ou_tree, "sbx-asmith", "aws-sandbox+asmith@example.com", "sbx-suspended")
    add_account(clients, ou_tree, "sbx-kwong", "aws-sandbox+kwong@example.com", "sbx-suspended")
    add_account(clients, ou_tree, "hana-old-name", "aws-sandbox+hsato@example.com", None)
    add_account(clients, ou_tree, "stray", "stray@example.com", "sbx-ml-research")
    return ou_tree


@pytest.fixture
def problem_accounts(clients: AwsClients, team_accounts: OrgTree) -> OrgTree:
    """Add accounts the stack cannot adopt: one in a foreign OU and one closed."""
    add_account(clients, team_accounts, "prod-obrien", "aws-sandbox+obrien@example.com", "workloads")
    closed = add_account(clients, team_accounts, "sbx-tjohnson", "aws-sandbox+tjohnson@example.com", "sbx-suspended")
    clients.organizations.close_account(AccountId=closed)
    return team_accounts


@pytest.fixture
def budgets(clients: AwsClients, organization: str) -> dict[str, Any]:
    """Create the jdoe and kwong budgets in the management account with spend seeded."""
    account_id = clients.sts.get_caller_identity()["Account"]
    seeded = {"sbx-jdoe": (75, 12.5), "sbx-kwong": (50, 51.25)}
    for name, (limit, actual) in seeded.items():
        clients.budgets.create_budget(AccountId=account_id, Budget={
            "BudgetName": name,
            "BudgetLimit": {"Amount": str(limit), "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
            # moto stores CalculatedSpend as given, in place of the spend Budgets would calculate.
            "CalculatedSpend": {"ActualSpend": {"Amount": str(actual), "Unit": "USD"}},
        })
    return {"account_id": account_id, "seeded": seeded}


@pytest.fixture
def billing_metric(clients: AwsClients) -> None:
    """Publish the metric AWS publishes once billing alerts are on; moto accepts the AWS/ namespace."""
    clients.billing_cloudwatch.put_metric_data(Namespace="AWS/Billing", MetricData=[{
        "MetricName": "EstimatedCharges",
        "Dimensions": [{"Name": "Currency", "Value": "USD"}],
        "Value": 12.0,
    }])

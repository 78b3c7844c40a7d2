"""Preflight checks against moto, with a Stubber where moto lacks an API."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import Stubber

from tests.vending.aws_fixtures import OrgTree
from vending.aws.clients import AwsClients
from vending.aws.organization import Organization
from vending.aws.preflight import CheckResult, check_caller, run_preflight
from vending.roster import Roster
from vending.settings import StackSettings

MANAGEMENT = "123456789012"
MEMBER = "210987654321"


def by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {result.name: result for result in results}


@pytest.fixture
def ready(team_accounts: OrgTree, billing_metric: None) -> OrgTree:
    """An organization where every check passes, given a large enough quota."""
    return team_accounts


def test_all_checks_pass(clients: AwsClients, ready: OrgTree, settings: StackSettings, roster: Roster) -> None:
    results = run_preflight(clients, settings, roster, account_quota=100)

    assert [result.name for result in results if result.status != "PASS"] == []


def test_missing_scp_policy_type(clients: AwsClients, ready: OrgTree, settings: StackSettings,
                                 roster: Roster) -> None:
    clients.organizations.disable_policy_type(RootId=ready.root_id, PolicyType="SERVICE_CONTROL_POLICY")

    result = by_name(run_preflight(clients, settings, roster, account_quota=100))["SCP policy type"]

    assert result.status == "FAIL"
    assert f"--root-id {ready.root_id}" in result.fix


def test_consolidated_billing_only(clients: AwsClients, settings: StackSettings, roster: Roster,
                                   mocked_aws: None) -> None:
    clients.organizations.create_organization(FeatureSet="CONSOLIDATED_BILLING")

    result = by_name(run_preflight(clients, settings, roster, account_quota=100))["all features"]

    assert result.status == "FAIL"


def test_no_identity_center_instance(clients: AwsClients, ready: OrgTree, settings: StackSettings,
                                     roster: Roster) -> None:
    """moto always has one Identity Center instance, so a Stubber returns none."""
    with Stubber(clients.sso_admin) as stubber:
        stubber.add_response("list_instances", {"Instances": []})
        result = by_name(run_preflight(clients, settings, roster, account_quota=100))["Identity Center"]

    assert result.status == "FAIL"
    assert "Enable" in result.fix


def test_identity_center_skipped_for_iam_role(clients: AwsClients, ready: OrgTree, settings: StackSettings,
                                              roster: Roster) -> None:
    iam_role = settings.model_copy(update={"access_mode": "iam_role"})

    result = by_name(run_preflight(clients, iam_role, roster, account_quota=100))["Identity Center"]

    assert result.status == "SKIP"


def test_no_billing_metric(clients: AwsClients, team_accounts: OrgTree, settings: StackSettings,
                           roster: Roster) -> None:
    result = by_name(run_preflight(clients, settings, roster, account_quota=100))["billing alerts"]

    assert result.status == "WARN"
    assert "Receive CloudWatch billing alerts" in result.fix


@pytest.mark.parametrize(
    ("quota", "expected"),
    [
        # 6 accounts exist (management + 5) and 7 roster learners still need one: 13 in all.
        pytest.param(10, "FAIL", id="default-quota"),
        pytest.param(12, "FAIL", id="one-short"),
        pytest.param(13, "PASS", id="exactly-enough"),
    ],
)
def test_account_quota_headroom(clients: AwsClients, ready: OrgTree, settings: StackSettings, roster: Roster,
                                quota: int, expected: str) -> None:
    result = by_name(run_preflight(clients, settings, roster, account_quota=quota))["account quota"]

    assert result.status == expected
    assert "6 accounts now + 7 to create = 13" in result.detail


def test_email_collision(clients: AwsClients, problem_accounts: OrgTree, billing_metric: None,
                         settings: StackSettings, roster: Roster) -> None:
    result = by_name(run_preflight(clients, settings, roster, account_quota=100))["email collisions"]

    assert result.status == "FAIL"
    assert "learner obrien" in result.detail
    assert "learner tjohnson" in result.detail


def test_not_in_organization(clients: AwsClients, settings: StackSettings, roster: Roster) -> None:
    results = by_name(run_preflight(clients, settings, roster))

    assert results["organization"].status == "FAIL"
    assert results["email collisions"].status == "SKIP"


def _member_org() -> Organization:
    return Organization(id="o-example", feature_set="ALL", management_account_id=MANAGEMENT, root_id="r-abcd",
                        root_policy_types={}, accounts=[])


def _stub_caller(clients: AwsClients, stack: list[Stubber]) -> None:
    sts = Stubber(clients.sts)
    sts.add_response("get_caller_identity", {"Account": MEMBER, "Arn": f"arn:aws:iam::{MEMBER}:root",
                                             "UserId": "AIDEXAMPLE"})
    sts.activate()
    stack.append(sts)


@pytest.mark.parametrize(
    ("policy_response", "expected"),
    [
        pytest.param({"ResourcePolicy": {"Content": f'{{"Principal": {{"AWS": "arn:aws:iam::{MEMBER}:root"}}}}'}},
                     "WARN", id="delegated-administrator"),
        pytest.param("ResourcePolicyNotFoundException", "FAIL", id="no-delegation-policy"),
        pytest.param("AccessDeniedException", "FAIL", id="plain-member"),
    ],
)
def test_caller_not_management(clients: AwsClients, policy_response: Any, expected: str) -> None:
    """moto lacks DescribeResourcePolicy, so Stubbers return the STS and Organizations responses."""
    stubbers: list[Stubber] = []
    _stub_caller(clients, stubbers)
    organizations = Stubber(clients.organizations)
    if isinstance(policy_response, str):
        organizations.add_client_error("describe_resource_policy", service_error_code=policy_response)
    else:
        organizations.add_response("describe_resource_policy", policy_response)
    with organizations:
        result = check_caller(clients, _member_org())
    for stubber in stubbers:
        stubber.deactivate()

    assert result.status == expected
    assert MEMBER in result.detail


def test_caller_is_management(clients: AwsClients, organization: str) -> None:
    from vending.aws.organization import read_organization

    result = check_caller(clients, read_organization(clients, "sbx"))

    assert result.status == "PASS"

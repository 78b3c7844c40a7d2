"""Access rules without the engine: shared account status, settings checks, the readiness wait."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from vending.access import shared_account_status, switch_role_url
from vending.errors import AwsOperationError, ValidationError
from vending.readiness import wait_until_assumable
from vending.settings import settings_from_values

STATUSES = [
    ("one active member", ["suspended", "active", "closed"], "active"),
    ("all closed", ["closed", "closed"], "closed"),
    ("suspended and closed", ["suspended", "closed"], "suspended"),
    ("all suspended", ["suspended"], "suspended"),
    ("no members", [], "suspended"),
]


@pytest.mark.parametrize(("case", "members", "expected"), STATUSES, ids=[c[0] for c in STATUSES])
def test_shared_account_status(case: str, members: list[Any], expected: str) -> None:
    assert shared_account_status(members) == expected


def test_switch_role_url() -> None:
    assert switch_role_url("123456789012", "sbx-learner-admin") == (
        "https://signin.aws.amazon.com/switchrole?roleName=sbx-learner-admin&account=123456789012"
    )


BASE = {"opsEmails": ["ops@example.com"]}
BAD_SETTINGS = [
    (
        "boundary arn and name",
        {
            "permissionsBoundaryPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess",
            "permissionsBoundaryPolicyName": "boundary",
        },
        "not both",
    ),
    ("boundary arn malformed", {"permissionsBoundaryPolicyArn": "PowerUserAccess"}, "permissionsBoundaryPolicyArn"),
    (
        "boundary path without slashes",
        {"permissionsBoundaryPolicyName": "b", "permissionsBoundaryPolicyPath": "x"},
        "permissionsBoundaryPolicyPath",
    ),
    ("deny policy not json", {"learnerDenyPolicy": "{not json"}, "not valid JSON"),
    (
        "deny policy with allow",
        {
            "learnerDenyPolicy": '{"Version": "2012-10-17", "Statement": '
            '[{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
        },
        "statement(s) [0]",
    ),
    ("deny policy without statements", {"learnerDenyPolicy": {"Version": "2012-10-17", "Statement": []}}, "non-empty"),
    ("principal not an arn", {"identityAccountPrincipals": {"ana": ["ana"]}}, "not IAM user, role or account root"),
    ("principal list empty", {"identityAccountPrincipals": {"ana": []}}, "empty principal list: ana"),
    ("ready timeout zero", {"accountReadyTimeoutMinutes": 0}, "accountReadyTimeoutMinutes"),
]


@pytest.mark.parametrize(("case", "values", "expected"), BAD_SETTINGS, ids=[c[0] for c in BAD_SETTINGS])
def test_bad_access_settings(case: str, values: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        settings_from_values({**BASE, **values}, "stack")
    assert expected in str(caught.value)


def test_deny_policy_accepts_mapping() -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    settings = settings_from_values({**BASE, "learnerDenyPolicy": policy}, "stack")
    assert settings.learner_deny_policy == policy


ROLE_ARN = "arn:aws:iam::123456789012:role/OrganizationAccountAccessRole"
CREDENTIALS = {
    "Credentials": {
        "AccessKeyId": "ASIAEXAMPLEEXAMPLE00",
        "SecretAccessKey": "secret",
        "SessionToken": "token",
        "Expiration": "2030-01-01T00:00:00Z",
    },
}


class FakeClock:
    """A clock that advances only when ``sleep`` is called."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def time(self) -> float:
        return self.now


def stubbed_sts(responses: list[str]) -> tuple[Any, Stubber]:
    """Return an STS client whose AssumeRole returns, call by call, each item: "ok" or an error code."""
    client = boto3.client("sts", region_name="us-east-1")
    stubber = Stubber(client)
    expected = {"RoleArn": ROLE_ARN, "RoleSessionName": "sandbox-vending-readiness", "DurationSeconds": 900}
    for item in responses:
        if item == "ok":
            stubber.add_response("assume_role", CREDENTIALS, expected)
        else:
            stubber.add_client_error(
                "assume_role", service_error_code=item, http_status_code=403, expected_params=expected
            )
    stubber.activate()
    return client, stubber


def test_wait_retries_access_denied() -> None:
    client, stubber = stubbed_sts(["AccessDenied", "AccessDenied", "ok"])
    clock = FakeClock()
    attempts = wait_until_assumable(client, ROLE_ARN, 600, sleep=clock.sleep, clock=clock.time)
    assert attempts == 3
    assert clock.sleeps == [5.0, 10.0]
    stubber.assert_no_pending_responses()


def test_wait_times_out() -> None:
    client, _ = stubbed_sts(["AccessDenied"] * 10)
    clock = FakeClock()
    with pytest.raises(AwsOperationError) as caught:
        wait_until_assumable(client, ROLE_ARN, 60, sleep=clock.sleep, clock=clock.time)
    assert "still denied" in str(caught.value)
    assert clock.now <= 60


def test_wait_fails_fast_on_other_errors() -> None:
    client, _ = stubbed_sts(["InvalidClientTokenId"])
    clock = FakeClock()
    with pytest.raises(AwsOperationError) as caught:
        wait_until_assumable(client, ROLE_ARN, 600, sleep=clock.sleep, clock=clock.time)
    assert "InvalidClientTokenId" in str(caught.value)
    assert clock.sleeps == []


def test_shared_team_subscriber_limit() -> None:
    from vending.roster import parse_roster_text

    members = "\n".join(f"      - {{id: m{index}, name: M{index}, email: m{index}@example.com}}" for index in range(9))
    text = (
        'version: 1\ndefaults:\n  budget_usd: 50\n  account_email: "sbx+{learner}@example.com"\nteams:\n'
        "  - id: big\n    name: Big\n    shared_account: true\n    instructors: [lead@example.com]\n"
        f"    learners:\n{members}\n"
    )
    settings = settings_from_values(BASE, "stack")
    with pytest.raises(ValidationError) as caught:
        parse_roster_text(text, "roster.yaml", settings)
    assert "would have 11 email subscribers (9 members, 1 instructors, 1 ops emails)" in str(caught.value)

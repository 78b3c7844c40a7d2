"""Access rules: shared account status, identity-account principals, trust policies and sign-in URLs.

Plain Python shared by the Pulumi program, the offline plan and ``sandboxctl
welcome``. Nothing here declares resources.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from vending import names
from vending.roster import Learner, Roster, Status
from vending.settings import StackSettings

# The console's "Switch role" page, pre-filled with the role and account.
# Source: https://repost.aws/knowledge-center/iam-user-role-link
SWITCH_ROLE_URL = "https://signin.aws.amazon.com/switchrole"


@dataclass(frozen=True)
class PermissionsBoundary:
    """A permissions boundary: a policy ARN, or a customer managed policy found by name in each account."""

    policy_arn: str | None = None
    policy_name: str | None = None
    policy_path: str = "/"

    def arn_in(self, account_id: str) -> str:
        """Return the boundary policy ARN as seen from ``account_id``."""
        if self.policy_arn:
            return self.policy_arn
        return f"arn:aws:iam::{account_id}:policy{self.policy_path}{self.policy_name}"


def permissions_boundary(settings: StackSettings) -> PermissionsBoundary | None:
    if settings.permissions_boundary_policy_arn:
        return PermissionsBoundary(policy_arn=settings.permissions_boundary_policy_arn)
    if settings.permissions_boundary_policy_name:
        return PermissionsBoundary(
            policy_name=settings.permissions_boundary_policy_name,
            policy_path=settings.permissions_boundary_policy_path,
        )
    return None


def shared_account_status(statuses: Iterable[Status]) -> Status:
    """Return the status of a team's shared account from its members' effective statuses.

    The account is active while any member is active, and closed only when
    every member is closed. Otherwise (a mix of suspended and closed, or no
    members) it is suspended.
    """
    values = list(statuses)
    if "active" in values:
        return "active"
    if values and all(value == "closed" for value in values):
        return "closed"
    return "suspended"


def session_hours(settings: StackSettings) -> int:
    """Return ``sessionDuration`` (``PT<n>H``) in hours."""
    return int(settings.session_duration.removeprefix("PT").removesuffix("H"))


def missing_principals(roster: Roster, settings: StackSettings, today: date) -> list[str]:
    """List every active learner with no entry in ``identityAccountPrincipals``."""
    return [
        f"learner '{learner.id}' (team {learner.team_id})"
        for learner in roster.learners
        if learner.effective_status(today) == "active" and learner.id not in settings.identity_account_principals
    ]


def trust_principals(members: Sequence[Learner], settings: StackSettings, today: date) -> list[str]:
    """Return the sorted identity-account principals of the active ``members``."""
    arns = {
        arn
        for learner in members
        if learner.effective_status(today) == "active"
        for arn in settings.identity_account_principals.get(learner.id, [])
    }
    return sorted(arns)


def trust_policy(principals: Sequence[str]) -> dict[str, Any]:
    """Return the trust policy of the learner admin role: the given principals, with MFA only."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "LearnersWithMfa",
                "Effect": "Allow",
                "Principal": {"AWS": list(principals)},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        ],
    }


def switch_role_url(account_id: str, role_name: str) -> str:
    return f"{SWITCH_ROLE_URL}?{urlencode({'roleName': role_name, 'account': account_id})}"


def sign_in_url(settings: StackSettings, account_id: str) -> str | None:
    """Return where a learner signs in: the access portal, or the console's switch-role page."""
    if settings.access_mode == "iam_role":
        return switch_role_url(account_id, names.learner_admin_role(settings.prefix))
    return settings.identity_center_portal_url

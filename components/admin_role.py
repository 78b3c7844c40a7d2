"""iam_role access mode: an administrator role inside a member account, reached through a provider per account."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.readiness import AccountReadiness
from vending import names
from vending.access import PermissionsBoundary, trust_policy

ADMIN_ROLE_TYPE = "sandbox:index:AdminRoleAccess"
# Every change through the per-account provider happens under this session
# name, so CloudTrail in the member account shows which changes were ours.
SESSION_NAME = "sandbox-vending"


@dataclass(frozen=True)
class AdminRoleArgs:
    prefix: str
    account_role_name: str
    # IAM principals in the identity account that may assume the role. Empty
    # declares no role, which deletes one that exists (learner suspended or closed).
    principals: Sequence[str]
    policy_arn: str
    max_session_hours: int
    ready_timeout_minutes: int
    boundary: PermissionsBoundary | None = None
    deny_policy: Mapping[str, Any] | None = None
    # The explicit provider reads neither aws:region nor aws:profile from the
    # stack config, so both are passed on.
    region: str | None = None
    profile: str | None = None


class AdminRoleAccess(pulumi.ComponentResource):
    """The readiness step, the provider that works inside the account, and the learner admin role.

    Order: Account -> readiness (waits until the access role can be assumed)
    -> provider -> role. The provider's role ARN is the readiness step's
    output, so the provider cannot be configured before the step completes,
    and every resource inside the account also depends on the step.

    The provider and the readiness step stay declared while the learner is
    suspended or closed: Pulumi deletes the role through that provider, and
    removes dependents before what they depend on, so the role is deleted
    while the account can still be reached. The access role is exempt from
    every guardrail, deny-all included, so this works in the suspended OU.
    """

    readiness: AccountReadiness
    provider: aws.Provider
    role: aws.iam.Role | None

    def __init__(
        self,
        name: str,
        args: AdminRoleArgs,
        account_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(ADMIN_ROLE_TYPE, name, None, opts)
        account_id = pulumi.Output.from_input(account_id)
        access_role_arn = account_id.apply(lambda value: f"arn:aws:iam::{value}:role/{args.account_role_name}")
        self.readiness = AccountReadiness(
            f"{name}-ready",
            role_arn=access_role_arn,
            timeout_minutes=args.ready_timeout_minutes,
            profile=args.profile,
            region=args.region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # NOTE: pulumi-aws documents max_retries for failed or throttled API
        # requests, not for the AssumeRole call the provider makes when it is
        # configured, so the readiness step above is what waits for a new account.
        self.provider = aws.Provider(
            f"{name}-provider",
            assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=self.readiness.role_arn, session_name=SESSION_NAME)],
            region=args.region,
            profile=args.profile,
            default_tags=aws.ProviderDefaultTagsArgs(tags={"ManagedBy": names.PROJECT}),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.readiness]),
        )
        self.role = None
        if args.principals:
            self.role = self._role(name, args, account_id)
        self.register_outputs({"role_arn": self.role.arn if self.role else None})

    def _inside(self) -> pulumi.ResourceOptions:
        """Options of a resource inside the member account."""
        return pulumi.ResourceOptions(parent=self, provider=self.provider, depends_on=[self.readiness])

    def _role(self, name: str, args: AdminRoleArgs, account_id: pulumi.Output[str]) -> aws.iam.Role:
        boundary = args.boundary
        role = aws.iam.Role(
            f"{name}-role",
            name=names.learner_admin_role(args.prefix),
            description="Administrator access for the learners of this sandbox; assumed with MFA only.",
            assume_role_policy=json.dumps(trust_policy(args.principals), sort_keys=True),
            max_session_duration=args.max_session_hours * 3600,
            permissions_boundary=account_id.apply(boundary.arn_in) if boundary else None,
            opts=self._inside(),
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-role-policy",
            role=role.name,
            policy_arn=args.policy_arn,
            opts=self._inside(),
        )
        if args.deny_policy is not None:
            aws.iam.RolePolicy(
                f"{name}-role-deny",
                role=role.name,
                policy=json.dumps(args.deny_policy, sort_keys=True),
                opts=self._inside(),
            )
        return role

"""IAM Identity Center permission sets shared by every sandbox, and the access each sandbox gets.

``SandboxAccessBuilder`` is plain wiring, not a component: it turns the
members and instructors of a sandbox into the assignments (identity_center
mode) or the admin role arguments (iam_role mode) that ``Sandbox`` declares.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pulumi
import pulumi_aws as aws

from components.admin_role import AdminRoleArgs
from components.learner import Assignment
from vending import names
from vending.access import PermissionsBoundary, permissions_boundary, session_hours, trust_principals
from vending.lookups import IdentityDirectory
from vending.roster import Learner, Team
from vending.settings import StackSettings


@dataclass
class IdentityCenterAccessArgs:
    prefix: str
    instance_arn: pulumi.Input[str]
    session_duration: str
    learner_policy_arn: str
    instructor_policy_arn: str
    learner_boundary: PermissionsBoundary | None = None
    learner_deny_policy: Mapping[str, Any] | None = None


class IdentityCenterAccess(pulumi.ComponentResource):
    """The learner's admin permission set and the instructors' read-only one.

    The learner's set may carry a permissions boundary and an inline deny
    policy. Both sets use the stack's session duration.
    """

    learner_permission_set: aws.ssoadmin.PermissionSet
    instructor_permission_set: aws.ssoadmin.PermissionSet

    def __init__(self, name: str, args: IdentityCenterAccessArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sandbox:index:IdentityCenterAccess", name, None, opts)
        self.learner_permission_set = self._permission_set(
            f"{name}-learner",
            args,
            names.learner_permission_set(args.prefix),
            "Administrator access to a learner's own sandbox account.",
            args.learner_policy_arn,
        )
        self._learner_limits(f"{name}-learner", args)
        self.instructor_permission_set = self._permission_set(
            f"{name}-instructor",
            args,
            names.instructor_permission_set(args.prefix),
            "Read-only access for instructors to their team's sandbox accounts.",
            args.instructor_policy_arn,
        )
        self.register_outputs(
            {
                "learner_permission_set_arn": self.learner_permission_set.arn,
                "instructor_permission_set_arn": self.instructor_permission_set.arn,
            }
        )

    def _permission_set(
        self, name: str, args: IdentityCenterAccessArgs, aws_name: str, description: str, policy_arn: str
    ) -> aws.ssoadmin.PermissionSet:
        permission_set = aws.ssoadmin.PermissionSet(
            name,
            name=aws_name,
            description=description,
            instance_arn=args.instance_arn,
            session_duration=args.session_duration,
            tags={"ManagedBy": names.PROJECT},
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.ssoadmin.ManagedPolicyAttachment(
            f"{name}-policy",
            instance_arn=args.instance_arn,
            permission_set_arn=permission_set.arn,
            managed_policy_arn=policy_arn,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return permission_set

    def _learner_limits(self, name: str, args: IdentityCenterAccessArgs) -> None:
        boundary = args.learner_boundary
        if boundary is not None:
            if boundary.policy_arn:
                spec = aws.ssoadmin.PermissionsBoundaryAttachmentPermissionsBoundaryArgs(
                    managed_policy_arn=boundary.policy_arn
                )
            else:
                # Identity Center looks the policy up by name and path in each
                # account the set is assigned to, so it must exist in every one.
                spec = aws.ssoadmin.PermissionsBoundaryAttachmentPermissionsBoundaryArgs(
                    customer_managed_policy_reference=aws.ssoadmin.PermissionsBoundaryAttachmentPermissionsBoundaryCustomerManagedPolicyReferenceArgs(
                        name=boundary.policy_name or "", path=boundary.policy_path
                    )
                )
            aws.ssoadmin.PermissionsBoundaryAttachment(
                f"{name}-boundary",
                instance_arn=args.instance_arn,
                permission_set_arn=self.learner_permission_set.arn,
                permissions_boundary=spec,
                opts=pulumi.ResourceOptions(parent=self),
            )
        if args.learner_deny_policy is not None:
            aws.ssoadmin.PermissionSetInlinePolicy(
                f"{name}-deny",
                instance_arn=args.instance_arn,
                permission_set_arn=self.learner_permission_set.arn,
                inline_policy=json.dumps(args.learner_deny_policy, sort_keys=True),
                opts=pulumi.ResourceOptions(parent=self),
            )


class SandboxAccessBuilder:
    """Build the access arguments of one sandbox from its members and its team's instructors."""

    def __init__(
        self,
        settings: StackSettings,
        today: date,
        directory: IdentityDirectory | None,
        learner_permission_set_arn: pulumi.Input[str] | None,
        instructor_permission_set_arn: pulumi.Input[str] | None,
    ) -> None:
        self.settings = settings
        self.today = today
        self.directory = directory
        self.learner_permission_set_arn = learner_permission_set_arn
        self.instructor_permission_set_arn = instructor_permission_set_arn

    def assignments(self, team: Team, members: Sequence[Learner], member_key: str) -> list[Assignment]:
        """Return the Identity Center assignments of a sandbox; none unless some member is active.

        ``member_key`` formats each member's assignment key from ``{learner}``.
        """
        directory = self.directory
        learner_set, instructor_set = self.learner_permission_set_arn, self.instructor_permission_set_arn
        active = [learner for learner in members if learner.effective_status(self.today) == "active"]
        if directory is None or learner_set is None or instructor_set is None or not active:
            return []
        found: list[Assignment] = [
            Assignment(
                member_key.format(learner=learner.id),
                _require(directory.user_id(learner.user_name), learner.user_name),
                "USER",
                learner_set,
            )
            for learner in active
        ]
        for instructor in team.instructors:
            found.append(
                Assignment(
                    f"instructor-{instructor}",
                    _require(directory.user_id(instructor), instructor),
                    "USER",
                    instructor_set,
                )
            )
        if team.instructor_group:
            found.append(
                Assignment(
                    "instructor-group",
                    _require(directory.group_id(team.instructor_group), team.instructor_group),
                    "GROUP",
                    instructor_set,
                )
            )
        return found

    def admin_role(self, members: Sequence[Learner]) -> AdminRoleArgs | None:
        """Return the admin role arguments in iam_role mode, with the active members' principals."""
        settings = self.settings
        if settings.access_mode != "iam_role":
            return None
        aws_config = pulumi.Config("aws")
        return AdminRoleArgs(
            prefix=settings.prefix,
            account_role_name=settings.account_role_name,
            principals=trust_principals(members, settings, self.today),
            policy_arn=settings.learner_policy_arn,
            max_session_hours=session_hours(settings),
            ready_timeout_minutes=settings.account_ready_timeout_minutes,
            boundary=permissions_boundary(settings),
            deny_policy=settings.learner_deny_policy,
            region=aws_config.get("region"),
            profile=aws_config.get("profile"),
        )


def _require(principal_id: str | None, name: str) -> str:
    # lookup_directory() has already rejected a roster with unknown users or groups.
    if principal_id is None:
        raise pulumi.RunError(f"Identity Center principal '{name}' not found")
    return principal_id

"""IAM Identity Center permission sets shared by every sandbox."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from vending import names


@dataclass
class IdentityCenterAccessArgs:
    prefix: str
    instance_arn: pulumi.Input[str]
    session_duration: str
    learner_policy_arn: str
    instructor_policy_arn: str


class IdentityCenterAccess(pulumi.ComponentResource):
    """The learner's admin permission set and the instructors' read-only one."""

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

"""A step that completes only when a new member account's access role can be assumed.

Nothing inside a member account may be created before this step: the
provider that works there assumes the same role, and fails at once while the
new account is still being set up.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi.dynamic


class _AssumeRoleWaiter(pulumi.dynamic.ResourceProvider):
    """Dynamic provider whose create waits, with boto3, until sts:AssumeRole on ``role_arn`` succeeds.

    Pulumi runs dynamic providers only during ``pulumi up`` (never in preview),
    in a process of this project's Python environment, so boto3 and the
    ``vending`` package are importable there.
    """

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        import boto3

        from vending.readiness import wait_until_assumable

        session = boto3.Session(profile_name=props.get("profile") or None, region_name=props.get("region") or None)
        attempts = wait_until_assumable(
            session.client("sts"), props["role_arn"], timeout_seconds=float(props["timeout_minutes"]) * 60
        )
        return pulumi.dynamic.CreateResult(id_=props["role_arn"], outs={**props, "attempts": attempts})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        # Only a different role (another account) needs a new wait.
        replaces = ["role_arn"] if olds.get("role_arn") != news.get("role_arn") else []
        settings = ("timeout_minutes", "profile", "region")
        changed = replaces or [key for key in settings if olds.get(key) != news.get(key)]
        return pulumi.dynamic.DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        return pulumi.dynamic.UpdateResult(outs=news)


class AccountReadiness(pulumi.dynamic.Resource):
    """Completes once ``role_arn`` accepts sts:AssumeRole; ``role_arn`` resolves only then."""

    role_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        role_arn: pulumi.Input[str],
        timeout_minutes: int,
        profile: str | None,
        region: str | None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(
            _AssumeRoleWaiter(),
            name,
            {"role_arn": role_arn, "timeout_minutes": timeout_minutes, "profile": profile, "region": region},
            opts,
        )

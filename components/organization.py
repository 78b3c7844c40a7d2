"""The OU tree: ``<prefix>-sandboxes`` under the root, a team OU per team and ``<prefix>-suspended``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from vending import names
from vending.roster import Team


@dataclass
class OrganizationStructureArgs:
    prefix: str
    root_id: pulumi.Input[str]
    teams: Sequence[Team]


class OrganizationStructure(pulumi.ComponentResource):
    """Organizational units that place every sandbox account.

    The suspended OU sits under the sandboxes OU, so a suspended account keeps
    every sandbox guardrail and gets the deny-all policy on top.
    """

    sandboxes: aws.organizations.OrganizationalUnit
    suspended: aws.organizations.OrganizationalUnit
    team_ous: dict[str, aws.organizations.OrganizationalUnit]

    def __init__(self, name: str, args: OrganizationStructureArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sandbox:index:OrganizationStructure", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = {"ManagedBy": names.PROJECT}
        self.sandboxes = aws.organizations.OrganizationalUnit(
            f"{name}-sandboxes",
            name=names.sandboxes_ou(args.prefix),
            parent_id=args.root_id,
            tags=tags,
            opts=child,
        )
        under_sandboxes = pulumi.ResourceOptions(parent=self, depends_on=[self.sandboxes])
        self.suspended = aws.organizations.OrganizationalUnit(
            f"{name}-suspended",
            name=names.suspended_ou(args.prefix),
            parent_id=self.sandboxes.id,
            tags=tags,
            opts=under_sandboxes,
        )
        self.team_ous = {}
        for team in args.teams:
            # OU names can change in place, so a renamed team keeps its OU and accounts.
            aliases: list[pulumi.Input[pulumi.Alias]] = [
                pulumi.Alias(name=f"{name}-team-{old}") for old in team.previous_ids
            ]
            self.team_ous[team.id] = aws.organizations.OrganizationalUnit(
                f"{name}-team-{team.id}",
                name=names.team_ou(args.prefix, team.id),
                parent_id=self.sandboxes.id,
                tags={**tags, "Team": team.id},
                opts=pulumi.ResourceOptions(parent=self, aliases=aliases),
            )
        self.register_outputs(
            {
                "sandboxes_ou_id": self.sandboxes.id,
                "suspended_ou_id": self.suspended.id,
                "team_ou_ids": {team_id: ou.id for team_id, ou in self.team_ous.items()},
            }
        )

"""A team's shared sandbox: one account for every member of a team with ``shared_account: true``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from components.learner import Sandbox, SandboxAccount, SandboxArgs
from vending import names
from vending.roster import Learner, Team

# AWS Budgets accepts at most 10 email subscribers on a budget action; the
# roster rules keep members + instructors + ops within that limit.
MAX_ACTION_EMAILS = 10


@dataclass(kw_only=True)
class TeamSandboxArgs(SandboxArgs):
    team: Team
    members: Sequence[Learner]
    account_name: str
    account_email: str


class TeamSandbox(Sandbox):
    """The shared account of a team, named ``team-<team id>``; its budget is the team's."""

    def __init__(self, name: str, args: TeamSandboxArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        team = args.team
        aliases: list[pulumi.Input[pulumi.Alias]] = [
            pulumi.Alias(name=names.team_component(old)) for old in team.previous_ids
        ]
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(aliases=aliases))
        origin = names.team_component(team.previous_ids[0] if team.previous_ids else team.id)
        spec = SandboxAccount(
            component=name,
            origin_id=origin,
            account_name=args.account_name,
            account_email=args.account_email,
            budget_usd=team.budget_usd,
            tags={
                "ManagedBy": names.PROJECT,
                "Team": team.id,
                "SharedAccount": "true",
                "Expires": team.expires.isoformat() if team.expires else "never",
            },
            control_tags={"ManagedBy": names.PROJECT, "Team": team.id},
            action_emails=member_emails(args.members)[:MAX_ACTION_EMAILS],
        )
        super().__init__(names.TEAM_TYPE, spec, args, opts)


def member_emails(members: Sequence[Learner]) -> list[str]:
    """Return the contact emails of the members who are not closed, sorted, without duplicates."""
    emails = {learner.email.lower(): learner.email for learner in members if learner.status != "closed"}
    return sorted(emails.values())

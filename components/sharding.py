"""Sharded stacks: an ``org`` stack owns the shared resources, ``team`` stacks own teams.

The org stack declares the sandboxes and suspended OUs, every guardrail
policy, the spend controls and the permission sets, and exports their ids.
A team stack reads those exports through a ``pulumi.StackReference`` and
declares only its teams' OUs, the guardrail attachments of those OUs and
the learners' sandboxes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from vending import names
from vending.roster import Team

# Stack outputs of the org stack that team stacks read.
OUTPUT_SANDBOXES_OU = "sandboxes_ou_id"
OUTPUT_SUSPENDED_OU = "suspended_ou_id"
OUTPUT_TOPIC = "spend_topic_arn"
OUTPUT_ACTION_ROLE = "budget_action_role_arn"
OUTPUT_FREEZE_POLICY = "spend_freeze_policy_id"
OUTPUT_POLICY_IDS = "guardrail_policy_ids"
OUTPUT_LEARNER_PERMISSION_SET = "learner_permission_set_arn"
OUTPUT_INSTRUCTOR_PERMISSION_SET = "instructor_permission_set_arn"


@dataclass
class SharedResources:
    """Ids and ARNs of the shared resources that learners' sandboxes refer to."""

    sandboxes_ou_id: pulumi.Input[str]
    suspended_ou_id: pulumi.Input[str]
    team_ou_ids: Mapping[str, pulumi.Input[str]]
    topic_arn: pulumi.Input[str]
    action_role_arn: pulumi.Input[str]
    freeze_policy_id: pulumi.Input[str]
    policy_ids: Mapping[str, pulumi.Input[str]]
    learner_permission_set_arn: pulumi.Input[str] | None = None
    instructor_permission_set_arn: pulumi.Input[str] | None = None

    def parent_ou_id(self, team_id: str, status: str) -> pulumi.Input[str]:
        """Return the OU an account belongs in: its team's OU while active, else the suspended OU."""
        return self.team_ou_ids[team_id] if status == "active" else self.suspended_ou_id

    def export(self) -> None:
        """Export everything a team stack reads."""
        pulumi.export(OUTPUT_SANDBOXES_OU, self.sandboxes_ou_id)
        pulumi.export(OUTPUT_SUSPENDED_OU, self.suspended_ou_id)
        pulumi.export(OUTPUT_TOPIC, self.topic_arn)
        pulumi.export(OUTPUT_ACTION_ROLE, self.action_role_arn)
        pulumi.export(OUTPUT_FREEZE_POLICY, self.freeze_policy_id)
        pulumi.export(OUTPUT_POLICY_IDS, dict(self.policy_ids))
        if self.learner_permission_set_arn is not None:
            pulumi.export(OUTPUT_LEARNER_PERMISSION_SET, self.learner_permission_set_arn)
        if self.instructor_permission_set_arn is not None:
            pulumi.export(OUTPUT_INSTRUCTOR_PERMISSION_SET, self.instructor_permission_set_arn)


def qualified_stack_name(org_stack: str) -> str:
    """Return ``organization/project/stack``; a bare stack name is taken to be in this organization and project."""
    if org_stack.count("/") == 2:
        return org_stack
    if "/" in org_stack:
        raise pulumi.RunError(
            f"orgStack '{org_stack}' is not a stack name: write 'stack' or 'organization/project/stack'"
        )
    return f"{pulumi.get_organization()}/{pulumi.get_project()}/{org_stack}"


class OrgStackOutputs:
    """The org stack's outputs, read through a ``StackReference``; a missing output fails with the fix."""

    def __init__(self, org_stack: str) -> None:
        self.stack_name = qualified_stack_name(org_stack)
        self.reference = pulumi.StackReference("org-stack", stack_name=self.stack_name)

    def require(self, key: str) -> pulumi.Output[Any]:
        return self.reference.outputs.apply(lambda outputs: self._value(outputs, key))

    def policy_id(self, policy_key: str) -> pulumi.Output[str]:
        return self.require(OUTPUT_POLICY_IDS).apply(lambda ids: self._policy(ids, policy_key))

    def _value(self, outputs: Mapping[str, Any], key: str) -> Any:
        if key not in outputs:
            raise pulumi.RunError(
                f"org stack '{self.stack_name}' has no output '{key}'; run 'pulumi up' on it first "
                "(its stackKind must be org)"
            )
        return outputs[key]

    def _policy(self, ids: Mapping[str, str], policy_key: str) -> str:
        if policy_key not in ids:
            raise pulumi.RunError(
                f"org stack '{self.stack_name}' exports no guardrail policy '{policy_key}'; run 'pulumi up' on the "
                "org stack after roster or guardrail changes, and give both stacks the same guardrail settings"
            )
        return ids[policy_key]


@dataclass
class TeamUnitsArgs:
    prefix: str
    sandboxes_ou_id: pulumi.Input[str]
    teams: Sequence[Team]
    # Guardrail policies attached to each team's OU: (policy key, policy id) pairs by team id.
    team_policies: Mapping[str, Sequence[tuple[str, pulumi.Input[str]]]]


class TeamUnits(pulumi.ComponentResource):
    """A team stack's team OUs under the org stack's sandboxes OU, with their guardrail attachments.

    The stack that owns a team OU declares its attachments, so destroying a
    team stack detaches the policies before it deletes the OU.
    """

    team_ous: dict[str, aws.organizations.OrganizationalUnit]

    def __init__(self, name: str, args: TeamUnitsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sandbox:index:TeamUnits", name, None, opts)
        self.team_ous = {}
        for team in args.teams:
            aliases: list[pulumi.Input[pulumi.Alias]] = [
                pulumi.Alias(name=f"{name}-team-{old}") for old in team.previous_ids
            ]
            ou = aws.organizations.OrganizationalUnit(
                f"{name}-team-{team.id}",
                name=names.team_ou(args.prefix, team.id),
                parent_id=args.sandboxes_ou_id,
                tags={"ManagedBy": names.PROJECT, "Team": team.id},
                opts=pulumi.ResourceOptions(parent=self, aliases=aliases),
            )
            self.team_ous[team.id] = ou
            for policy_key, policy_id in args.team_policies.get(team.id, ()):
                aws.organizations.PolicyAttachment(
                    f"{name}-{policy_key}-team-{team.id}",
                    policy_id=policy_id,
                    target_id=ou.id,
                    opts=pulumi.ResourceOptions(parent=self),
                )
        self.register_outputs({"team_ou_ids": {team_id: ou.id for team_id, ou in self.team_ous.items()}})

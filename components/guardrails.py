"""Service control policies compiled from the guardrail catalog, and their attachments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from vending import names
from vending.guardrails import CompiledPolicy, GuardrailPlan


@dataclass
class GuardrailsArgs:
    plan: GuardrailPlan
    sandboxes_ou_id: pulumi.Input[str]
    suspended_ou_id: pulumi.Input[str]
    team_ou_ids: Mapping[str, pulumi.Input[str]]


class Guardrails(pulumi.ComponentResource):
    """Creates every compiled SCP and attaches it to its target OU.

    The spend-freeze policy is created here but attached by each learner's
    budget action, never by Pulumi, so ``spend_freeze`` is exposed for them.
    """

    spend_freeze: aws.organizations.Policy

    def __init__(self, name: str, args: GuardrailsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sandbox:index:Guardrails", name, None, opts)
        self._name = name
        self._policies: dict[str, aws.organizations.Policy] = {}
        targets: list[tuple[str, pulumi.Input[str], tuple[CompiledPolicy, ...]]] = [
            ("sandboxes", args.sandboxes_ou_id, args.plan.sandboxes),
            ("suspended", args.suspended_ou_id, (args.plan.deny_all,)),
        ]
        self.policy_ids: dict[str, pulumi.Output[str]] = {}
        for team_id, policies in sorted(args.plan.teams.items()):
            if team_id in args.team_ou_ids:
                targets.append((f"team-{team_id}", args.team_ou_ids[team_id], policies))
            else:
                # An org stack creates every policy; the team stack that owns the OU attaches it.
                for policy in policies:
                    self._policy(policy)
        for target_key, target_id, policies in targets:
            for policy in policies:
                resource = self._policy(policy)
                aws.organizations.PolicyAttachment(
                    f"{name}-{policy.key}-{target_key}",
                    policy_id=resource.id,
                    target_id=target_id,
                    opts=pulumi.ResourceOptions(parent=self),
                )
        self.spend_freeze = self._policy(args.plan.spend_freeze)
        self.register_outputs({"policy_ids": self.policy_ids})

    def _policy(self, policy: CompiledPolicy) -> aws.organizations.Policy:
        # One policy may be attached to several targets (several team OUs); create it once.
        if policy.key in self._policies:
            return self._policies[policy.key]
        resource = aws.organizations.Policy(
            f"{self._name}-{policy.key}",
            name=policy.name,
            description=policy.description,
            type="SERVICE_CONTROL_POLICY",
            content=policy.content,
            tags={"ManagedBy": names.PROJECT, "Guardrails": " ".join(policy.guardrail_ids)[:256]},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._policies[policy.key] = resource
        self.policy_ids[policy.key] = resource.id
        return resource

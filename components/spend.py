"""Shared spend controls: the alert topic and the role AWS Budgets uses to apply the freeze SCP."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from vending import names

# CloudWatch publishes billing metrics only in us-east-1, and an alarm can
# notify only a topic in its own region, so the topic lives there too.
BILLING_REGION = "us-east-1"


@dataclass
class SpendControlsArgs:
    prefix: str
    management_account_id: pulumi.Input[str]
    ops_emails: Sequence[str]
    spend_freeze_policy_arn: pulumi.Input[str]


class SpendControls(pulumi.ComponentResource):
    """The SNS topic every budget and billing alarm notifies, and the budget action role."""

    topic: aws.sns.Topic
    action_role: aws.iam.Role

    def __init__(self, name: str, args: SpendControlsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("sandbox:index:SpendControls", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = {"ManagedBy": names.PROJECT}
        self.topic = aws.sns.Topic(
            f"{name}-topic",
            name=names.spend_topic(args.prefix),
            region=BILLING_REGION,
            tags=tags,
            opts=child,
        )
        aws.sns.TopicPolicy(
            f"{name}-topic-policy",
            arn=self.topic.arn,
            region=BILLING_REGION,
            policy=pulumi.Output.all(self.topic.arn, args.management_account_id).apply(
                lambda values: topic_policy(values[0], values[1])
            ),
            opts=child,
        )
        for email in sorted(set(args.ops_emails)):
            # Email subscriptions stay "pending confirmation" until the recipient
            # clicks the link AWS sends; Pulumi does not wait for that.
            aws.sns.TopicSubscription(
                f"{name}-ops-{email}",
                topic=self.topic.arn,
                protocol="email",
                endpoint=email,
                region=BILLING_REGION,
                opts=child,
            )
        self.action_role = aws.iam.Role(
            f"{name}-budget-action-role",
            name=names.budget_action_role(args.prefix),
            description="Assumed by AWS Budgets to attach the spend-freeze SCP to a sandbox account at its hard limit.",
            assume_role_policy=pulumi.Output.from_input(args.management_account_id).apply(budgets_trust_policy),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-budget-action-policy",
            role=self.action_role.id,
            policy=pulumi.Output.from_input(args.spend_freeze_policy_arn).apply(budget_action_permissions),
            opts=child,
        )
        self.register_outputs({"topic_arn": self.topic.arn, "action_role_arn": self.action_role.arn})


def topic_policy(topic_arn: str, account_id: str) -> str:
    """Let AWS Budgets and CloudWatch alarms of this account publish to the topic."""
    statements = [
        {
            "Sid": f"Allow{label}Publish",
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "SNS:Publish",
            "Resource": topic_arn,
            # Confused-deputy guard: only this account's budgets and alarms may publish.
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        }
        for label, service in (("Budgets", "budgets.amazonaws.com"), ("CloudWatch", "cloudwatch.amazonaws.com"))
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def budgets_trust_policy(account_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "budgets.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            ],
        },
        sort_keys=True,
    )


def budget_action_permissions(freeze_policy_arn: str) -> str:
    """Permissions the budget action needs to attach and detach the freeze SCP, and nothing more.

    AWS Budgets calls AttachPolicy when the threshold is crossed and DetachPolicy
    when the action is reversed. Both are authorised on the policy and on the target
    account, so the account part is left open to any account of the organization.
    Source: "Allow AWS Budgets to apply IAM policies and SCPs" in the AWS Cost
    Management user guide (docs.aws.amazon.com/cost-management/latest/userguide/billing-example-policies.html).
    """
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ApplySpendFreeze",
                    "Effect": "Allow",
                    "Action": ["organizations:AttachPolicy", "organizations:DetachPolicy"],
                    "Resource": [freeze_policy_arn, "arn:aws:organizations::*:account/o-*/*"],
                },
                {
                    "Sid": "ReadFreezePolicy",
                    "Effect": "Allow",
                    "Action": ["organizations:DescribePolicy", "organizations:ListTargetsForPolicy"],
                    "Resource": freeze_policy_arn,
                },
                {
                    "Sid": "ReadAccountPolicies",
                    "Effect": "Allow",
                    "Action": "organizations:ListPoliciesForTarget",
                    "Resource": "arn:aws:organizations::*:account/o-*/*",
                },
            ],
        },
        sort_keys=True,
    )

"""Sandbox accounts: the account, its access, and the spend controls that watch it."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pulumi
import pulumi_aws as aws

from components.admin_role import AdminRoleAccess, AdminRoleArgs
from components.spend import BILLING_REGION
from vending import names
from vending.roster import Learner, Status
from vending.settings import BudgetThreshold

# Organizations never returns these two CreateAccount inputs, so the provider
# would report a change (and a replacement) on every refresh or import.
# Source: pulumi-aws organizations.Account docs, "role_name" and import sections.
ACCOUNT_IGNORE_CHANGES = ["roleName", "iamUserAccessToBilling"]


@dataclass
class SpendPolicy:
    """Budget notifications, hard stop and billing alarm settings shared by every learner."""

    thresholds: Sequence[BudgetThreshold]
    hard_stop_percent: float
    alarm_percent: float
    topic_arn: pulumi.Input[str]
    freeze_policy_id: pulumi.Input[str]
    action_role_arn: pulumi.Input[str]


@dataclass
class Assignment:
    """An Identity Center principal to assign to the account with a permission set."""

    key: str
    principal_id: str
    principal_type: str
    permission_set_arn: pulumi.Input[str]


@dataclass(frozen=True)
class SandboxAccount:
    """The values that name and fund one sandbox account: a learner's own, or a team's shared one."""

    component: str  # Pulumi name of the sandbox component; the Account is "<component>-account"
    origin_id: str  # names the budget and the alarm in AWS, and never changes after creation
    account_name: str
    account_email: str
    budget_usd: float
    tags: Mapping[str, str]  # tags of the Account
    control_tags: Mapping[str, str]  # tags of the budget, budget action and alarm
    action_emails: Sequence[str]  # email subscribers of the hard-stop budget action


@dataclass(kw_only=True)
class SandboxArgs:
    """Arguments common to learner sandboxes and shared team sandboxes."""

    status: Status
    prefix: str
    parent_ou_id: pulumi.Input[str]
    account_role_name: str
    iam_user_access_to_billing: str
    closure_timeout: str
    spend: SpendPolicy
    subscriber_emails: Sequence[str]
    instance_arn: pulumi.Input[str] | None = None
    assignments: Sequence[Assignment] = field(default_factory=list)
    admin_role: AdminRoleArgs | None = None
    create_after: Sequence[pulumi.CustomResource] = field(default_factory=list)


@dataclass(kw_only=True)
class LearnerSandboxArgs(SandboxArgs):
    learner: Learner


class Sandbox(pulumi.ComponentResource):
    """One sandbox account plus its access, budget, hard stop and billing alarm.

    Only the Account is protected. Protection is inherited by children, so the
    budget, action, alarm, assignments and admin role are children of this
    component, not of the Account, and can be replaced or removed while the
    account is kept.
    """

    account: aws.organizations.Account
    admin: AdminRoleAccess | None

    def __init__(
        self,
        type_token: str,
        spec: SandboxAccount,
        args: SandboxArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(type_token, spec.component, None, opts)
        name = spec.component
        self.account = self._account(spec, args)
        for assignment in args.assignments:
            aws.ssoadmin.AccountAssignment(
                f"{name}-{assignment.key}",
                instance_arn=args.instance_arn,
                permission_set_arn=assignment.permission_set_arn,
                principal_id=assignment.principal_id,
                principal_type=assignment.principal_type,
                target_id=self.account.id,
                target_type="AWS_ACCOUNT",
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.admin = None
        if args.admin_role is not None:
            self.admin = AdminRoleAccess(
                f"{name}-admin", args.admin_role, self.account.id, opts=pulumi.ResourceOptions(parent=self)
            )
        budget = self._budget(spec, args)
        self._hard_stop(spec, args, budget)
        self._alarm(spec, args)
        self.register_outputs({"account_id": self.account.id, "status": args.status})

    def _account(self, spec: SandboxAccount, args: SandboxArgs) -> aws.organizations.Account:
        return aws.organizations.Account(
            names.account_resource(spec.component),
            name=spec.account_name,
            email=spec.account_email,
            parent_id=args.parent_ou_id,
            role_name=args.account_role_name,
            iam_user_access_to_billing=args.iam_user_access_to_billing,
            # Deleting the resource closes the account instead of leaving it
            # standalone outside the organization with no guardrails.
            close_on_deletion=after(args.create_after, True),
            tags=dict(spec.tags),
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.status != "closed",
                ignore_changes=ACCOUNT_IGNORE_CHANGES,
                # CloseAccount returns at once; the provider then waits for the
                # account to leave ACTIVE, which AWS documents can take some time.
                custom_timeouts=pulumi.CustomTimeouts(delete=args.closure_timeout),
            ),
        )

    def _budget(self, spec: SandboxAccount, args: SandboxArgs) -> aws.budgets.Budget:
        emails = sorted(set(args.subscriber_emails))
        notifications = [
            aws.budgets.BudgetNotificationArgs(
                comparison_operator="GREATER_THAN",
                notification_type=threshold.type,
                threshold=threshold.percent,
                threshold_type="PERCENTAGE",
                subscriber_email_addresses=emails,
                subscriber_sns_topic_arns=[args.spend.topic_arn],
            )
            for threshold in args.spend.thresholds
        ]
        return aws.budgets.Budget(
            f"{spec.component}-budget",
            name=names.budget(args.prefix, spec.origin_id),
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=f"{spec.budget_usd:.2f}",
            limit_unit="USD",
            cost_filters=[aws.budgets.BudgetCostFilterArgs(name="LinkedAccount", values=[self.account.id])],
            # Spend paid for by credits or offset by refunds still counts against
            # the sandbox: credits run out, and the learner should see real usage.
            cost_types=aws.budgets.BudgetCostTypesArgs(include_credit=False, include_refund=False),
            notifications=notifications,
            tags=dict(spec.control_tags),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _hard_stop(self, spec: SandboxAccount, args: SandboxArgs, budget: aws.budgets.Budget) -> None:
        aws.budgets.BudgetAction(
            f"{spec.component}-hard-stop",
            budget_name=budget.name,
            action_type="APPLY_SCP_POLICY",
            approval_model="AUTOMATIC",
            notification_type="ACTUAL",
            action_threshold=aws.budgets.BudgetActionActionThresholdArgs(
                action_threshold_type="PERCENTAGE",
                action_threshold_value=args.spend.hard_stop_percent,
            ),
            definition=aws.budgets.BudgetActionDefinitionArgs(
                scp_action_definition=aws.budgets.BudgetActionDefinitionScpActionDefinitionArgs(
                    policy_id=args.spend.freeze_policy_id,
                    target_ids=[self.account.id],
                ),
            ),
            execution_role_arn=args.spend.action_role_arn,
            subscribers=[
                aws.budgets.BudgetActionSubscriberArgs(subscription_type="SNS", address=args.spend.topic_arn),
                *(
                    aws.budgets.BudgetActionSubscriberArgs(subscription_type="EMAIL", address=email)
                    for email in spec.action_emails
                ),
            ],
            tags=dict(spec.control_tags),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _alarm(self, spec: SandboxAccount, args: SandboxArgs) -> None:
        threshold = round(spec.budget_usd * args.spend.alarm_percent / 100, 2)
        aws.cloudwatch.MetricAlarm(
            f"{spec.component}-billing-alarm",
            name=names.billing_alarm(args.prefix, spec.origin_id),
            alarm_description=(
                f"Estimated charges of sandbox {spec.account_name} reached {args.spend.alarm_percent:g}% "
                f"of its {spec.budget_usd:.2f} USD monthly budget."
            ),
            namespace="AWS/Billing",
            metric_name="EstimatedCharges",
            dimensions={"Currency": "USD", "LinkedAccount": self.account.id},
            statistic="Maximum",
            # AWS sends the billing metric several times a day, so a six-hour
            # period usually has a data point; a period without one is not breaching.
            period=21600,
            evaluation_periods=1,
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=threshold,
            # A new account has no billing data yet; that is not an alarm.
            treat_missing_data="notBreaching",
            alarm_actions=[args.spend.topic_arn],
            region=BILLING_REGION,
            tags=dict(spec.control_tags),
            opts=pulumi.ResourceOptions(parent=self),
        )


class LearnerSandbox(Sandbox):
    """A learner's own sandbox account; ``previous_ids`` become aliases so a rename is not a replacement."""

    def __init__(self, name: str, args: LearnerSandboxArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        learner = args.learner
        aliases: list[pulumi.Input[pulumi.Alias]] = [
            pulumi.Alias(name=names.learner_component(old)) for old in learner.previous_ids
        ]
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(aliases=aliases))
        spec = SandboxAccount(
            component=name,
            origin_id=learner.origin_id,
            account_name=learner.account_name,
            account_email=learner.account_email,
            budget_usd=learner.budget_usd,
            tags={
                "ManagedBy": names.PROJECT,
                "Team": learner.team_id,
                "Learner": learner.id,
                "Expires": learner.expires.isoformat() if learner.expires else "never",
            },
            control_tags={"ManagedBy": names.PROJECT, "Learner": learner.id},
            action_emails=[learner.email],
        )
        super().__init__(names.LEARNER_TYPE, spec, args, opts)


def after(resources: Sequence[pulumi.CustomResource], value: bool) -> pulumi.Input[bool]:
    """Return ``value`` once every resource in ``resources`` has been created.

    Creation lanes use this to hold a new account back until its predecessor
    exists: during ``pulumi up`` the SDK registers a resource only when all its
    inputs have resolved, and the predecessor's id resolves when AWS has created
    it. The wait goes through a plain awaitable, so neither the engine nor the
    SDK records a dependency. A recorded one would persist in the state, and
    the SDK's cycle check walks the whole chain behind every dependency with
    recursive generators, which cProfile showed taking 102 s of a 206 s offline
    run at 2,500 learners (pulumi 3.272.0). In a preview the ids come back at
    once, so nothing waits and the value stays known.
    """
    if not resources:
        return value
    waits: list[pulumi.Output[Any]] = [
        pulumi.Output.from_input(cast(Awaitable[Any], resource.id.future(with_unknowns=True))) for resource in resources
    ]
    return pulumi.Output.all(*waits).apply(lambda _ids: value)

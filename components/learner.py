"""One learner's sandbox: the account, its access, and the spend controls that watch it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

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


@dataclass
class LearnerSandboxArgs:
    learner: Learner
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
    create_after: Sequence[pulumi.Resource] = field(default_factory=list)


class LearnerSandbox(pulumi.ComponentResource):
    """The learner's AWS account plus its access, budget, hard stop and billing alarm.

    Only the Account is protected. Protection is inherited by children, so the
    budget, action, alarm and assignments are children of this component, not
    of the Account, and can be replaced or removed while the account is kept.
    """

    account: aws.organizations.Account

    def __init__(self, name: str, args: LearnerSandboxArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        learner = args.learner
        aliases: list[pulumi.Input[pulumi.Alias]] = [
            pulumi.Alias(name=names.learner_component(old)) for old in learner.previous_ids
        ]
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(aliases=aliases))
        super().__init__(names.LEARNER_TYPE, name, None, opts)
        self.account = self._account(name, args)
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
        budget = self._budget(name, args)
        self._hard_stop(name, args, budget)
        self._alarm(name, args)
        self.register_outputs({"account_id": self.account.id, "status": args.status})

    def _account(self, name: str, args: LearnerSandboxArgs) -> aws.organizations.Account:
        learner = args.learner
        return aws.organizations.Account(
            names.account_resource(learner.id),
            name=learner.account_name,
            email=learner.account_email,
            parent_id=args.parent_ou_id,
            role_name=args.account_role_name,
            iam_user_access_to_billing=args.iam_user_access_to_billing,
            # Deleting the resource closes the account instead of leaving it
            # standalone outside the organization with no guardrails.
            close_on_deletion=True,
            tags={
                "ManagedBy": names.PROJECT,
                "Team": learner.team_id,
                "Learner": learner.id,
                "Expires": learner.expires.isoformat() if learner.expires else "never",
            },
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.status != "closed",
                ignore_changes=ACCOUNT_IGNORE_CHANGES,
                # CloseAccount returns at once; the provider then waits for the
                # account to leave ACTIVE, which AWS says can take some time.
                custom_timeouts=pulumi.CustomTimeouts(delete=args.closure_timeout),
                depends_on=list(args.create_after),
            ),
        )

    def _budget(self, name: str, args: LearnerSandboxArgs) -> aws.budgets.Budget:
        learner = args.learner
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
            f"{name}-budget",
            name=names.budget(args.prefix, learner.origin_id),
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=f"{learner.budget_usd:.2f}",
            limit_unit="USD",
            cost_filters=[aws.budgets.BudgetCostFilterArgs(name="LinkedAccount", values=[self.account.id])],
            # Spend paid for by credits or offset by refunds still counts against
            # the sandbox: credits run out, and the learner should see real usage.
            cost_types=aws.budgets.BudgetCostTypesArgs(include_credit=False, include_refund=False),
            notifications=notifications,
            tags={"ManagedBy": names.PROJECT, "Learner": learner.id},
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _hard_stop(self, name: str, args: LearnerSandboxArgs, budget: aws.budgets.Budget) -> None:
        learner = args.learner
        aws.budgets.BudgetAction(
            f"{name}-hard-stop",
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
                aws.budgets.BudgetActionSubscriberArgs(subscription_type="EMAIL", address=learner.email),
            ],
            tags={"ManagedBy": names.PROJECT, "Learner": learner.id},
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _alarm(self, name: str, args: LearnerSandboxArgs) -> None:
        learner = args.learner
        threshold = round(learner.budget_usd * args.spend.alarm_percent / 100, 2)
        aws.cloudwatch.MetricAlarm(
            f"{name}-billing-alarm",
            name=names.billing_alarm(args.prefix, learner.origin_id),
            alarm_description=(
                f"Estimated charges of sandbox {learner.account_name} reached {args.spend.alarm_percent:g}% "
                f"of its {learner.budget_usd:.2f} USD monthly budget."
            ),
            namespace="AWS/Billing",
            metric_name="EstimatedCharges",
            dimensions={"Currency": "USD", "LinkedAccount": self.account.id},
            statistic="Maximum",
            # AWS publishes the billing metric several times a day, so a
            # six-hour period always holds at least one data point.
            period=21600,
            evaluation_periods=1,
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=threshold,
            # A new account has no billing data yet; that is not an alarm.
            treat_missing_data="notBreaching",
            alarm_actions=[args.spend.topic_arn],
            region=BILLING_REGION,
            tags={"ManagedBy": names.PROJECT, "Learner": learner.id},
            opts=pulumi.ResourceOptions(parent=self),
        )

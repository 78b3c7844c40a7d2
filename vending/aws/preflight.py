"""Read-only checks that the organization and the caller can run this stack."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from botocore.exceptions import ClientError

from vending.aws.adoption import plan_adoption
from vending.aws.clients import AwsClients, aws_call, error_code, paginate
from vending.aws.organization import Organization, read_organization
from vending.errors import AwsOperationError
from vending.roster import Roster
from vending.settings import StackSettings

log = logging.getLogger(__name__)

CheckStatus = Literal["PASS", "WARN", "FAIL", "SKIP"]

# "Default maximum number of accounts" in an organization; adjustable in Service Quotas.
# https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
DEFAULT_ACCOUNT_QUOTA = 10

# Console only; the metric appears about 15 minutes after it is turned on and it cannot be turned off.
# https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/billing-pref.html
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/monitor_estimated_charges_with_cloudwatch.html
BILLING_ALERTS_STEP = (
    "as the management account, open the Billing and Cost Management console > Billing preferences > "
    "Alert preferences > Edit, select \"Receive CloudWatch billing alerts\" and choose Update; "
    "the metric appears about 15 minutes later"
)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one preflight check, with the fix when it is not PASS."""

    name: str
    status: CheckStatus
    detail: str
    fix: str = ""


def run_preflight(clients: AwsClients, settings: StackSettings, roster: Roster,
                  account_quota: int = DEFAULT_ACCOUNT_QUOTA,
                  progress: Callable[[str], None] | None = None) -> list[CheckResult]:
    """Run every check and return the results in a fixed order."""
    results: list[CheckResult] = []
    organization = _read_organization_or_none(clients, settings.prefix, progress)
    if organization is None:
        results.append(CheckResult(
            "organization", "FAIL", "the caller's account is not a member of an organization",
            "create an organization with all features from the account that will be the management account",
        ))
        skipped = ("all features", "SCP policy type", "caller", "account quota", "email collisions")
        results += [CheckResult(name, "SKIP", "needs an organization") for name in skipped]
    else:
        results.append(CheckResult("organization", "PASS", f"organization {organization.id}"))
        results.append(check_feature_set(organization))
        results.append(check_scp_enabled(organization))
        results.append(check_caller(clients, organization))
    results.append(check_identity_center(clients, settings))
    results.append(check_billing_metric(clients))
    if organization is not None:
        plan = plan_adoption(clients, organization, roster, settings.prefix)
        to_create = [learner for learner in plan.missing if learner.status != "closed"]
        results.append(check_account_quota(organization, len(to_create), account_quota))
        results.append(check_email_collisions([str(conflict) for conflict in plan.conflicts], len(plan.adoptable)))
    return results


def check_feature_set(organization: Organization) -> CheckResult:
    if organization.feature_set == "ALL":
        return CheckResult("all features", "PASS", "FeatureSet is ALL")
    return CheckResult(
        "all features", "FAIL", f"FeatureSet is {organization.feature_set}; SCPs need all features",
        "enable all features (Organizations console > Settings, or aws organizations enable-all-features) "
        "and have every member account approve",
    )


def check_scp_enabled(organization: Organization) -> CheckResult:
    name = "SCP policy type"
    status = organization.root_policy_types.get("SERVICE_CONTROL_POLICY")
    if status == "ENABLED":
        return CheckResult(name, "PASS", f"SERVICE_CONTROL_POLICY is enabled on root {organization.root_id}")
    if status == "PENDING_ENABLE":
        return CheckResult(name, "WARN", "SERVICE_CONTROL_POLICY is still being enabled", "run preflight again shortly")
    return CheckResult(
        name, "FAIL", f"SERVICE_CONTROL_POLICY is not enabled on root {organization.root_id}",
        f"aws organizations enable-policy-type --root-id {organization.root_id} --policy-type SERVICE_CONTROL_POLICY",
    )


def check_caller(clients: AwsClients, organization: Organization) -> CheckResult:
    """Check that the caller is the management account, and list what a delegated administrator cannot do."""
    name = "caller"
    with aws_call("sts:GetCallerIdentity"):
        caller = str(clients.sts.get_caller_identity()["Account"])
    management = organization.management_account_id
    if caller == management:
        return CheckResult(name, "PASS", f"caller is the management account {management}")

    # A member account acts as delegated administrator for Organizations through the
    # organization's resource-based delegation policy, which only covers policy
    # management and reads.
    # https://docs.aws.amazon.com/organizations/latest/userguide/orgs_delegate_policies.html
    with aws_call("organizations:DescribeResourcePolicy", f"caller {caller}"):
        try:
            policy = clients.organizations.describe_resource_policy()["ResourcePolicy"]
        except ClientError as error:
            if error_code(error) not in ("ResourcePolicyNotFoundException", "AccessDeniedException"):
                raise
            log.info("caller %s is not a delegated administrator: %s", caller, error_code(error))
            policy = {}
    delegated = caller in str(policy.get("Content", ""))
    if delegated:
        return CheckResult(
            name, "WARN",
            f"caller {caller} is a delegated administrator for Organizations, not the management account {management}",
            "run pulumi up from the management account: a delegated administrator can manage policies but "
            "cannot create, move or close accounts, and budget actions with APPLY_SCP_POLICY only run from "
            "the management account",
        )
    return CheckResult(name, "FAIL", f"caller {caller} is a member account, not the management account {management}",
                       f"use credentials of the management account {management}")


def check_identity_center(clients: AwsClients, settings: StackSettings) -> CheckResult:
    name = "Identity Center"
    if settings.access_mode != "identity_center":
        return CheckResult(name, "SKIP", f"accessMode is {settings.access_mode}")
    instances = list(paginate(clients.sso_admin, "list_instances", "Instances", "sso:ListInstances",
                              f"region {clients.region}"))
    if instances:
        return CheckResult(name, "PASS", f"instance {instances[0]['InstanceArn']} in {clients.region}")
    return CheckResult(
        name, "FAIL", f"no IAM Identity Center instance in {clients.region}",
        "enable IAM Identity Center in the management account (IAM Identity Center console > Enable) in the "
        "stack's region, or set accessMode to iam_role",
    )


def check_billing_metric(clients: AwsClients) -> CheckResult:
    name = "billing alerts"
    # One page is enough: any EstimatedCharges metric shows that billing alerts are on.
    with aws_call("cloudwatch:ListMetrics", "AWS/Billing EstimatedCharges in us-east-1"):
        metrics = clients.billing_cloudwatch.list_metrics(Namespace="AWS/Billing", MetricName="EstimatedCharges")
    if metrics.get("Metrics"):
        return CheckResult(name, "PASS", "AWS/Billing EstimatedCharges exists in us-east-1")
    return CheckResult(name, "WARN",
                       "no AWS/Billing EstimatedCharges metric in us-east-1, so billing alarms stay INSUFFICIENT_DATA",
                       BILLING_ALERTS_STEP)


def check_account_quota(organization: Organization, to_create: int, quota: int) -> CheckResult:
    name = "account quota"
    # Closed accounts count against the quota until they are permanently closed, so all listed accounts count.
    current = len(organization.accounts)
    total = current + to_create
    detail = f"{current} accounts now + {to_create} to create = {total} of {quota}"
    if total > quota:
        return CheckResult(
            name, "FAIL", detail,
            "request a higher 'Default maximum number of accounts' in the Service Quotas console (us-east-1) "
            "from the management account, then pass the approved value with --account-quota",
        )
    return CheckResult(name, "PASS", detail)


def check_email_collisions(conflicts: list[str], adoptable: int) -> CheckResult:
    name = "email collisions"
    if conflicts:
        return CheckResult(name, "FAIL", "; ".join(conflicts),
                           "resolve each account above; sandboxctl import lists the same conflicts")
    detail = "no roster email belongs to an account the stack cannot adopt"
    if adoptable:
        detail += (f"; {adoptable} existing accounts match roster emails, so run sandboxctl import "
                   "for those not yet in the stack")
    return CheckResult(name, "PASS", detail)


def _read_organization_or_none(clients: AwsClients, prefix: str,
                               progress: Callable[[str], None] | None) -> Organization | None:
    try:
        return read_organization(clients, prefix, progress)
    except AwsOperationError as error:
        cause = error.__cause__
        if isinstance(cause, ClientError) and error_code(cause) == "AWSOrganizationsNotInUseException":
            return None
        raise

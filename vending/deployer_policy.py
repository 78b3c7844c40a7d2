"""The least-privilege IAM policy of the role that runs ``pulumi up`` (or ``pulumi preview``) for a stack.

Each resource type the program declares maps to the API actions the AWS
provider calls to create, read, update and delete it. Action names follow
the AWS Service Authorization Reference, one page per service:
docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html,
list_awsiamidentitycenter.html (prefix ``sso``), list_awsidentitystore.html,
list_awsbudgetservice.html, list_amazoncloudwatch.html, list_amazonsns.html,
list_awsidentityandaccessmanagementiam.html and list_awssecuritytokenservice.html.
ARNs are scoped to the stack's prefix where the ARN contains a name; Organizations
and Identity Center ARNs contain only generated ids, so those are scoped to the
organization's resource types instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from vending import names
from vending.plan import (
    ACTION_TYPE,
    ALARM_TYPE,
    ASSIGNMENT_TYPE,
    ATTACHMENT_TYPE,
    BUDGET_TYPE,
    OU_TYPE,
    POLICY_TYPE,
)
from vending.settings import StackSettings

BILLING_REGION = "us-east-1"


@dataclass(frozen=True)
class Grant:
    """Actions on one kind of resource: ``read`` is enough for preview, ``write`` is added for up."""

    sid: str
    read: tuple[str, ...]
    write: tuple[str, ...]
    resources: tuple[str, ...]
    condition: dict[str, Any] | None = None


@dataclass(frozen=True)
class PolicyScope:
    """Values the ARNs are scoped to."""

    prefix: str
    account_id: str
    account_role_name: str
    access_mode: str


def org_arns(account_id: str) -> dict[str, str]:
    base = f"arn:aws:organizations::{account_id}"
    return {
        "account": f"{base}:account/o-*/*",
        "ou": f"{base}:ou/o-*/ou-*",
        "root": f"{base}:root/o-*/r-*",
        "policy": f"{base}:policy/o-*/service_control_policy/p-*",
    }


def grants_by_type(scope: PolicyScope) -> dict[str, list[Grant]]:
    """Return the grants each declared resource type needs, keyed by Pulumi type token."""
    org = org_arns(scope.account_id)
    sso = ("arn:aws:sso:::instance/ssoins-*", "arn:aws:sso:::permissionSet/ssoins-*/ps-*", "arn:aws:sso:::account/*")
    budget = f"arn:aws:budgets::{scope.account_id}:budget/{scope.prefix}-*"
    topic = f"arn:aws:sns:{BILLING_REGION}:{scope.account_id}:{names.spend_topic(scope.prefix)}"
    role = f"arn:aws:iam::{scope.account_id}:role/{names.budget_action_role(scope.prefix)}"
    org_tags = ("organizations:ListTagsForResource",)
    org_tagging = ("organizations:TagResource", "organizations:UntagResource")
    return {
        names.ACCOUNT_TYPE: [
            Grant(
                "AccountsCreate",
                read=("organizations:DescribeCreateAccountStatus",),
                # CreateAccount has no resource type, so it cannot be scoped by ARN.
                write=("organizations:CreateAccount",),
                resources=("*",),
            ),
            Grant(
                "AccountsManage",
                read=("organizations:DescribeAccount", "organizations:ListParents", *org_tags),
                write=("organizations:MoveAccount", *org_tagging),
                resources=(org["account"], org["ou"], org["root"]),
            ),
            Grant(
                "AccountsRename",
                read=("account:GetAccountInformation",),
                # The provider renames an account in place with the Account Management API
                # (terraform-provider-aws pull request 42350).
                write=("account:PutAccountName",),
                resources=(f"arn:aws:account::{scope.account_id}:account/o-*/*",),
            ),
            Grant(
                "AccountsClose",
                read=(),
                write=("organizations:CloseAccount",),
                resources=(org["account"],),
                # Only accounts this project tagged can be closed by the deploy role.
                condition={"StringEquals": {"aws:ResourceTag/ManagedBy": names.PROJECT}},
            ),
        ],
        OU_TYPE: [
            Grant(
                "OrganizationalUnits",
                read=(
                    "organizations:DescribeOrganizationalUnit",
                    "organizations:ListParents",
                    "organizations:ListAccountsForParent",
                    "organizations:ListOrganizationalUnitsForParent",
                    *org_tags,
                ),
                write=(
                    "organizations:CreateOrganizationalUnit",
                    "organizations:UpdateOrganizationalUnit",
                    "organizations:DeleteOrganizationalUnit",
                    *org_tagging,
                ),
                resources=(org["ou"], org["root"]),
            ),
        ],
        POLICY_TYPE: [
            Grant(
                "PoliciesCreate",
                read=(),
                # CreatePolicy has no resource type before the policy exists.
                write=("organizations:CreatePolicy",),
                resources=("*",),
            ),
            Grant(
                "Policies",
                read=("organizations:DescribePolicy", *org_tags),
                write=("organizations:UpdatePolicy", "organizations:DeletePolicy", *org_tagging),
                resources=(org["policy"],),
            ),
        ],
        ATTACHMENT_TYPE: [
            Grant(
                "PolicyAttachments",
                read=("organizations:ListTargetsForPolicy", "organizations:ListPoliciesForTarget"),
                write=("organizations:AttachPolicy", "organizations:DetachPolicy"),
                resources=(org["policy"], org["ou"], org["root"], org["account"]),
            ),
        ],
        "aws:ssoadmin/permissionSet:PermissionSet": [
            Grant(
                "PermissionSets",
                read=(
                    "sso:DescribePermissionSet",
                    "sso:ListTagsForResource",
                    "sso:DescribePermissionSetProvisioningStatus",
                ),
                write=(
                    "sso:CreatePermissionSet",
                    "sso:UpdatePermissionSet",
                    "sso:DeletePermissionSet",
                    "sso:ProvisionPermissionSet",
                    "sso:TagResource",
                    "sso:UntagResource",
                ),
                resources=sso,
            ),
        ],
        "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment": [
            Grant(
                "PermissionSetPolicies",
                read=("sso:ListManagedPoliciesInPermissionSet",),
                write=(
                    "sso:AttachManagedPolicyToPermissionSet",
                    "sso:DetachManagedPolicyFromPermissionSet",
                    "sso:ProvisionPermissionSet",
                ),
                resources=sso,
            ),
        ],
        ASSIGNMENT_TYPE: [
            Grant(
                "AccountAssignments",
                read=(
                    "sso:ListAccountAssignments",
                    "sso:DescribeAccountAssignmentCreationStatus",
                    "sso:DescribeAccountAssignmentDeletionStatus",
                ),
                write=("sso:CreateAccountAssignment", "sso:DeleteAccountAssignment"),
                resources=sso,
            ),
        ],
        BUDGET_TYPE: [
            Grant(
                "Budgets",
                # Budgets authorises every budget and notification call with these two actions.
                read=("budgets:ViewBudget", "budgets:ListTagsForResource"),
                write=("budgets:ModifyBudget", "budgets:TagResource", "budgets:UntagResource"),
                resources=(budget,),
            ),
        ],
        ACTION_TYPE: [
            Grant(
                "BudgetActions",
                read=("budgets:DescribeBudgetAction", "budgets:DescribeBudgetActionsForBudget"),
                write=(
                    "budgets:CreateBudgetAction",
                    "budgets:UpdateBudgetAction",
                    "budgets:DeleteBudgetAction",
                    "budgets:TagResource",
                    "budgets:UntagResource",
                ),
                resources=(budget, f"{budget}/action/*"),
            ),
            Grant(
                "PassBudgetActionRole",
                read=(),
                write=("iam:PassRole",),
                resources=(role,),
                condition={"StringEquals": {"iam:PassedToService": "budgets.amazonaws.com"}},
            ),
        ],
        ALARM_TYPE: [
            Grant(
                "BillingAlarms",
                read=("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
                write=(
                    "cloudwatch:PutMetricAlarm",
                    "cloudwatch:DeleteAlarms",
                    "cloudwatch:TagResource",
                    "cloudwatch:UntagResource",
                ),
                resources=(f"arn:aws:cloudwatch:{BILLING_REGION}:{scope.account_id}:alarm:{scope.prefix}-*",),
            ),
        ],
        "aws:sns/topic:Topic": [
            Grant(
                "SpendTopic",
                read=("sns:GetTopicAttributes", "sns:ListTagsForResource"),
                write=("sns:CreateTopic", "sns:DeleteTopic", "sns:TagResource", "sns:UntagResource"),
                resources=(topic,),
            ),
        ],
        "aws:sns/topicPolicy:TopicPolicy": [
            Grant(
                "SpendTopicPolicy",
                read=("sns:GetTopicAttributes",),
                write=("sns:SetTopicAttributes",),
                resources=(topic,),
            ),
        ],
        "aws:sns/topicSubscription:TopicSubscription": [
            Grant(
                "SpendTopicSubscribe",
                read=("sns:ListSubscriptionsByTopic",),
                write=("sns:Subscribe",),
                resources=(topic,),
            ),
            Grant(
                "SpendTopicSubscriptions",
                # These take a subscription ARN, which the reference lists with no resource type.
                read=("sns:GetSubscriptionAttributes",),
                write=("sns:SetSubscriptionAttributes", "sns:Unsubscribe"),
                resources=("*",),
            ),
        ],
        "aws:iam/role:Role": [
            Grant(
                "BudgetActionRole",
                read=("iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"),
                write=(
                    "iam:CreateRole",
                    "iam:DeleteRole",
                    "iam:UpdateRole",
                    "iam:UpdateRoleDescription",
                    "iam:UpdateAssumeRolePolicy",
                    "iam:TagRole",
                    "iam:UntagRole",
                    # The provider lists and removes instance profiles before DeleteRole.
                    "iam:ListInstanceProfilesForRole",
                ),
                resources=(role,),
            ),
        ],
        "aws:iam/rolePolicy:RolePolicy": [
            Grant(
                "BudgetActionRolePolicy",
                read=("iam:GetRolePolicy",),
                write=("iam:PutRolePolicy", "iam:DeleteRolePolicy"),
                resources=(role,),
            ),
        ],
    }


def lookup_grants(scope: PolicyScope) -> list[Grant]:
    """Grants for the data sources the program reads on every preview."""
    grants = [
        Grant(
            "ReadOrganization",
            # aws.organizations.get_organization: the organization, its roots, accounts and services.
            read=(
                "organizations:DescribeOrganization",
                "organizations:ListRoots",
                "organizations:ListAccounts",
                "organizations:ListAWSServiceAccessForOrganization",
            ),
            write=(),
            resources=("*",),
        ),
    ]
    if scope.access_mode == "identity_center":
        # aws.ssoadmin.get_instances and aws.identitystore.get_users.
        grants.append(Grant("ReadIdentityCenter", read=("sso:ListInstances",), write=(), resources=("*",)))
        grants.append(
            Grant(
                "ReadIdentityStore",
                read=("identitystore:ListUsers",),
                write=(),
                resources=(
                    f"arn:aws:identitystore::{scope.account_id}:identitystore/d-*",
                    "arn:aws:identitystore:::user/*",
                ),
            )
        )
    else:
        grants.append(
            Grant(
                "AssumeMemberAccountRole",
                read=(),
                write=("sts:AssumeRole",),
                resources=(f"arn:aws:iam::*:role/{scope.account_role_name}",),
            )
        )
    return grants


def build_policy(scope: PolicyScope, types: set[str] | None = None, read_only: bool = False) -> dict[str, Any]:
    """Return the IAM policy document for the resource ``types`` (default: every type the program declares)."""
    table = grants_by_type(scope)
    chosen = [grant for token, grants in table.items() if types is None or token in types for grant in grants]
    chosen.extend(lookup_grants(scope))
    merged: dict[str, dict[str, Any]] = {}
    for grant in chosen:
        actions = grant.read if read_only else (*grant.read, *grant.write)
        if not actions:
            continue
        statement = merged.setdefault(
            grant.sid,
            {"Sid": grant.sid, "Effect": "Allow", "Action": [], "Resource": sorted(set(grant.resources))},
        )
        if grant.condition:
            statement["Condition"] = grant.condition
        statement["Action"] = sorted(set(statement["Action"]) | set(actions))
    return {"Version": "2012-10-17", "Statement": list(merged.values())}


def scope_of(settings: StackSettings, account_id: str = "*") -> PolicyScope:
    return PolicyScope(
        prefix=settings.prefix,
        account_id=account_id,
        account_role_name=settings.account_role_name,
        access_mode=settings.access_mode,
    )


def policy_json(policy: dict[str, Any]) -> str:
    return json.dumps(policy, indent=2)

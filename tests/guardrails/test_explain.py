"""The SCP explainer: a table of named requests against the example plan, and operator semantics."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from vending.errors import GuardrailError
from vending.guardrails.compiler import GuardrailPlan
from vending.guardrails.explain import Request, evaluate_condition, evaluate_statement, explain

ACCOUNT = "111122223333"
LEARNER = f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_SandboxAdmin_0123456789abcdef"
PLATFORM = f"arn:aws:iam::{ACCOUNT}:role/OrganizationAccountAccessRole"
PLATFORM_PREFIXED = f"arn:aws:iam::{ACCOUNT}:role/sbx-platform-cleanup"
CONTROL_TOWER = f"arn:aws:iam::{ACCOUNT}:role/aws-controltower-AdministratorExecutionRole"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
PROFILE_US_EAST_1 = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/us.anthropic.claude-sonnet-4-v1:0"


@dataclass(frozen=True)
class Case:
    action: str
    region: str = "us-east-1"
    principal: str = LEARNER
    resource: str | None = None
    context: dict[str, tuple[str, ...]] = field(default_factory=dict)
    suspended: bool = False
    frozen: bool = False
    denied_by: str | None = None  # guardrail id expected to deny, None when allowed


def case(name: str, action: str, **fields: object) -> object:
    return pytest.param(Case(action, **fields), id=name)  # type: ignore[arg-type]


CASES = [
    # Denied for learners.
    case("leave-org", "organizations:LeaveOrganization", denied_by="deny-leave-organization"),
    case("open-learner-role-trust", "iam:UpdateAssumeRolePolicy",
         resource=f"arn:aws:iam::{ACCOUNT}:role/sbx-learner-admin", denied_by="protect-platform-roles"),
    case("platform-updates-learner-role", "iam:UpdateAssumeRolePolicy", principal=PLATFORM,
         resource=f"arn:aws:iam::{ACCOUNT}:role/sbx-learner-admin"),
    case("root-user", "s3:ListAllMyBuckets", principal=ROOT, denied_by="deny-root-user"),
    case("root-user-iam", "iam:CreateUser", principal=ROOT, denied_by="deny-root-user"),
    case("disallowed-region", "ec2:DescribeInstances", region="ap-south-1", denied_by="region-lock"),
    case("disallowed-region-s3", "s3:CreateBucket", region="sa-east-1", denied_by="region-lock"),
    case("enable-region", "account:EnableRegion", denied_by="deny-account-changes"),
    case("alternate-contact", "account:PutAlternateContact", denied_by="deny-account-changes"),
    case("close-account", "account:CloseAccount", denied_by="deny-account-changes"),
    case("p4d-instance", "ec2:RunInstances", resource=f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/*",
         context={"ec2:InstanceType": ("p4d.24xlarge",)}, denied_by="instance-type-allowlist"),
    case("start-large-instance", "ec2:StartInstances", resource=f"arn:aws:ec2:us-west-2:{ACCOUNT}:instance/i-0abc",
         region="us-west-2", context={"ec2:InstanceType": ("x2iedn.32xlarge",)}, denied_by="instance-type-allowlist"),
    case("large-rds-class", "rds:CreateDBInstance", resource=f"arn:aws:rds:us-east-1:{ACCOUNT}:db:lab",
         context={"rds:DatabaseClass": ("db.r6i.16xlarge",)}, denied_by="instance-type-allowlist"),
    case("gpu-notebook", "sagemaker:CreateNotebookInstance",
         context={"sagemaker:InstanceTypes": ("ml.p3.16xlarge",)}, denied_by="instance-type-allowlist"),
    case("one-gpu-among-types", "sagemaker:CreateTrainingJob",
         context={"sagemaker:InstanceTypes": ("ml.m5.large", "ml.p4d.24xlarge")}, denied_by="instance-type-allowlist"),
    case("large-cache-node", "elasticache:CreateCacheCluster",
         context={"elasticache:CacheNodeType": ("cache.r7g.16xlarge",)}, denied_by="instance-type-allowlist"),
    case("reserved-instances", "ec2:PurchaseReservedInstancesOffering", denied_by="deny-cost-commitments"),
    case("capacity-block", "ec2:PurchaseCapacityBlock", denied_by="deny-cost-commitments"),
    case("reserved-rds", "rds:PurchaseReservedDBInstancesOffering", denied_by="deny-cost-commitments"),
    case("reserved-opensearch", "es:PurchaseReservedInstanceOffering", denied_by="deny-cost-commitments"),
    case("savings-plan", "savingsplans:CreateSavingsPlan", denied_by="deny-cost-commitments"),
    case("register-domain", "route53domains:RegisterDomain", denied_by="deny-cost-commitments"),
    case("shield-advanced", "shield:CreateSubscription", denied_by="deny-cost-commitments"),
    case("marketplace-subscribe", "aws-marketplace:Subscribe", denied_by="deny-cost-commitments"),
    case("bedrock-provisioned", "bedrock:CreateProvisionedModelThroughput", denied_by="deny-ai-capacity"),
    case("sagemaker-training-plan", "sagemaker:CreateTrainingPlan", denied_by="deny-ai-capacity"),
    case("edit-access-role", "iam:AttachRolePolicy", resource=PLATFORM, denied_by="protect-platform-roles"),
    case("delete-access-role", "iam:DeleteRole", resource=PLATFORM, denied_by="protect-platform-roles"),
    case("edit-trust-prefixed-role", "iam:UpdateAssumeRolePolicy", resource=PLATFORM_PREFIXED,
         denied_by="protect-platform-roles"),
    case("delete-control-tower-role", "iam:DeleteRole", resource=CONTROL_TOWER, denied_by="protect-platform-roles"),
    case("bedrock-direct-other-region", "bedrock:InvokeModel", region="us-east-2", denied_by="region-lock"),
    case("bedrock-profile-other-region", "bedrock:InvokeModel", region="ap-northeast-1",
         context={"bedrock:InferenceProfileArn": (f"arn:aws:bedrock:ap-northeast-1:{ACCOUNT}:inference-profile/x",)},
         denied_by="region-lock"),
    # Allowed for learners.
    case("iam-from-any-region", "iam:CreateRole", region="ap-south-1",
         resource=f"arn:aws:iam::{ACCOUNT}:role/my-lambda-role"),
    case("sts-from-any-region", "sts:GetCallerIdentity", region="eu-central-1"),
    case("route53-from-any-region", "route53:ChangeResourceRecordSets", region="ca-central-1"),
    case("budgets-from-any-region", "budgets:ViewBudget", region="ap-southeast-2"),
    case("allowed-region", "ec2:DescribeInstances", region="eu-west-1"),
    case("small-instance", "ec2:RunInstances", resource=f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/*",
         context={"ec2:InstanceType": ("t3.micro",)}),
    case("subnet-of-large-launch", "ec2:RunInstances", resource=f"arn:aws:ec2:us-east-1:{ACCOUNT}:subnet/subnet-1",
         context={"ec2:InstanceType": ("p4d.24xlarge",)}),
    case("small-rds-class", "rds:CreateDBInstance", resource=f"arn:aws:rds:us-east-1:{ACCOUNT}:db:lab",
         context={"rds:DatabaseClass": ("db.t4g.micro",)}),
    case("cache-modify-without-type", "elasticache:ModifyReplicationGroup"),
    case("small-notebook", "sagemaker:CreateNotebookInstance", context={"sagemaker:InstanceTypes": ("ml.t3.medium",)}),
    case("terminate-any-instance", "ec2:TerminateInstances", resource=f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1",
         context={"ec2:InstanceType": ("p4d.24xlarge",)}),
    case("own-role-edit", "iam:AttachRolePolicy", resource=f"arn:aws:iam::{ACCOUNT}:role/my-lambda-role"),
    case("bedrock-cross-region-profile", "bedrock:InvokeModel", region="us-east-2",
         context={"bedrock:InferenceProfileArn": (PROFILE_US_EAST_1,)}),
    case("bedrock-stream-cross-region", "bedrock:InvokeModelWithResponseStream", region="us-west-1",
         context={"bedrock:InferenceProfileArn": (PROFILE_US_EAST_1,)}),
    case("bedrock-in-allowed-region", "bedrock:InvokeModel", region="us-west-2"),
    case("access-keys-opt-in", "iam:CreateAccessKey"),
    # The platform may do what a learner may not.
    case("platform-leaves-org", "organizations:LeaveOrganization", principal=PLATFORM),
    case("platform-other-region", "ec2:RunInstances", region="ap-south-1", principal=PLATFORM),
    case("platform-edits-own-role", "iam:AttachRolePolicy", resource=PLATFORM, principal=PLATFORM),
    case("prefixed-role-buys-reservation", "ec2:PurchaseReservedInstancesOffering", principal=PLATFORM_PREFIXED),
    case("control-tower-enables-region", "account:EnableRegion", principal=CONTROL_TOWER),
    # Spend freeze at the hard budget limit.
    case("freeze-run-instances", "ec2:RunInstances", frozen=True,
         resource=f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/*", context={"ec2:InstanceType": ("t3.micro",)},
         denied_by="spend-freeze"),
    case("freeze-start-notebook", "sagemaker:StartNotebookInstance", frozen=True, denied_by="spend-freeze"),
    case("freeze-bedrock-invoke", "bedrock:InvokeModel", frozen=True, denied_by="spend-freeze"),
    case("freeze-create-db", "rds:CreateDBInstance", frozen=True, denied_by="spend-freeze",
         context={"rds:DatabaseClass": ("db.t4g.micro",)}),
    case("freeze-allows-terminate", "ec2:TerminateInstances", frozen=True),
    case("freeze-allows-stop", "ec2:StopInstances", frozen=True),
    case("freeze-allows-delete-db", "rds:DeleteDBInstance", frozen=True),
    case("freeze-allows-delete-endpoint", "sagemaker:DeleteEndpoint", frozen=True),
    case("freeze-allows-platform", "ec2:RunInstances", frozen=True, principal=PLATFORM,
         context={"ec2:InstanceType": ("t3.micro",)}),
    # Deny-all in the suspended OU.
    case("suspended-learner-read", "s3:ListAllMyBuckets", suspended=True, denied_by="deny-all"),
    case("suspended-learner-iam", "iam:ListRoles", suspended=True, denied_by="deny-all"),
    case("suspended-platform", "ec2:TerminateInstances", suspended=True, principal=PLATFORM),
    case("suspended-stackset-role", "cloudformation:DeleteStack", suspended=True,
         principal=f"arn:aws:iam::{ACCOUNT}:role/stacksets-exec-0123456789abcdef"),
]


@pytest.mark.parametrize("request_case", CASES)
def test_explain(plan: GuardrailPlan, request_case: Case) -> None:
    policies = plan.policies_for_account("ml-research", suspended=request_case.suspended, frozen=request_case.frozen)
    request = Request(request_case.action, request_case.region, request_case.principal, request_case.resource,
                      request_case.context)
    decision = explain(policies, request)
    denied_by = {denial.guardrail_id for denial in decision.denials}
    if request_case.denied_by is None:
        assert decision.allowed, [(d.sid, d.reasons) for d in decision.denials]
    else:
        assert request_case.denied_by in denied_by


def test_case_table_is_large() -> None:
    assert len(CASES) >= 40


def test_denial_names_statement(plan: GuardrailPlan) -> None:
    decision = explain(plan.sandboxes, Request("organizations:LeaveOrganization", "us-east-1"))
    assert [denial.sid for denial in decision.denials] == ["DenyLeaveOrganization"]


def test_denial_names_policy(plan: GuardrailPlan) -> None:
    decision = explain(plan.sandboxes, Request("organizations:LeaveOrganization", "us-east-1"))
    assert decision.denials[0].policy_name.startswith("sbx-guardrails-sandboxes-")


def test_denial_gives_region_reason(plan: GuardrailPlan) -> None:
    decision = explain(plan.sandboxes, Request("ec2:DescribeVpcs", "ap-south-1"))
    assert any("'ap-south-1'" in reason for reason in decision.denials[0].reasons)


def test_missing_resource_is_noted(plan: GuardrailPlan) -> None:
    decision = explain(plan.sandboxes, Request("iam:DeleteRole", "us-east-1"))
    assert any("no --resource given" in note for note in decision.notes)


def test_action_match_ignores_case(plan: GuardrailPlan) -> None:
    decision = explain(plan.sandboxes, Request("Organizations:leaveorganization", "us-east-1"))
    assert not decision.allowed


def test_unknown_team_raises(plan: GuardrailPlan) -> None:
    with pytest.raises(GuardrailError, match="unknown team 'nope'"):
        plan.policies_for_account("nope")


def test_context_cannot_set_region() -> None:
    with pytest.raises(GuardrailError, match="--region"):
        Request("ec2:RunInstances", "us-east-1", context={"aws:RequestedRegion": ("eu-west-1",)}).context_values()


# --- operator semantics ------------------------------------------------------

CONTEXT = {"ec2:instancetype": ("t3.micro",), "sagemaker:instancetypes": ("ml.t3.medium", "ml.p3.2xlarge")}


@pytest.mark.parametrize(
    ("operator", "key", "values", "expected"),
    [
        pytest.param("StringEquals", "ec2:InstanceType", ["t3.micro"], True, id="equals"),
        pytest.param("StringEquals", "ec2:InstanceType", ["T3.micro"], False, id="equals-case-sensitive"),
        pytest.param("StringEqualsIgnoreCase", "ec2:InstanceType", ["T3.MICRO"], True, id="equals-ignore-case"),
        pytest.param("StringNotEquals", "ec2:InstanceType", ["t3.micro"], False, id="not-equals"),
        pytest.param("StringLike", "ec2:InstanceType", ["t3.*"], True, id="like"),
        pytest.param("StringLike", "ec2:InstanceType", ["t3.?icro"], True, id="like-single-char"),
        pytest.param("StringNotLike", "ec2:InstanceType", ["m5.*", "t3.*"], False, id="not-like-any"),
        pytest.param("StringNotLike", "ec2:InstanceType", ["m5.*"], True, id="not-like-none"),
        pytest.param("StringEquals", "rds:DatabaseClass", ["db.t3.micro"], False, id="absent-positive"),
        pytest.param("StringNotEquals", "rds:DatabaseClass", ["db.t3.micro"], True, id="absent-negated"),
        pytest.param("StringEqualsIfExists", "rds:DatabaseClass", ["db.t3.micro"], True, id="absent-if-exists"),
        pytest.param("StringEqualsIfExists", "ec2:InstanceType", ["m5.large"], False, id="present-if-exists"),
        pytest.param("Null", "rds:DatabaseClass", ["true"], True, id="null-true-absent"),
        pytest.param("Null", "ec2:InstanceType", ["false"], True, id="null-false-present"),
        pytest.param("Null", "ec2:InstanceType", ["true"], False, id="null-true-present"),
        pytest.param("ForAnyValue:StringNotLike", "sagemaker:InstanceTypes", ["ml.t3.*"], True, id="any-value-one-off"),
        pytest.param("ForAnyValue:StringNotLike", "sagemaker:InstanceTypes", ["ml.*"], False, id="any-value-all-in"),
        pytest.param("ForAnyValue:StringLike", "rds:DatabaseClass", ["*"], False, id="any-value-absent"),
        pytest.param("ForAllValues:StringLike", "sagemaker:InstanceTypes", ["ml.t3.*"], False, id="all-values-one-off"),
        pytest.param("ForAllValues:StringLike", "rds:DatabaseClass", ["x"], True, id="all-values-absent"),
        pytest.param("ArnLike", "aws:PrincipalArn", ["arn:aws:iam::*:role/Admin"], True, id="arn-like"),
        pytest.param("ArnNotLike", "aws:PrincipalArn", ["arn:aws:iam::*:role/Admin"], False, id="arn-not-like"),
        pytest.param("arnlike", "AWS:PRINCIPALARN", ["arn:aws:iam::*:role/Admin"], True, id="names-ignore-case"),
        pytest.param("Bool", "aws:SecureTransport", ["true"], False, id="bool-absent"),
    ],
)
def test_condition(operator: str, key: str, values: list[str], expected: bool) -> None:
    context = dict(CONTEXT, **{"aws:principalarn": ("arn:aws:iam::111122223333:role/Admin",)})
    result, _ = evaluate_condition(operator, key, values, context)
    assert result is expected


def test_arn_wildcard_stays_in_segment() -> None:
    context = {"aws:principalarn": ("arn:aws:iam::111122223333:role/Admin",)}
    result, _ = evaluate_condition("ArnLike", "aws:PrincipalArn", ["arn:aws:iam:*:role/Admin"], context)
    assert result is False


@pytest.mark.parametrize("operator", ["NumericLessThan", "DateGreaterThan", "IpAddress", "Sometimes:StringLike"])
def test_unknown_operator_raises(operator: str) -> None:
    with pytest.raises(GuardrailError, match="unsupported condition operator"):
        evaluate_condition(operator, "ec2:InstanceType", ["1"], {"ec2:instancetype": ("1",)})


def test_unknown_operator_never_allows() -> None:
    statement = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"NumericEquals": {"a:b": "1"}}}
    with pytest.raises(GuardrailError):
        evaluate_statement(statement, Request("ec2:RunInstances", "us-east-1"))


def test_not_resource_excludes() -> None:
    statement = {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::keep/*"}
    matched, _ = evaluate_statement(statement, Request("s3:GetObject", "us-east-1", resource="arn:aws:s3:::keep/a"))
    assert matched is False


def test_allow_statement_ignored() -> None:
    statement = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    matched, _ = evaluate_statement(statement, Request("ec2:RunInstances", "us-east-1"))
    assert matched is False

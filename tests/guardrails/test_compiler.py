"""Selecting guardrails per target, the exemption, settings and deterministic output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from guardrail_helpers import make_settings, make_team

from vending.errors import GuardrailError
from vending.guardrails.catalog import CATALOG_DIR, Catalog, load_catalog
from vending.guardrails.compiler import GuardrailPlan, add_exemption, plan_guardrails
from vending.guardrails.principals import platform_principals
from vending.roster import Roster
from vending.settings import StackSettings

PRINCIPALS = ["arn:aws:iam::*:role/Platform"]


def statements_of(policies: tuple[object, ...]) -> set[str]:
    return {sid for policy in policies for sid, _ in policy.statements}  # type: ignore[attr-defined]


def guardrails_of(policies: tuple[object, ...]) -> set[str]:
    return {guardrail for policy in policies for _, guardrail in policy.statements}  # type: ignore[attr-defined]


# --- exemption ---------------------------------------------------------------

def test_exemption_added_to_deny() -> None:
    result = add_exemption({"Effect": "Deny", "Action": "*", "Resource": "*"}, PRINCIPALS)
    assert result["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": PRINCIPALS}}


def test_exemption_keeps_other_operators() -> None:
    statement = {"Effect": "Deny", "Action": "*", "Resource": "*",
                 "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}}}
    result = add_exemption(statement, PRINCIPALS)
    assert result["Condition"]["StringNotEquals"] == {"aws:RequestedRegion": ["us-east-1"]}


def test_exemption_merges_existing_principal_list() -> None:
    statement = {"Effect": "Deny", "Action": "*", "Resource": "*",
                 "Condition": {"ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/Breakglass"}}}
    result = add_exemption(statement, PRINCIPALS)
    assert result["Condition"]["ArnNotLike"] == {
        "aws:PrincipalArn": ["arn:aws:iam::*:role/Breakglass", "arn:aws:iam::*:role/Platform"]
    }


def test_exemption_keeps_other_keys_of_operator() -> None:
    statement = {"Effect": "Deny", "Action": "bedrock:InvokeModel", "Resource": "*",
                 "Condition": {"arnnotlike": {"bedrock:InferenceProfileArn": ["arn:aws:bedrock:us-east-1:*:*"]}}}
    result = add_exemption(statement, PRINCIPALS)
    assert result["Condition"]["ArnNotLike"]["bedrock:InferenceProfileArn"] == ["arn:aws:bedrock:us-east-1:*:*"]


def test_exemption_does_not_duplicate() -> None:
    statement = {"Effect": "Deny", "Action": "*", "Resource": "*",
                 "Condition": {"ArnNotLike": {"aws:PrincipalArn": PRINCIPALS}}}
    result = add_exemption(statement, PRINCIPALS)
    assert result["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == PRINCIPALS


def test_every_compiled_deny_has_exemption(plan: GuardrailPlan, settings: StackSettings) -> None:
    expected = platform_principals(settings)
    for policy in plan.all_policies():
        for statement in json.loads(policy.content)["Statement"]:
            assert statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"][-len(expected):] == expected


# --- platform principals -----------------------------------------------------

def test_principals_include_account_role() -> None:
    assert "arn:aws:iam::*:role/OrganizationAccountAccessRole" in platform_principals(make_settings())


def test_principals_include_prefixed_roles() -> None:
    assert "arn:aws:iam::*:role/lab-platform-*" in platform_principals(make_settings(prefix="lab"))


@pytest.mark.parametrize("role", ["aws-controltower-*", "AWSControlTowerExecution", "stacksets-exec-*",
                                  "AWSCloudFormationStackSetExecutionRole"])
def test_principals_include_deployment_roles(role: str) -> None:
    assert f"arn:aws:iam::*:role/{role}" in platform_principals(make_settings())


def test_principals_include_extra_entries() -> None:
    extra = "arn:aws:iam::*:role/ops-breakglass"
    assert extra in platform_principals(make_settings(platform_principals=[extra]))


@pytest.mark.parametrize("pattern", ["*", "arn:aws:iam::*:role/*", "arn:aws:iam::*:role/aws-reserved/*"])
def test_principals_reject_learner_match(pattern: str) -> None:
    with pytest.raises(GuardrailError, match="lift every guardrail"):
        platform_principals(make_settings(platform_principals=[pattern]))


# --- selection and routing ---------------------------------------------------

def test_defaults_go_to_sandboxes(plan: GuardrailPlan, catalog: Catalog) -> None:
    assert guardrails_of(plan.sandboxes) == set(catalog.default_ids())


def test_example_teams_have_no_policies(plan: GuardrailPlan, roster: Roster) -> None:
    assert {team.id: plan.teams[team.id] for team in roster.teams} == {team.id: () for team in roster.teams}


def test_relaxed_guardrail_leaves_sandboxes() -> None:
    teams = [make_team("alpha", relax=("region-lock",)), make_team("beta")]
    result = plan_guardrails(make_settings(), teams)
    assert "region-lock" not in guardrails_of(result.sandboxes)


def test_relaxed_guardrail_moves_to_keeping_team() -> None:
    teams = [make_team("alpha", relax=("region-lock",)), make_team("beta")]
    result = plan_guardrails(make_settings(), teams)
    assert guardrails_of(result.teams["beta"]) == {"region-lock"}


def test_relaxing_team_gets_nothing() -> None:
    teams = [make_team("alpha", relax=("region-lock",)), make_team("beta")]
    result = plan_guardrails(make_settings(), teams)
    assert result.teams["alpha"] == ()


def test_added_guardrail_goes_to_team() -> None:
    teams = [make_team("alpha", add=("deny-iam-user-access-keys",)), make_team("beta")]
    result = plan_guardrails(make_settings(), teams)
    assert guardrails_of(result.teams["alpha"]) == {"deny-iam-user-access-keys"}


def test_added_guardrail_not_on_sandboxes() -> None:
    teams = [make_team("alpha", add=("deny-iam-user-access-keys",))]
    result = plan_guardrails(make_settings(), teams)
    assert "deny-iam-user-access-keys" not in guardrails_of(result.sandboxes)


def test_stack_selection_replaces_defaults() -> None:
    result = plan_guardrails(make_settings(guardrails=["deny-root-user"]), [])
    assert guardrails_of(result.sandboxes) == {"deny-root-user"}


def test_team_policy_names_carry_prefix() -> None:
    teams = [make_team("ml-research", relax=("region-lock",)), make_team("beta")]
    result = plan_guardrails(make_settings(prefix="lab"), teams)
    assert [policy.name for policy in result.teams["beta"]] == ["lab-guardrails-team-beta-1"]


def test_special_policy_names(plan: GuardrailPlan) -> None:
    assert (plan.deny_all.name, plan.spend_freeze.name) == ("sbx-deny-all", "sbx-spend-freeze")


def test_sandbox_policy_keys(plan: GuardrailPlan) -> None:
    assert [policy.key for policy in plan.sandboxes] == [f"sandboxes-{n}" for n in range(1, len(plan.sandboxes) + 1)]


def test_attachments_count_full_aws_access(plan: GuardrailPlan) -> None:
    assert plan.attachments_per_target()["sandboxes"] == len(plan.sandboxes) + 1


def test_attachments_within_quota(plan: GuardrailPlan) -> None:
    assert max(plan.attachments_per_target().values()) <= plan.max_per_target


def test_descriptions_within_limit(plan: GuardrailPlan) -> None:
    assert max(len(policy.description) for policy in plan.all_policies()) <= 512


def test_sizes_match_content(plan: GuardrailPlan) -> None:
    assert all(policy.size == len(policy.content) for policy in plan.all_policies())


def test_sizes_within_limit(plan: GuardrailPlan) -> None:
    assert max(policy.size for policy in plan.all_policies()) <= plan.max_chars


def test_allowed_regions_rendered() -> None:
    result = plan_guardrails(make_settings(allowed_regions=["us-east-1", "ap-southeast-2"]), [])
    contents = "".join(policy.content for policy in result.sandboxes)
    assert "arn:aws:bedrock:ap-southeast-2:*:*inference-profile/*" in contents


def test_setting_override_rendered() -> None:
    overrides = {"instance-type-allowlist": {"ec2InstanceTypes": ["t3.nano"]}}
    result = plan_guardrails(make_settings(guardrail_settings=overrides), [])
    contents = "".join(policy.content for policy in result.sandboxes)
    assert '"ec2:InstanceType":"t3.nano"' in contents or '"ec2:InstanceType":["t3.nano"]' in contents


# --- invalid selections ------------------------------------------------------

def test_unknown_stack_guardrail_lists_valid_ids() -> None:
    with pytest.raises(GuardrailError) as caught:
        plan_guardrails(make_settings(guardrails=["deny-evrything"]), [])
    assert "unknown guardrail id 'deny-evrything'" in str(caught.value)
    assert "valid ids: deny-account-changes" in str(caught.value)


def test_unknown_team_add_names_team() -> None:
    with pytest.raises(GuardrailError, match=r"team alpha guardrails\.add: unknown guardrail id 'nope'"):
        plan_guardrails(make_settings(), [make_team("alpha", add=("nope",))])


def test_unknown_team_relax_names_team() -> None:
    with pytest.raises(GuardrailError, match=r"team alpha guardrails\.relax: unknown guardrail id 'nope'"):
        plan_guardrails(make_settings(), [make_team("alpha", relax=("nope",))])


def test_platform_guardrail_not_relaxable() -> None:
    with pytest.raises(GuardrailError, match="'protect-platform-roles' protects the platform"):
        plan_guardrails(make_settings(), [make_team("alpha", relax=("protect-platform-roles",))])


def test_add_and_relax_same_id() -> None:
    with pytest.raises(GuardrailError, match="both added and relaxed"):
        plan_guardrails(make_settings(), [make_team("alpha", add=("region-lock",), relax=("region-lock",))])


def test_unknown_setting_name() -> None:
    overrides = {"instance-type-allowlist": {"ec2Types": ["t3.nano"]}}
    with pytest.raises(GuardrailError, match="unknown setting 'ec2Types'"):
        plan_guardrails(make_settings(guardrail_settings=overrides), [])


def test_setting_wrong_type() -> None:
    overrides = {"instance-type-allowlist": {"ec2InstanceTypes": "t3.nano"}}
    with pytest.raises(GuardrailError, match="expected a list of strings"):
        plan_guardrails(make_settings(guardrail_settings=overrides), [])


def test_settings_for_unknown_guardrail() -> None:
    with pytest.raises(GuardrailError, match="unknown guardrail id 'gpu-limits'"):
        plan_guardrails(make_settings(guardrail_settings={"gpu-limits": {}}), [])


# --- determinism -------------------------------------------------------------

def test_same_input_same_bytes(settings: StackSettings, roster: Roster) -> None:
    first = plan_guardrails(settings, roster.teams)
    second = plan_guardrails(settings, roster.teams)
    assert [p.content for p in first.all_policies()] == [p.content for p in second.all_policies()]


def test_team_order_does_not_matter() -> None:
    teams = [make_team("alpha", relax=("region-lock",)), make_team("beta"), make_team("gamma")]
    forward = plan_guardrails(make_settings(), teams)
    backward = plan_guardrails(make_settings(), list(reversed(teams)))
    assert [p.content for p in forward.all_policies()] == [p.content for p in backward.all_policies()]


def test_catalog_file_order_does_not_matter(tmp_path: Path, settings: StackSettings, roster: Roster) -> None:
    # Copy the catalog in reverse order and with each guardrail's statements
    # file written last, so directory listing order differs from the original.
    copy = tmp_path / "catalog"
    (copy / "special").mkdir(parents=True)
    for path in sorted(CATALOG_DIR.rglob("*.yaml"), reverse=True):
        shutil.copy(path, copy / path.relative_to(CATALOG_DIR))
    original = plan_guardrails(settings, roster.teams)
    copied = plan_guardrails(settings, roster.teams, catalog=load_catalog(copy))
    assert [p.content for p in original.all_policies()] == [p.content for p in copied.all_policies()]


def test_sids_unique_per_policy(plan: GuardrailPlan) -> None:
    for policy in plan.all_policies():
        sids = [sid for sid, _ in policy.statements]
        assert len(sids) == len(set(sids))


def test_no_statement_lost(plan: GuardrailPlan, catalog: Catalog) -> None:
    expected = {guardrail.sid(spec) for guardrail in catalog.guardrails if guardrail.spec.default_enabled
                for spec in guardrail.spec.statements}
    assert statements_of(plan.sandboxes) == expected

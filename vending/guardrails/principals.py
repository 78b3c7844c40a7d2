"""The platform principals: the one exemption list every guardrail deny carries."""

from __future__ import annotations

from fnmatch import fnmatchcase

from vending import names
from vending.errors import GuardrailError
from vending.settings import StackSettings

# Roles that AWS Control Tower and CloudFormation StackSets (self-managed and
# service-managed) create in member accounts to deploy baselines.
CONTROL_TOWER_ROLES = (
    "arn:aws:iam::*:role/aws-controltower-*",
    "arn:aws:iam::*:role/AWSControlTowerExecution",
)
STACKSET_ROLES = (
    "arn:aws:iam::*:role/stacksets-exec-*",
    "arn:aws:iam::*:role/AWSCloudFormationStackSetExecutionRole",
)
# Role ARNs a learner works through. The Identity Center role sits under the
# aws-reserved/sso.amazonaws.com/ path and is named AWSReservedSSO_<permission
# set>_<suffix>. No exemption pattern may match them, or the guardrails would
# not apply to learners at all.
LEARNER_ROLE_SAMPLES = (
    "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_SandboxAdmin_0123456789abcdef",
    "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef",
    "arn:aws:iam::111122223333:role/Admin",
    "arn:aws:iam::111122223333:user/learner",
)


def platform_principals(settings: StackSettings) -> list[str]:
    """Return the principal ARN patterns exempt from every guardrail, in a stable order.

    Raises ``GuardrailError`` when an entry of ``platformPrincipals`` would
    also match a learner's role, which would switch the guardrails off.
    """
    # With accessMode iam_role, learners assume <prefix>-learner-admin, never
    # accountRoleName, because that role is exempt from every guardrail.
    principals = [
        f"arn:aws:iam::*:role/{settings.account_role_name}",
        f"arn:aws:iam::*:role/{settings.prefix}-platform-*",
        *CONTROL_TOWER_ROLES,
        *STACKSET_ROLES,
    ]
    for extra in settings.platform_principals:
        if extra not in principals:
            principals.append(extra)
    # The roles this stack's learners really use, next to generic samples.
    learner_roles = (
        *LEARNER_ROLE_SAMPLES,
        "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/"
        f"AWSReservedSSO_{names.learner_permission_set(settings.prefix)}_0123456789abcdef",
        f"arn:aws:iam::111122223333:role/{names.learner_admin_role(settings.prefix)}",
    )
    for pattern in principals:
        matched = [sample for sample in learner_roles if arn_like(pattern, sample)]
        if matched:
            raise GuardrailError(
                f"platform principal '{pattern}' also matches learner principals such as {matched[0]}; "
                "exempting it would lift every guardrail for learners. "
                "Fix: name the exact platform role in platformPrincipals"
            )
    return principals


def arn_like(pattern: str, arn: str) -> bool:
    """Match an ARN as IAM's ArnLike does: each of the six colon-separated parts on its own.

    ``*`` and ``?`` match within a part, never across a colon between parts;
    the last part (the resource) may itself contain colons.
    """
    pattern_parts = pattern.split(":", 5)
    arn_parts = arn.split(":", 5)
    if pattern == "*":
        return True
    if len(pattern_parts) != 6 or len(arn_parts) != 6:
        # A pattern with fewer parts than an ARN matches nothing, because a
        # wildcard never spans the colon between two parts.
        return len(pattern_parts) == len(arn_parts) and glob_match(pattern, arn)
    return all(glob_match(p, a) for p, a in zip(pattern_parts, arn_parts, strict=True))


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """Match IAM wildcards: ``*`` is any run of characters, ``?`` one character, nothing else is special."""
    escaped = pattern.replace("[", "[[]")
    if ignore_case:
        return fnmatchcase(value.lower(), escaped.lower())
    return fnmatchcase(value, escaped)

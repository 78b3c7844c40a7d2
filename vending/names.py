"""Names of AWS objects and Pulumi resources, derived from stable ids only.

The program, the offline plan, ``import`` and ``status`` all use these
functions, so an account found in AWS can be matched to the resource that
manages it. Changing any of them renames resources in every existing stack.
"""

from __future__ import annotations

PROJECT = "sandbox-vending"
LEARNER_TYPE = "sandbox:index:LearnerSandbox"
TEAM_TYPE = "sandbox:index:TeamSandbox"
PROVIDER_TYPE = "pulumi:providers:aws"
ACCOUNT_TYPE = "aws:organizations/account:Account"


def sandboxes_ou(prefix: str) -> str:
    return f"{prefix}-sandboxes"


def suspended_ou(prefix: str) -> str:
    return f"{prefix}-suspended"


def team_ou(prefix: str, team_id: str) -> str:
    return f"{prefix}-{team_id}"


def learner_component(learner_id: str) -> str:
    """Pulumi name of a learner's ``LearnerSandbox``; its children are named ``<this>-<suffix>``."""
    return learner_id


def team_component(team_id: str) -> str:
    """Pulumi name of a shared team account's ``TeamSandbox``; also the stem of its budget and alarm names."""
    return f"team-{team_id}"


def account_resource(component: str) -> str:
    """Pulumi name of the Account inside the sandbox component named ``component``."""
    return f"{component}-account"


def budget(prefix: str, learner_id: str) -> str:
    return f"{prefix}-{learner_id}"


def billing_alarm(prefix: str, learner_id: str) -> str:
    return f"{prefix}-{learner_id}-estimated-charges"


def spend_topic(prefix: str) -> str:
    return f"{prefix}-spend-alerts"


def budget_action_role(prefix: str) -> str:
    return f"{prefix}-platform-budget-action"


def learner_permission_set(prefix: str) -> str:
    # Permission set names are at most 32 characters; the prefix is at most 20.
    return f"{prefix}-learner-admin"


def instructor_permission_set(prefix: str) -> str:
    return f"{prefix}-instructor-ro"


def learner_admin_role(prefix: str) -> str:
    """IAM role learners assume in iam_role mode; it must not match the ``<prefix>-platform-*`` exemption."""
    return f"{prefix}-learner-admin"


def component_urn(stack: str, learner_id: str) -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::{LEARNER_TYPE}::{learner_component(learner_id)}"

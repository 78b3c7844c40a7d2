"""The platform exemption list never covers the roles learners sign in with."""

from __future__ import annotations

import pytest

from vending.errors import GuardrailError
from vending.guardrails import platform_principals
from vending.settings import StackSettings


def settings(**values: object) -> StackSettings:
    return StackSettings.model_validate({"opsEmails": ["ops@example.com"], **values})


@pytest.mark.parametrize(
    "pattern",
    ["arn:aws:iam::*:role/sbx-*", "arn:aws:iam::*:role/*learner*", "arn:aws:iam::*:role/aws-reserved/*"],
    ids=["prefix wildcard", "learner wildcard", "sso path"],
)
def test_pattern_covering_learner_rejected(pattern: str) -> None:
    with pytest.raises(GuardrailError) as caught:
        platform_principals(settings(platformPrincipals=[pattern]))
    assert "also matches learner principals" in str(caught.value)


def test_learner_roles_follow_prefix() -> None:
    with pytest.raises(GuardrailError) as caught:
        platform_principals(settings(prefix="acme", platformPrincipals=["arn:aws:iam::*:role/acme-l*"]))
    assert "acme-learner-admin" in str(caught.value)


def test_exact_platform_role_accepted() -> None:
    extra = "arn:aws:iam::*:role/acme-cleanup"
    assert extra in platform_principals(settings(platformPrincipals=[extra]))

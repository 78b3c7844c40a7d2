"""Loading and validating the guardrail catalog files."""

from __future__ import annotations

from pathlib import Path

import pytest
from guardrail_helpers import write_guardrail, write_special

from vending.errors import ValidationError
from vending.guardrails.catalog import SPECIAL_IDS, Catalog, load_catalog

REQUIRED_IDS = (
    "deny-account-changes",
    "deny-ai-capacity",
    "deny-cost-commitments",
    "deny-iam-user-access-keys",
    "deny-leave-organization",
    "deny-root-user",
    "instance-type-allowlist",
    "protect-platform-roles",
    "region-lock",
)


@pytest.mark.parametrize("guardrail_id", REQUIRED_IDS)
def test_shipped_catalog_has(catalog: Catalog, guardrail_id: str) -> None:
    assert guardrail_id in catalog.ids()


def test_shipped_special_policies(catalog: Catalog) -> None:
    assert sorted(catalog.special) == sorted(SPECIAL_IDS)


def test_access_keys_guardrail_is_opt_in(catalog: Catalog) -> None:
    assert catalog.get("deny-iam-user-access-keys").spec.default_enabled is False


def test_every_guardrail_has_reason(catalog: Catalog) -> None:
    missing = [guardrail.id for guardrail in catalog.guardrails if len(guardrail.spec.reason) < 40]
    assert missing == []


def test_unknown_key_reports_file_and_line(tmp_path: Path) -> None:
    path = write_guardrail(tmp_path, "deny-thing", ["ec2:RunInstances"])
    path.write_text(path.read_text() + "relaxible: true\n", encoding="utf-8")
    write_special(tmp_path)
    with pytest.raises(ValidationError) as caught:
        load_catalog(tmp_path)
    (problem,) = caught.value.problems
    assert problem.file == str(path)
    assert problem.line == len(path.read_text().splitlines())
    assert "unknown key 'relaxible'" in problem.message


def test_unknown_statement_key_is_error(tmp_path: Path) -> None:
    path = tmp_path / "deny-thing.yaml"
    write_guardrail(tmp_path, "deny-thing", ["ec2:RunInstances"])
    path.write_text(path.read_text().replace("Resource:", "Resources:"), encoding="utf-8")
    write_special(tmp_path)
    with pytest.raises(ValidationError) as caught:
        load_catalog(tmp_path)
    messages = [problem.message for problem in caught.value.problems]
    assert "unknown key 'Resources'" in messages


def test_allow_statement_is_rejected(tmp_path: Path) -> None:
    path = write_guardrail(tmp_path, "deny-thing", ["ec2:RunInstances"])
    path.write_text(path.read_text().replace("Effect: Deny", "Effect: Allow"), encoding="utf-8")
    write_special(tmp_path)
    with pytest.raises(ValidationError) as caught:
        load_catalog(tmp_path)
    assert caught.value.problems[0].location == "statements[0].Effect"


def test_id_must_match_file_name(tmp_path: Path) -> None:
    path = write_guardrail(tmp_path, "deny-thing", ["ec2:RunInstances"])
    path.rename(tmp_path / "other-name.yaml")
    write_special(tmp_path)
    with pytest.raises(ValidationError) as caught:
        load_catalog(tmp_path)
    assert "must match the file name" in caught.value.problems[0].message


def test_action_and_not_action_conflict(tmp_path: Path) -> None:
    write_guardrail(tmp_path, "deny-thing", ["ec2:RunInstances"],
                    statements=[{"Effect": "Deny", "Action": "a:b", "NotAction": "c:d", "Resource": "*"}])
    write_special(tmp_path)
    with pytest.raises(ValidationError) as caught:
        load_catalog(tmp_path)
    assert "exactly one of Action and NotAction" in caught.value.problems[0].message


def test_missing_special_policy_is_error(tmp_path: Path) -> None:
    write_guardrail(tmp_path, "deny-thing", ["ec2:RunInstances"])
    with pytest.raises(ValidationError) as caught:
        load_catalog(tmp_path)
    assert "deny-all" in caught.value.problems[0].message


def test_every_problem_reported_at_once(tmp_path: Path) -> None:
    first = write_guardrail(tmp_path, "deny-one", ["ec2:RunInstances"])
    second = write_guardrail(tmp_path, "deny-two", ["ec2:RunInstances"])
    first.write_text(first.read_text() + "colour: red\n", encoding="utf-8")
    second.write_text(second.read_text() + "flavour: sour\n", encoding="utf-8")
    write_special(tmp_path)
    with pytest.raises(ValidationError) as caught:
        load_catalog(tmp_path)
    assert len(caught.value.problems) == 2

"""Stack config problems: named bad inputs with their line, location, message and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_STACK
from vending.errors import ValidationError
from vending.guardrails.catalog import load_catalog
from vending.settings import guardrail_config_problems, known_regions, load_stack_file

EXAMPLE = EXAMPLE_STACK.read_text(encoding="utf-8")


def _line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if fragment in line)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "Pulumi.test.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# (case name, stack text, text of the reported line, location, text in the message, text in the fix)
CASES = [
    (
        "misspelled key",
        EXAMPLE + "  sandbox-vending:alarmPercnt: 70\n",
        "alarmPercnt",
        "alarmPercnt",
        "unknown key 'alarmPercnt'",
        "did you mean alarmPercent?",
    ),
    (
        "misspelled namespace",
        EXAMPLE + "  sandbox-vendng:alarmPercent: 70\n",
        "sandbox-vendng",
        "sandbox-vendng:alarmPercent",
        "unknown config namespace 'sandbox-vendng'",
        "did you mean sandbox-vending:alarmPercent?",
    ),
    (
        "namespace with underscore",
        EXAMPLE + "  sandbox_vending:prefix: lab\n",
        "sandbox_vending",
        "sandbox_vending:prefix",
        "unknown config namespace 'sandbox_vending'",
        "did you mean sandbox-vending:prefix?",
    ),
    (
        "prefix pattern",
        EXAMPLE.replace("prefix: sbx", "prefix: Sbx_1"),
        "prefix: Sbx_1",
        "prefix",
        "must be 2-20 characters of lowercase letters, digits and hyphens",
        "correct sandbox-vending:prefix",
    ),
    (
        "session duration pattern",
        EXAMPLE.replace("PT8H", "8h"),
        "sessionDuration",
        "sessionDuration",
        "whole number of hours from PT1H to PT12H",
        "correct sandbox-vending:sessionDuration",
    ),
    (
        "validator message",
        EXAMPLE.replace("    - us-east-1\n", ""),
        "allowedRegions",
        "allowedRegions",
        "must include us-east-1",
        "correct sandbox-vending:allowedRegions",
    ),
    (
        "unknown region",
        EXAMPLE.replace("    - eu-west-1", "    - eu-west-9"),
        "allowedRegions",
        "allowedRegions",
        "unknown AWS regions: eu-west-9",
        "raise the boto3 pin",
    ),
    (
        "number out of range",
        EXAMPLE.replace("alarmPercent: 80", "alarmPercent: 0"),
        "alarmPercent",
        "alarmPercent",
        "must be greater than 0",
        "use a positive number",
    ),
    (
        "number as text",
        EXAMPLE.replace("scpMaxChars: 5120", "scpMaxChars: lots"),
        "scpMaxChars",
        "scpMaxChars",
        "must be a whole number, not text",
        "write a whole number without quotes, for example 5",
    ),
]


@pytest.mark.parametrize(
    ("text", "line_text", "location", "message", "fix"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_stack_problem_reported(
    tmp_path: Path, text: str, line_text: str, location: str, message: str, fix: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ValidationError) as caught:
        load_stack_file(path)
    matching = [problem for problem in caught.value.problems if message in problem.message]
    assert matching, [str(problem) for problem in caught.value.problems]
    assert matching[0].line == _line_of(text, line_text)
    assert matching[0].location == location
    assert fix in matching[0].fix
    assert "Value error" not in str(caught.value)


@pytest.mark.parametrize(
    "key",
    ["aws:profile: sandbox-admin", "pulumi:tags: {team: ops}", "random:seed: 3", "sandbox:owner: ops"],
    ids=["aws", "pulumi", "other provider", "short name"],
)
def test_other_namespaces_allowed(tmp_path: Path, key: str) -> None:
    _, raw = load_stack_file(_write(tmp_path, EXAMPLE + f"  {key}\n"))
    assert key.partition(": ")[0] in raw


def test_example_regions_known() -> None:
    assert {"us-east-1", "us-west-2", "eu-west-1"} <= known_regions()


def test_all_stack_problems_reported_at_once(tmp_path: Path) -> None:
    text = EXAMPLE.replace("prefix: sbx", "prefix: X") + "  sandbox-vendng:alarmPercent: 70\n"
    with pytest.raises(ValidationError) as caught:
        load_stack_file(_write(tmp_path, text))
    assert [problem.location for problem in caught.value.problems] == ["prefix", "sandbox-vendng:alarmPercent"]


# (case name, extra stack lines, text of the reported line, location, text in the fix)
GUARDRAIL_CASES = [
    (
        "selection typo",
        "  sandbox-vending:guardrails: [region-lokc, deny-root-user]\n",
        "guardrails:",
        "guardrails[0]",
        "did you mean region-lock?",
    ),
    (
        "settings guardrail typo",
        "  sandbox-vending:guardrailSettings:\n    instance-type-alowlist:\n      ec2InstanceTypes: [t3.micro]\n",
        "instance-type-alowlist",
        "guardrailSettings.instance-type-alowlist",
        "did you mean instance-type-allowlist?",
    ),
    (
        "setting name typo",
        "  sandbox-vending:guardrailSettings:\n    instance-type-allowlist:\n      ec2InstanceType: [t3.micro]\n",
        "ec2InstanceType:",
        "guardrailSettings.instance-type-allowlist.ec2InstanceType",
        "did you mean ec2InstanceTypes?",
    ),
    (
        "settings not a mapping",
        "  sandbox-vending:guardrailSettings:\n    region-lock: [eu-west-1]\n",
        "region-lock:",
        "guardrailSettings.region-lock",
        "indent 'settingName: value' lines",
    ),
]


@pytest.mark.parametrize(
    ("extra", "line_text", "location", "fix"),
    [case[1:] for case in GUARDRAIL_CASES],
    ids=[case[0] for case in GUARDRAIL_CASES],
)
def test_stack_guardrail_problem(tmp_path: Path, extra: str, line_text: str, location: str, fix: str) -> None:
    text = EXAMPLE + extra
    path = _write(tmp_path, text)
    settings, _ = load_stack_file(path)
    problems = guardrail_config_problems(path, settings, load_catalog())
    assert len(problems) == 1
    assert problems[0].line == _line_of(text, line_text)
    assert problems[0].location == location
    assert fix in problems[0].fix

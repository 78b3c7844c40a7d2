"""``sandboxctl guardrails`` subcommands run against the example stack and roster."""

from __future__ import annotations

import pytest

from vending.cli import main
from vending.commands.guardrails import parse_context
from vending.errors import GuardrailError


def test_check_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guardrails", "check"]) == 0


def test_check_prints_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guardrails", "check"]) == 0
    assert "5 policies compiled and linted: no findings" in capsys.readouterr().out


def test_list_shows_opt_in(capsys: pytest.CaptureFixture[str]) -> None:
    main(["guardrails", "list"])
    assert "opt-in" in capsys.readouterr().out


def test_explain_denied(capsys: pytest.CaptureFixture[str]) -> None:
    main(["guardrails", "explain", "ec2:RunInstances", "--region", "us-east-1",
          "--context", "ec2:InstanceType=p4d.24xlarge", "--team", "ml-research"])
    output = capsys.readouterr().out
    assert output.startswith("DENIED")
    assert "InstanceTypeAllowlistEc2" in output


def test_explain_allowed(capsys: pytest.CaptureFixture[str]) -> None:
    main(["guardrails", "explain", "iam:CreateRole", "--region", "ap-south-1",
          "--resource", "arn:aws:iam::111122223333:role/app"])
    assert capsys.readouterr().out.startswith("ALLOWED")


def test_explain_unknown_team_exits_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guardrails", "explain", "ec2:RunInstances", "--region", "us-east-1", "--team", "nope"]) == 1


def test_context_repeats_values() -> None:
    parsed = parse_context(["sagemaker:InstanceTypes=ml.t3.medium", "sagemaker:InstanceTypes=ml.m5.large"])
    assert parsed == {"sagemaker:InstanceTypes": ("ml.t3.medium", "ml.m5.large")}


def test_context_without_equals() -> None:
    with pytest.raises(GuardrailError, match="expected KEY=VALUE"):
        parse_context(["ec2:InstanceType"])


def test_explain_malformed_action_exits_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guardrails", "explain", "notanaction", "--region", "us-east-1"]) == 1
    assert "write SERVICE:ACTION" in capsys.readouterr().err


def test_explain_unknown_action_noted(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guardrails", "explain", "ec2:Nope", "--region", "us-east-1"]) == 0
    assert "'ec2:Nope' is not an action parliament knows" in capsys.readouterr().out


def test_explain_default_principal_uses_permission_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guardrails", "explain", "ec2:DescribeInstances", "--region", "us-east-1"]) == 0
    assert "AWSReservedSSO_sbx-learner-admin_" in capsys.readouterr().out


@pytest.mark.parametrize("action", ["ec2:Run*", "ec2:*", "ec2:run instances"], ids=["glob", "star", "space"])
def test_explain_rejects_patterns(capsys: pytest.CaptureFixture[str], action: str) -> None:
    assert main(["guardrails", "explain", action, "--region", "us-east-1"]) == 1
    assert "invalid action" in capsys.readouterr().err


def test_explain_notes_unknown_region(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guardrails", "explain", "ec2:DescribeInstances", "--region", "eu-west-9"]) == 0
    assert "'eu-west-9' is not an AWS Region botocore knows" in capsys.readouterr().out

"""sandboxctl welcome in both access modes, with and without the real stack outputs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from vending.cli import main

ACCOUNT_ID = "123456789012"


@pytest.fixture
def outputs_file(tmp_path: Path) -> Callable[[str], Path]:
    def write(sign_in_url: str) -> Path:
        data = {"learners": {"jdoe": {"account_id": ACCOUNT_ID, "sign_in_url": sign_in_url, "status": "active"}}}
        path = tmp_path / "outputs.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    return write


def welcome(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["welcome", *argv]) == 0
    return capsys.readouterr().out


IDENTITY_CENTER_LINES = [
    "Account    sbx-jdoe (123456789012)",
    "Sign in    https://d-example.awsapps.com/start",
    "choose the account sbx-jdoe, then the sbx-learner-admin permission set",
    "Regions    us-east-1, us-west-2, eu-west-1",
    "Budget     $75.00 per month; email alerts at 50% spent, 80% spent, 100% spent, 100% forecast",
    "Hard stop  at 100% ($75.00) of the budget the account is frozen",
    "Expires    access ends after 2027-03-31",
    "  - Every action by the root user of a sandbox account.",
    "  - Requests to Regions outside the allowed Regions",
]


@pytest.mark.parametrize("line", IDENTITY_CENTER_LINES)
def test_welcome_identity_center(
    capsys: pytest.CaptureFixture[str], outputs_file: Callable[[str], Path], line: str
) -> None:
    text = welcome(capsys, "jdoe", "--stack-outputs", str(outputs_file("https://d-example.awsapps.com/start")))
    assert line in text


ROLE_URL = f"https://signin.aws.amazon.com/switchrole?roleName=sbx-learner-admin&account={ACCOUNT_ID}"
IAM_ROLE_LINES = [
    f"Sign in    {ROLE_URL}",
    "Sign in to your identity account with MFA first, then open the link to switch to the sbx-learner-admin role.",
]


@pytest.mark.parametrize("line", IAM_ROLE_LINES)
def test_welcome_iam_role(
    capsys: pytest.CaptureFixture[str],
    outputs_file: Callable[[str], Path],
    write_stack: Callable[..., Path],
    line: str,
) -> None:
    stack = write_stack(accessMode="iam_role", identityAccountPrincipals=principals_for_example())
    text = welcome(capsys, "jdoe", "--stack-config", str(stack), "--stack-outputs", str(outputs_file(ROLE_URL)))
    assert line in text


def principals_for_example() -> dict[str, list[str]]:
    learners = ["jdoe", "asmith", "mgarcia", "obrien", "lnguyen", "pkumar", "hsato", "bmuller", "efischer", "rokafor"]
    return {learner: [f"arn:aws:iam::222222222222:user/{learner}"] for learner in learners}


def test_welcome_without_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    text = welcome(capsys, "jdoe")
    assert "sbx-jdoe (account id: ask cloud ops, or pass --stack-outputs)" in text


def test_welcome_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    text = welcome(capsys, "kwong", "--format", "markdown")
    assert text.startswith("# Welcome to your AWS sandbox, Kai Wong\n")
    assert "> **Your access is suspended** (status: suspended); ask your instructor." in text
    assert "- **Sign in:** [https://d-example.awsapps.com/start](https://d-example.awsapps.com/start)" in text
    assert "## What the guardrails forbid" in text


BAD_INPUTS = [
    ("unknown learner", ["nobody"], "no learner 'nobody'"),
    ("outputs file missing", ["jdoe", "--stack-outputs", "/nonexistent/outputs.json"], "stack outputs file not found"),
]


@pytest.mark.parametrize(("case", "argv", "expected"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_welcome_bad_input(capsys: pytest.CaptureFixture[str], case: str, argv: list[str], expected: str) -> None:
    assert main(["welcome", *argv]) == 1
    assert expected in capsys.readouterr().err


def test_welcome_outputs_not_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "outputs.json"
    path.write_text("{", encoding="utf-8")
    assert main(["welcome", "jdoe", "--stack-outputs", str(path)]) == 1
    assert "is not JSON" in capsys.readouterr().err


def test_welcome_names_user(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["welcome", "obrien"]) == 0
    assert "sign in as sobrien" in capsys.readouterr().out


def test_welcome_suggests_learner_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["welcome", "jdo"]) == 1
    assert "did you mean 'jdoe'?" in capsys.readouterr().err

"""sandboxctl preflight, status, import, unfreeze and expiring: output and exit codes.

The commands get their clients from ``aws_options.build_clients``; each test
replaces it so the command talks to moto, or to Stubbers where moto has no API.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from tests.vending.aws_fixtures import OrgTree
from vending.aws.clients import AwsClients
from vending.cli import main
from vending.commands import aws_options

TODAY = ["--today", "2026-12-04"]


@pytest.fixture
def use_clients(monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(clients: AwsClients) -> None:
        monkeypatch.setattr(aws_options, "build_clients", lambda _args: clients)

    return install


def test_preflight_pass_exit_zero(clients: AwsClients, team_accounts: OrgTree, billing_metric: None,
                                  use_clients: Any, capsys: pytest.CaptureFixture[str]) -> None:
    use_clients(clients)

    code = main(["preflight", "--account-quota", "100"])

    assert code == 0
    assert "0 failed" in capsys.readouterr().out


def test_preflight_failure_exit_one(clients: AwsClients, problem_accounts: OrgTree, billing_metric: None,
                                    use_clients: Any, capsys: pytest.CaptureFixture[str]) -> None:
    use_clients(clients)

    code = main(["preflight", "--account-quota", "100"])
    out = capsys.readouterr().out

    assert code == 1
    assert "FAIL  email collisions" in out
    assert "fix:" in out


def test_preflight_aws_error_exit_two(use_clients: Any, capsys: pytest.CaptureFixture[str]) -> None:
    clients = AwsClients(boto3.Session(region_name="us-east-1"), "us-east-1")
    use_clients(clients)
    with Stubber(clients.organizations) as stubber:
        stubber.add_client_error("describe_organization", service_error_code="AccessDeniedException",
                                 service_message="not authorized")
        code = main(["preflight"])

    assert code == 2
    assert "organizations:DescribeOrganization failed: AccessDeniedException" in capsys.readouterr().err


def test_status_json(clients: AwsClients, problem_accounts: OrgTree, budgets: dict[str, Any], use_clients: Any,
                     capsys: pytest.CaptureFixture[str]) -> None:
    use_clients(clients)

    code = main(["status", "--format", "json", *TODAY])
    document = json.loads(capsys.readouterr().out)

    assert code == 0
    assert len(document["learners"]) == 12
    assert document["unowned"][0]["email"] == "stray@example.com"


def test_status_table(clients: AwsClients, problem_accounts: OrgTree, budgets: dict[str, Any], use_clients: Any,
                      capsys: pytest.CaptureFixture[str]) -> None:
    use_clients(clients)

    code = main(["status", *TODAY])
    out = capsys.readouterr().out

    assert code == 0
    assert "stray@example.com" in out
    assert "jdoe" in out


def test_import_conflicts_exit_one(clients: AwsClients, problem_accounts: OrgTree, use_clients: Any,
                                   tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    use_clients(clients)
    output = tmp_path / "import.json"

    code = main(["import", "--stack", "dev", "--output", str(output)])
    out = capsys.readouterr().out

    assert code == 1
    assert "conflict  learner obrien" in out
    assert len(json.loads(output.read_text())["resources"]) == 4


def test_import_clean_exit_zero(clients: AwsClients, team_accounts: OrgTree, use_clients: Any, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    use_clients(clients)
    output = tmp_path / "import.json"

    code = main(["import", "--stack", "dev", "--output", str(output)])
    document = json.loads(output.read_text())

    assert code == 0
    assert document["nameTable"]["jdoe"] == "urn:pulumi:dev::sandbox-vending::sandbox:index:LearnerSandbox::jdoe"
    assert f"pulumi import --stack dev --file {output}" in capsys.readouterr().out


def test_import_stack_from_config_name(clients: AwsClients, team_accounts: OrgTree, use_clients: Any,
                                       tmp_path: Path) -> None:
    use_clients(clients)
    stack_config = tmp_path / "Pulumi.teach.yaml"
    stack_config.write_text((Path(__file__).resolve().parents[3] / "Pulumi.example.yaml").read_text())
    roster = Path(__file__).resolve().parents[3] / "config" / "roster.yaml"
    output = tmp_path / "import.json"

    main(["import", "--stack-config", str(stack_config), "--roster", str(roster), "--output", str(output)])

    assert json.loads(output.read_text())["nameTable"]["jdoe"].startswith("urn:pulumi:teach::")


def test_import_help_names_next_step(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["import", "--help"])

    assert "pulumi import --stack STACK --file FILE" in capsys.readouterr().out


def _unfreeze_clients(actual: float, status: str) -> tuple[AwsClients, list[Stubber]]:
    """Stub STS and Budgets for unfreeze; moto has no budget actions."""
    clients = AwsClients(boto3.Session(region_name="us-east-1"), "us-east-1")
    sts = Stubber(clients.sts)
    sts.add_response("get_caller_identity", {"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:root",
                                             "UserId": "AIDEXAMPLE"})
    budgets = Stubber(clients.budgets)
    budgets.add_response("describe_budget", {"Budget": {
        "BudgetName": "sbx-jdoe", "BudgetType": "COST", "TimeUnit": "MONTHLY",
        "BudgetLimit": {"Amount": "75", "Unit": "USD"},
        "CalculatedSpend": {"ActualSpend": {"Amount": str(actual), "Unit": "USD"}},
    }})
    action_id = "12345678-1234-1234-1234-123456789012"
    budgets.add_response("describe_budget_actions_for_budget", {"Actions": [{
        "ActionId": action_id, "BudgetName": "sbx-jdoe", "NotificationType": "ACTUAL",
        "ActionType": "APPLY_SCP_POLICY",
        "ActionThreshold": {"ActionThresholdValue": 100, "ActionThresholdType": "PERCENTAGE"},
        "Definition": {"ScpActionDefinition": {"PolicyId": "p-spendfreeze", "TargetIds": ["333333333333"]}},
        "ExecutionRoleArn": "arn:aws:iam::123456789012:role/sbx-platform-budget-action",
        "ApprovalModel": "AUTOMATIC", "Status": status,
        "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "ops@example.com"}],
    }]})
    if status == "EXECUTION_SUCCESS" and actual < 75:
        budgets.add_response("execute_budget_action", {
            "AccountId": "123456789012", "BudgetName": "sbx-jdoe", "ActionId": action_id,
            "ExecutionType": "REVERSE_BUDGET_ACTION",
        })
    sts.activate()
    budgets.activate()
    return clients, [sts, budgets]


@pytest.mark.parametrize(
    ("actual", "status", "code", "expected"),
    [
        pytest.param(40, "EXECUTION_SUCCESS", 0, "SCP p-spendfreeze on 333333333333: reversal requested",
                     id="frozen"),
        pytest.param(40, "STANDBY", 0, "learner jdoe is not frozen", id="not-frozen"),
        pytest.param(80, "EXECUTION_SUCCESS", 1, "would apply again", id="still-over-budget"),
    ],
)
def test_unfreeze_exit_codes(use_clients: Any, capsys: pytest.CaptureFixture[str], actual: float, status: str,
                             code: int, expected: str) -> None:
    clients, stubbers = _unfreeze_clients(actual, status)
    use_clients(clients)

    result = main(["unfreeze", "jdoe"])
    captured = capsys.readouterr()
    for stubber in stubbers:
        stubber.assert_no_pending_responses()
        stubber.deactivate()

    assert result == code
    assert expected in captured.out + captured.err


def test_unfreeze_unknown_learner(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["unfreeze", "nobody"]) == 1
    assert "learner 'nobody' not found" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        pytest.param(["expiring", "--within", "6w"], 0, id="weeks"),
        pytest.param(["expiring", "--within", "14d", "--format", "json"], 0, id="json"),
        pytest.param(["expiring", "--within", "fortnight"], 2, id="bad-window"),
    ],
)
def test_expiring_exit_codes(argv: list[str], code: int) -> None:
    if code == 2:
        with pytest.raises(SystemExit) as raised:
            main([*argv, *TODAY])
        assert raised.value.code == 2
    else:
        assert main([*argv, *TODAY]) == code


def test_expiring_json_rows(capsys: pytest.CaptureFixture[str]) -> None:
    main(["expiring", "--within", "6w", "--format", "json", *TODAY])

    assert json.loads(capsys.readouterr().out) == [
        {"learner": "efischer", "team": "ml-research", "status": "active", "expires": "2027-01-15", "days_left": 42},
    ]

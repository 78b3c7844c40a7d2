"""sandboxctl diff: resource changes and learner summary for base/head roster pairs."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EXAMPLE_ROSTER, EXAMPLE_STACK, PROJECT_DIR
from vending import names
from vending.cli import main
from vending.diff import REPLACE_KEYS
from vending.diff_render import mask_email, mask_named_address, render_json, render_markdown, render_text
from vending.diff_summary import DiffReport, build_report, closure_quota
from vending.plan import Plan, PlanInputs, build_plan

EXAMPLE = EXAMPLE_ROSTER.read_text(encoding="utf-8")
NEW_LEARNER = """      - id: rokafor
        name: Remi Okafor
        email: remi.okafor@example.com
      - id: nnew
        name: Nora New
        email: nora.new@example.com
"""
ROKAFOR = """      - id: rokafor
        name: Remi Okafor
        email: remi.okafor@example.com
"""
TJOHNSON = """      - id: tjohnson
        name: Tom Johnson
        email: tom.johnson@example.com
        status: closed           # left the course; removing this entry closes the account
"""
HSATO = """      - id: hsato
        name: Hana Sato
        email: hana.sato@example.com
"""
KWONG = """      - id: kwong
        name: Kai Wong
        email: kai.wong@example.com
        status: suspended        # paused while an overspend is reviewed
"""
ML_TEAM = "    budget_usd: 100\n    instructors: [lead.ml@example.com]"


def shared_ml_team(text: str) -> str:
    """Give the ml-research team one shared account."""
    return text.replace(ML_TEAM, ML_TEAM.replace("\n", "\n    shared_account: true\n", 1))


def moved_rokafor(text: str) -> str:
    """Move rokafor from ml-research to the end of the data engineering team."""
    text = text.replace(ROKAFOR, "")
    return text.replace("  - id: platform-bootcamp", ROKAFOR + "  - id: platform-bootcamp")


def write_stack_file(path: Path, **overrides: Any) -> Path:
    """Write the example stack config with ``sandbox-vending:`` keys overridden."""
    data = yaml.safe_load(EXAMPLE_STACK.read_text(encoding="utf-8"))
    for key, value in overrides.items():
        data["config"][f"sandbox-vending:{key}"] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Case:
    name: str
    roster: Callable[[str], str]
    settings: dict[str, Any] = field(default_factory=dict)
    learners: dict[str, list[str]] = field(default_factory=dict)
    ops: dict[str, int] = field(default_factory=dict)
    failed: bool = False
    # Substrings of the expected errors, in order. None are expected when the change can be applied.
    errors: tuple[str, ...] = ()
    closures: int = 0
    # The base roster, when it is not the example.
    base: Callable[[str], str] | None = None


CASES = [
    Case(
        "add learner",
        lambda text: text.replace(ROKAFOR, NEW_LEARNER),
        learners={"added": ["nnew"]},
        ops={"update": 0, "replace": 0, "delete": 0},
    ),
    # The data engineering team has its own budget and instructor, so both change too.
    Case(
        "move team",
        moved_rokafor,
        learners={"moved": ["rokafor"], "budget": ["rokafor"], "access": ["rokafor"]},
        ops={"replace": 0},
    ),
    Case(
        "suspend",
        lambda text: text.replace("alex.smith@example.com\n", "alex.smith@example.com\n        status: suspended\n"),
        learners={"suspended": ["asmith"], "access": ["asmith"]},
        ops={"create": 0, "replace": 0},
    ),
    Case(
        "close",
        lambda text: text.replace("status: suspended        # paused", "status: closed        # paused"),
        learners={"closed": ["kwong"]},
        ops={"create": 0, "update": 0, "replace": 0, "delete": 0},
    ),
    Case(
        "remove closed learner",
        lambda text: text.replace(TJOHNSON, ""),
        learners={"removed": ["tjohnson"]},
        ops={"create": 0, "update": 0, "replace": 0},
        closures=1,
    ),
    Case(
        "remove active learner",
        lambda text: text.replace(HSATO, ""),
        learners={"removed": ["hsato"]},
        ops={"create": 0, "update": 0, "replace": 0},
        failed=True,
        errors=("Account hsato-account: protected, so pulumi preview fails on the delete",),
    ),
    Case(
        "remove suspended learner",
        lambda text: text.replace(KWONG, ""),
        learners={"removed": ["kwong"]},
        ops={"create": 0, "replace": 0},
        failed=True,
        errors=("Account kwong-account: protected, so pulumi preview fails on the delete",),
    ),
    # The shared account stays, so only the member's own assignment goes.
    Case(
        "remove shared member",
        lambda text: shared_ml_team(text).replace(HSATO, ""),
        base=shared_ml_team,
        learners={"removed": ["hsato"]},
        ops={"create": 0, "replace": 0, "delete": 1},
    ),
    Case(
        "rename",
        lambda text: text.replace("      - id: jdoe\n", "      - id: janed\n        previous_ids: [jdoe]\n"),
        learners={"renamed": ["janed"]},
        ops={"create": 0, "replace": 0, "delete": 0},
    ),
    Case(
        "guardrail setting",
        lambda text: text,
        settings={"allowedRegions": ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"]},
        ops={"create": 0, "replace": 0, "delete": 0},
    ),
    # A wrong expiry year suspends a whole team: 3 of 12 learners, over the 20% guard.
    Case(
        "mass expiry",
        lambda text: text.replace("expires: 2027-03-31", "expires: 2026-03-31"),
        learners={"expired": ["asmith", "jdoe", "mgarcia"], "access": ["asmith", "jdoe", "mgarcia"]},
        failed=True,
        errors=("3 of 12 learners",),
    ),
    Case(
        "mass expiry allowed",
        lambda text: text.replace("expires: 2027-03-31", "expires: 2026-03-31"),
        settings={"allowMassChange": True},
        learners={"expired": ["asmith", "jdoe", "mgarcia"], "access": ["asmith", "jdoe", "mgarcia"]},
    ),
    Case(
        "email change",
        lambda text: text.replace("- id: jdoe\n", "- id: jdoe\n        account_email: jd+aws@example.com\n"),
        ops={"replace": 3, "create": 0, "delete": 0},
        failed=True,
        errors=("Account jdoe-account: would be REPLACED, which CLOSES", "Account jdoe-account: protected"),
        closures=1,
    ),
    # A new instructor for data engineering: assignments are replaced, budget subscribers updated.
    Case(
        "instructor change",
        lambda text: text.replace("instructors: [lead.data@example.com]", "instructors: [lead.ml@example.com]"),
        learners={"access": ["asmith", "jdoe", "mgarcia"]},
        ops={"replace": 0},
    ),
]
CASE_BY_NAME = {case.name: case for case in CASES}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, example_plan_module: Plan) -> dict[str, DiffReport]:
    """Run every case once: the example plan is the base, the edited roster the head."""
    found = {}
    directory = tmp_path_factory.mktemp("diff-cases")
    for index, case in enumerate(CASES):
        roster = directory / f"roster-{index}.yaml"
        roster.write_text(case.roster(EXAMPLE), encoding="utf-8")
        stack = write_stack_file(directory / f"Pulumi.case-{index}.yaml", **case.settings)
        head = build_plan(PlanInputs(PROJECT_DIR, stack, roster=roster))
        base = example_plan_module
        if case.base is not None:
            base_roster = directory / f"base-roster-{index}.yaml"
            base_roster.write_text(case.base(EXAMPLE), encoding="utf-8")
            base = build_plan(PlanInputs(PROJECT_DIR, EXAMPLE_STACK, roster=base_roster))
        found[case.name] = build_report(base, head, "base", "head", org_accounts=None)
    return found


@pytest.fixture(scope="module")
def example_plan_module() -> Plan:
    return build_plan(PlanInputs(PROJECT_DIR, EXAMPLE_STACK))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_learner_groups(case: Case, reports: dict[str, DiffReport]) -> None:
    summary = reports[case.name].learners
    for group, items in summary.groups():
        assert [item.id for item in items] == case.learners.get(group, []), group


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_resource_counts(case: Case, reports: dict[str, DiffReport]) -> None:
    counts = reports[case.name].resources.counts()
    for op, expected in case.ops.items():
        assert counts[op] == expected, op


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_failed_on_replace_or_mass_change(case: Case, reports: dict[str, DiffReport]) -> None:
    assert reports[case.name].failed is case.failed


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_errors_say_why(case: Case, reports: dict[str, DiffReport]) -> None:
    errors = reports[case.name].errors
    assert len(errors) == len(case.errors), errors
    for error, expected in zip(errors, case.errors, strict=False):
        assert expected in error


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_closure_count(case: Case, reports: dict[str, DiffReport]) -> None:
    assert reports[case.name].closures.count == case.closures


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_text_prints_errors_as_error(case: Case, reports: dict[str, DiffReport]) -> None:
    lines = render_text(reports[case.name]).splitlines()
    errors = [line for line in lines if line.startswith("ERROR: ")]
    warnings = [line for line in lines if line.startswith("WARNING: ")]
    assert len(errors) == len(case.errors)
    fatal = [line for line in warnings if "protected" in line or "REPLACED" in line or "more than" in line]
    assert not fatal
    assert ("FAILED" in lines[-1]) is case.failed


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_markdown_errors_come_first(case: Case, reports: dict[str, DiffReport]) -> None:
    text = render_markdown(reports[case.name], [])
    error_lines = [line for line in text.splitlines() if line.startswith("> - **ERROR:**")]
    assert len(error_lines) == len(case.errors)
    assert ("> [!CAUTION]" in text) is case.failed
    if case.failed:
        assert text.index("> [!CAUTION]") < text.index("**Resources:**")
    if "> [!WARNING]" in text and case.failed:
        assert text.index("> [!CAUTION]") < text.index("> [!WARNING]")


def test_mass_change_message(reports: dict[str, DiffReport]) -> None:
    message = reports["mass expiry"].mass_change or ""
    assert "3 of 12 learners" in message
    assert "allowMassChange" in message
    assert reports["mass expiry allowed"].mass_change is None
    allowed = reports["mass expiry allowed"].mass_change_allowed or ""
    assert "allowMassChange is true" in allowed
    assert allowed in reports["mass expiry allowed"].warnings
    assert reports["mass expiry"].mass_change_allowed is None


def test_add_creates_only_new_learner(reports: dict[str, DiffReport]) -> None:
    created = reports["add learner"].resources.of_op("create")
    assert created
    for change in created:
        assert change.name.startswith("nnew"), change.name


def test_move_updates_account_parent(reports: dict[str, DiffReport]) -> None:
    account = next(c for c in reports["move team"].resources.changes if c.name == "rokafor-account")
    assert account.op == "update"
    assert "parentId" in {change.path for change in account.changes}


def test_close_unprotects_account(reports: dict[str, DiffReport]) -> None:
    account = next(c for c in reports["close"].resources.changes if c.name == "kwong-account")
    assert account.protect == (True, False)


def test_remove_closed_closes_account(reports: dict[str, DiffReport]) -> None:
    report = reports["remove closed learner"]
    account = next(c for c in report.resources.of_op("delete") if c.type == names.ACCOUNT_TYPE)
    assert "CLOSES the AWS account" in account.warnings[0]
    assert report.closures.count == 1


def test_remove_active_is_error(reports: dict[str, DiffReport]) -> None:
    report = reports["remove active learner"]
    account = next(c for c in report.resources.of_op("delete") if c.type == names.ACCOUNT_TYPE)
    assert account.errors
    assert not account.warnings
    assert not [warning for warning in report.warnings if "hsato-account" in warning]
    assert "protected" in report.learners.removed[0].note


def test_remove_shared_member_keeps_account(reports: dict[str, DiffReport]) -> None:
    report = reports["remove shared member"]
    deleted = [change.name for change in report.resources.of_op("delete")]
    assert deleted == ["team-ml-research-member-hsato"]
    assert "shared team account stays" in report.learners.removed[0].note


def test_rename_is_alias_not_replace(reports: dict[str, DiffReport]) -> None:
    renamed = [change for change in reports["rename"].resources.changes if change.renamed]
    assert {change.old_name for change in renamed} >= {"jdoe", "jdoe-account", "jdoe-budget", "jdoe-learner-access"}
    account = next(change for change in renamed if change.type == names.ACCOUNT_TYPE)
    assert [change.path for change in account.changes] == ["name", "tags.Learner"]
    assert account.op == "update"


def test_guardrail_change_reports_sizes(reports: dict[str, DiffReport]) -> None:
    changed = reports["guardrail setting"].guardrails
    assert changed
    assert all(item.change == "changed" for item in changed)
    assert all(item.size_after is not None and item.size_before is not None for item in changed)
    assert any(item.size_after > item.size_before for item in changed if item.size_after and item.size_before)
    updates = reports["guardrail setting"].resources.of_op("update")
    assert {change.type for change in updates} == {"aws:organizations/policy:Policy"}


def test_email_change_replaces_account(reports: dict[str, DiffReport]) -> None:
    replaced = reports["email change"].resources.account_replacements
    assert [change.name for change in replaced] == ["jdoe-account"]
    assert replaced[0].changes[0].path == "email"


@pytest.mark.parametrize(
    ("members", "expected"),
    [(10, 250), (1250, 250), (2000, 400), (10_000, 1000)],
    ids=["small org", "share equals floor", "share above floor", "capped"],
)
def test_closure_quota(members: int, expected: int) -> None:
    assert closure_quota(members) == expected


# The digest after "#" is the first 4 hex digits of the SHA-256 of the lower-cased address.
@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("jane.doe@example.com", "j***@example.com#86e0"),
        ("Jane.Doe@Example.com", "J***@Example.com#86e0"),
        ("to aws-sandbox+jdoe@example.com.", "to a***@example.com#0235."),
        ("two a@b.io, bob@mail.example.org", "two a***@b.io#0f33, b***@mail.example.org#e660"),
        ("no address here", "no address here"),
        ("not@domain", "not@domain"),
        ("already j***@example.com#86e0", "already j***@example.com#86e0"),
        # Not a known resource name, so the whole token is masked.
        ("x-instructor-y@example.com", "x***@example.com#8738"),
    ],
    ids=["plain", "case only", "in sentence", "two", "none", "no dot", "masked twice", "unknown name"],
)
def test_mask_email(text: str, masked: str) -> None:
    assert mask_email(text) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("asmith-instructor-lead.ml@example.com", "asmith-instructor-l***@example.com#4165"),
        ("instructor-lead.ml@example.com", "instructor-l***@example.com#4165"),
        ("team-ml-ops-instructor-lead.ml@example.com", "team-ml-ops-instructor-l***@example.com#4165"),
        ("spend-ops-cloud-ops@example.com", "spend-ops-c***@example.com#9483"),
        # An address that itself contains "-instructor-" shows none of its own characters but the first.
        ("asmith-instructor-x-instructor-y@example.com", "asmith-instructor-x***@example.com#8738"),
        ("lead.ml@example.com", "l***@example.com#4165"),
        ("jdoe-member-x@example.com", "j***@example.com#8f88"),
    ],
    ids=["assignment", "access key", "team with ops", "ops subscription", "key in address", "no key", "member"],
)
def test_mask_named_address(name: str, masked: str) -> None:
    assert mask_named_address(name) == masked


def test_markdown_hides_personal_data(reports: dict[str, DiffReport]) -> None:
    text = render_markdown(reports["email change"], ["Jane Doe"])
    assert "jane.doe@example.com" not in text
    assert "jd+aws@example.com" not in text
    assert "Jane Doe" not in text
    assert "j***@example.com#" in text


def test_markdown_shows_instructor_change(reports: dict[str, DiffReport]) -> None:
    text = render_markdown(reports["instructor change"], [])
    old, new = "l***@example.com#f95c", "l***@example.com#4165"
    assert "lead.data@example.com" not in text
    assert "lead.ml@example.com" not in text
    assert f"+ create  aws:ssoadmin/accountAssignment:AccountAssignment asmith-instructor-{new}" in text
    assert f"- delete  aws:ssoadmin/accountAssignment:AccountAssignment asmith-instructor-{old}" in text
    assert f"| access | `asmith` | instructor-{old}, learner-access | instructor-{new}, learner-access |" in text
    assert f'subscriberEmailAddresses[2]: "{old}" => "{new}"' in text


def test_replace_table_covers_plan_types(example_plan_module: Plan) -> None:
    custom = {item.type for item in example_plan_module.run.registrations if item.custom}
    assert custom <= set(REPLACE_KEYS)


def test_cli_email_change_exits_one(
    write_roster: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    head = write_roster(CASE_BY_NAME["email change"].roster(EXAMPLE))
    assert main(["diff", "--base", str(EXAMPLE_ROSTER), "--head", str(head)]) == 1
    assert "REPLACED" in capsys.readouterr().out


def test_cli_protected_delete_exits_one(
    write_roster: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    head = write_roster(CASE_BY_NAME["remove active learner"].roster(EXAMPLE))
    assert main(["diff", "--base", str(EXAMPLE_ROSTER), "--head", str(head)]) == 1
    output = capsys.readouterr().out
    assert "ERROR: aws:organizations/account:Account hsato-account: protected" in output
    assert "Account closures caused by this change: 0." in output


def test_cli_json_shape(write_roster: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    head = write_roster(CASE_BY_NAME["remove closed learner"].roster(EXAMPLE))
    args = ["diff", "--base", str(EXAMPLE_ROSTER), "--head", str(head), "--format", "json"]
    assert main([*args, "--org-accounts", "40"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"base", "head", "summary", "resources", "learners", "guardrails", "closures", "warnings"}
    assert data["closures"] == {"count": 1, "org_accounts": 40, "quota": 250, "within_quota": True}
    assert data["learners"]["removed"][0]["id"] == "tjohnson"
    assert {item["op"] for item in data["resources"]} == {"delete"}
    assert data["failed"] is False
    assert data["errors"] == []


# Every list the diff prints touches at least one of these edits: resources of each operation,
# learner groups, guardrail policies, errors and warnings.
def busy_change(text: str) -> str:
    text = text.replace(ROKAFOR, NEW_LEARNER).replace(HSATO, "").replace(TJOHNSON, "")
    text = text.replace("instructors: [lead.data@example.com]", "instructors: [lead.ml@example.com]")
    return text.replace("- id: jdoe\n", "- id: jdoe\n        account_email: jd+aws@example.com\n")


def test_output_is_reproducible(tmp_path: Path) -> None:
    roster = tmp_path / "roster.yaml"
    roster.write_text(busy_change(EXAMPLE), encoding="utf-8")
    stack = write_stack_file(tmp_path / "Pulumi.busy.yaml", allowedRegions=["us-east-1", "eu-central-1"])
    outputs = []
    for _ in range(2):
        base = build_plan(PlanInputs(PROJECT_DIR, EXAMPLE_STACK))
        head = build_plan(PlanInputs(PROJECT_DIR, stack, roster=roster))
        report = build_report(base, head, "base", "head", org_accounts=300)
        learner_names = [learner.name for plan in (base, head) for learner in plan.roster.learners]
        outputs.append((render_markdown(report, learner_names), render_json(report)))
    report_lists = (report.errors, report.warnings, report.guardrails, report.learners.added)
    assert all(report_lists)
    assert outputs[0][0] == outputs[1][0]
    assert outputs[0][1] == outputs[1][1]


def test_cli_unknown_ref_exits_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--base", "no-such-ref-or-file"]) == 1
    assert "neither an existing file nor a git ref" in capsys.readouterr().err


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def git_project(tmp_path: Path) -> Path:
    """A git repository holding the program and example config, with one commit."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("__main__.py", "Pulumi.yaml", "Pulumi.example.yaml"):
        shutil.copy(PROJECT_DIR / name, repo / name)
    shutil.copytree(PROJECT_DIR / "config", repo / "config")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "-c", "user.name=Test", "-c", "user.email=test@example.com", "add", ".")
    _git(repo, "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "base")
    return repo


def test_git_ref_base(git_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = git_project / "config" / "roster.yaml"
    roster.write_text(CASE_BY_NAME["add learner"].roster(EXAMPLE), encoding="utf-8")
    args = ["diff", "--base", "main", "--project-dir", str(git_project), "--format", "json"]
    code = main([*args, "--stack-config", str(git_project / "Pulumi.example.yaml")])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["base"] == "main"
    assert [item["id"] for item in data["learners"]["added"]] == ["nnew"]


def test_git_ref_reads_base_stack_config(git_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stack = git_project / "Pulumi.example.yaml"
    stack.write_text(stack.read_text(encoding="utf-8").replace("PT8H", "PT4H"), encoding="utf-8")
    args = ["diff", "--base", "main", "--project-dir", str(git_project), "--format", "json"]
    assert main([*args, "--stack-config", str(stack)]) == 0
    data = json.loads(capsys.readouterr().out)
    paths = [change["path"] for item in data["resources"] for change in item["changes"]]
    assert paths == ["sessionDuration", "sessionDuration"]

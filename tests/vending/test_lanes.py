"""Creation lanes: at most N accounts created at once, chained within teams."""

from __future__ import annotations

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


@pytest.fixture(scope="module")
def lanes_run(tmp_path_factory: pytest.TempPathFactory) -> ProgramRun:
    roster = tmp_path_factory.mktemp("lanes") / "roster.yaml"
    roster.write_text(yaml.safe_dump(roster_data(30, teams=2), sort_keys=False), encoding="utf-8")
    return run_with_existing(roster, EXISTING)


def run_with_existing(roster: Path, existing: list[str]) -> ProgramRun:
    inputs = PlanInputs(project_dir=PROJECT_DIR, stack_file=EXAMPLE_STACK, roster=roster)
    _, roster_model, config = engine_config(inputs)
    mocks = OfflineMocks(
        user_names=roster_user_names(roster_model),
        existing_accounts=[f"aws-sandbox+{learner_id}@example.com" for learner_id in existing],
    )
    return run_program(PROJECT_DIR, config, mocks)


def account_links(run: ProgramRun) -> dict[str, list[str]]:
    """Map each account's learner id to the learner ids of the accounts it depends on."""
    by_urn = {item.urn: item.inputs["tags"]["Learner"] for item in run.of_type(names.ACCOUNT_TYPE)}
    return {
        by_urn[item.urn]: [by_urn[urn] for urn in item.dependencies if urn in by_urn]
        for item in run.of_type(names.ACCOUNT_TYPE)
    }


def test_new_accounts_count(lanes_run: ProgramRun) -> None:
    assert len(account_links(lanes_run)) - len(EXISTING) == 23


def test_at_most_five_roots(lanes_run: ProgramRun) -> None:
    links = account_links(lanes_run)
    roots = [learner for learner, after in links.items() if learner not in EXISTING and not after]
    assert len(roots) <= 5


def test_one_predecessor_each(lanes_run: ProgramRun) -> None:
    assert all(len(after) <= 1 for after in account_links(lanes_run).values())


def test_every_new_account_chained(lanes_run: ProgramRun) -> None:
    links = account_links(lanes_run)
    successors: dict[str, list[str]] = {}
    for learner, after in links.items():
        for previous in after:
            successors.setdefault(previous, []).append(learner)
    reached = set()
    for root in (learner for learner, after in links.items() if learner not in EXISTING and not after):
        current: str | None = root
        while current is not None:
            reached.add(current)
            following = successors.get(current, [])
            assert len(following) <= 1, current
            current = following[0] if following else None
    assert reached == set(links) - set(EXISTING)


def test_existing_accounts_no_new_dependency(lanes_run: ProgramRun) -> None:
    links = account_links(lanes_run)
    assert {learner: links[learner] for learner in EXISTING} == {learner: [] for learner in EXISTING}


def test_chains_stay_in_team(lanes_run: ProgramRun) -> None:
    tags = [item.inputs["tags"] for item in lanes_run.of_type(names.ACCOUNT_TYPE)]
    teams = {tag["Learner"]: tag["Team"] for tag in tags}
    for learner, after in account_links(lanes_run).items():
        assert all(teams[previous] == teams[learner] for previous in after), learner


def test_spend_controls_not_chained(lanes_run: ProgramRun) -> None:
    account_urns = {item.urn for item in lanes_run.of_type(names.ACCOUNT_TYPE)}
    budgets = lanes_run.of_type("aws:budgets/budget:Budget")
    # A budget waits for its own account only (through the LinkedAccount filter).
    assert all(len(account_urns.intersection(item.dependencies)) == 1 for item in budgets)

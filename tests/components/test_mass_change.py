"""The mass-change guard inside the program, reading where accounts sit in AWS now."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pulumi
import pytest

from tests.conftest import EXAMPLE_ROSTER, PROJECT_DIR
from vending.mockrun import OfflineMocks, ProgramRun, run_program
from vending.plan import PlanInputs, engine_config, roster_user_names
from vending.roster import load_roster
from vending.settings import load_stack_file

# Where the example roster's accounts are before the change: as the roster sets them on 2026-12-04.
CURRENT = {"kwong": "suspended", "tjohnson": "closed"}


def placements() -> dict[str, str]:
    settings, _ = load_stack_file(PROJECT_DIR / "Pulumi.example.yaml")
    roster = load_roster(EXAMPLE_ROSTER, settings)
    return {learner.account_email.lower(): CURRENT.get(learner.id, "active") for learner in roster.learners}


def run(stack: Path, placed: dict[str, str]) -> ProgramRun:
    _, roster, config = engine_config(PlanInputs(PROJECT_DIR, stack))
    mocks = OfflineMocks(user_names=roster_user_names(roster), placements=placed)
    return run_program(PROJECT_DIR, config, mocks)


def test_unchanged_roster_passes(write_stack: Callable[..., Path]) -> None:
    assert run(write_stack(), placements()).registrations


def test_team_expiry_stops_update(write_stack: Callable[..., Path]) -> None:
    # data-eng-2027q1 expires on 2027-03-31 and efischer on 2027-01-15: 4 of 12 suspended at once.
    with pytest.raises(pulumi.RunError) as caught:
        run(write_stack(today="2027-04-01"), placements())
    message = str(caught.value)
    assert "4 of 12 learners" in message
    assert "asmith (suspend)" in message


def test_allow_mass_change_passes(write_stack: Callable[..., Path]) -> None:
    assert run(write_stack(today="2027-04-01", allowMassChange=True), placements()).registrations


def test_first_run_not_guarded(write_stack: Callable[..., Path]) -> None:
    assert run(write_stack(today="2027-04-01"), {}).registrations


def test_already_suspended_not_counted(write_stack: Callable[..., Path]) -> None:
    placed = placements()
    for learner_id in ("jdoe", "asmith", "mgarcia"):
        placed[f"aws-sandbox+{learner_id}@example.com"] = "suspended"
    assert run(write_stack(today="2027-04-01"), placed).registrations

"""Expiry windows computed from the roster alone."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from vending.expiry import expiring_learners, parse_window
from vending.roster import Roster, load_roster
from vending.settings import load_stack_file

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 4)


@pytest.fixture
def roster() -> Roster:
    settings = load_stack_file(REPO / "Pulumi.example.yaml")[0]
    return load_roster(REPO / "config" / "roster.yaml", settings)


@pytest.mark.parametrize(
    ("text", "days"),
    [("14d", 14), ("2w", 14), ("0d", 0), ("1W", 7), (" 30d ", 30), ("365d", 365)],
)
def test_parse_window(text: str, days: int) -> None:
    assert parse_window(text) == days


@pytest.mark.parametrize("text", ["", "14", "d", "2x", "-1d", "1.5w", "14 days", "99999d"])
def test_parse_window_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="invalid window"):
        parse_window(text)


@pytest.mark.parametrize(
    ("today", "within", "expected"),
    [
        pytest.param(TODAY, 14, [], id="none-in-two-weeks"),
        pytest.param(TODAY, 41, [], id="one-day-short"),
        pytest.param(TODAY, 42, ["efischer"], id="window-reaches-date"),
        pytest.param(date(2027, 1, 15), 0, ["efischer"], id="last-day-today"),
        pytest.param(date(2027, 1, 16), 0, [], id="already-expired"),
        pytest.param(TODAY, 117, ["efischer", "asmith", "jdoe", "kwong", "mgarcia"], id="team-expiry"),
        # tjohnson also expires 2027-06-30 but is closed.
        pytest.param(date(2027, 6, 1), 29, ["lnguyen", "obrien", "pkumar"], id="closed-left-out"),
    ],
)
def test_expiring_learners(roster: Roster, today: date, within: int, expected: list[str]) -> None:
    assert [item.learner_id for item in expiring_learners(roster, today, within)] == expected


def test_days_left_counted(roster: Roster) -> None:
    (item,) = expiring_learners(roster, TODAY, 42)

    assert item.days_left == 42
    assert item.team_name == "Machine Learning Research"

"""Find learners whose access expires soon, from the roster alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from vending.roster import Roster

_WINDOW = re.compile(r"^\s*(\d{1,4})\s*([dw])\s*$", re.IGNORECASE)


def parse_window(text: str) -> int:
    """Parse a window such as ``14d`` or ``2w`` into a number of days; raise ValueError otherwise."""
    match = _WINDOW.match(text)
    if not match:
        raise ValueError(
            f"invalid window {text!r}: write 1 to 4 digits and d (days) or w (weeks), for example 14d or 2w"
        )
    count = int(match.group(1))
    return count * 7 if match.group(2).lower() == "w" else count


@dataclass(frozen=True)
class ExpiringLearner:
    learner_id: str
    team_id: str
    team_name: str
    status: str
    expires: date
    days_left: int


def expiring_learners(roster: Roster, today: date, within_days: int) -> list[ExpiringLearner]:
    """List learners not yet closed whose ``expires`` falls from today to ``within_days`` days later, soonest first.

    A learner whose last day is today has 0 days left; learners already past
    their date count as suspended and are not listed.
    """
    found = []
    for learner in roster.learners:
        if learner.expires is None or learner.status == "closed":
            continue
        days_left = (learner.expires - today).days
        if 0 <= days_left <= within_days:
            team = roster.team(learner.team_id)
            found.append(ExpiringLearner(learner.id, team.id, team.name, learner.status, learner.expires, days_left))
    return sorted(found, key=lambda item: (item.expires, item.learner_id))

"""Identity Center lookups the program makes, checked against the roster before use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from vending.roster import Roster, Team


@dataclass(frozen=True)
class IdentityDirectory:
    """The Identity Center instance and the ids of its identity store's users and groups, by name."""

    instance_arn: str
    identity_store_id: str
    user_ids: dict[str, str] = field(default_factory=dict)
    # Group display name -> group id.
    group_ids: dict[str, str] = field(default_factory=dict)

    _by_lower: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_lower", {name.lower(): uid for name, uid in self.user_ids.items()})

    def group_id(self, display_name: str) -> str | None:
        """Return the id of the group whose display name is exactly ``display_name``."""
        return self.group_ids.get(display_name)

    def user_id(self, user_name: str) -> str | None:
        """Return the user id of ``user_name``; Identity Center compares user names case-insensitively."""
        return self._by_lower.get(user_name.lower())


def missing_users(roster: Roster, directory: IdentityDirectory, today: date) -> list[str]:
    """List every active learner and instructor whose user name is not in the identity store."""
    lines = []
    for learner in roster.learners:
        if learner.effective_status(today) == "active" and directory.user_id(learner.user_name) is None:
            lines.append(f"learner '{learner.id}' (team {learner.team_id}): user name '{learner.user_name}'")
    for team in teams_in_use(roster, today):
        for instructor in team.instructors:
            if directory.user_id(instructor) is None:
                lines.append(f"instructor of team '{team.id}': user name '{instructor}'")
    return lines


def teams_in_use(roster: Roster, today: date) -> list[Team]:
    """Return the teams with at least one active learner: only they get instructor access."""
    return [
        team
        for team in roster.teams
        if any(learner.effective_status(today) == "active" for learner in roster.learners_of(team.id))
    ]


def missing_groups(roster: Roster, directory: IdentityDirectory, today: date) -> list[str]:
    """List every instructor group of a team in use that is not in the identity store."""
    return [
        f"instructor group of team '{team.id}': display name '{team.instructor_group}'"
        for team in teams_in_use(roster, today)
        if team.instructor_group and directory.group_id(team.instructor_group) is None
    ]

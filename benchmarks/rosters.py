"""Synthetic, valid rosters of any size for benchmarks and scaling tests."""

from __future__ import annotations

from pathlib import Path

import yaml

# Team sizes are capped so a big roster has many teams, as real cohorts do.
MAX_TEAM_SIZE = 100


def roster_data(learners: int, teams: int | None = None, id_prefix: str = "u") -> dict[str, object]:
    """Return roster v1 data with ``learners`` learners spread over ``teams`` teams.

    Every team has one instructor. Every tenth learner is suspended and every
    twenty-fifth closed (the two never coincide), so 86% are active.
    """
    team_count = teams or max(1, -(-learners // MAX_TEAM_SIZE))
    entries: list[dict[str, object]] = [
        {
            "id": f"team-{index:03d}",
            "name": f"Cohort {index}",
            "expires": "2099-12-31",
            "instructors": [f"lead-{index:03d}@example.com"],
            "learners": [],
        }
        for index in range(team_count)
    ]
    for index in range(learners):
        status = "active"
        if index % 10 == 9:
            status = "suspended"
        elif index % 25 == 12:
            status = "closed"
        learner_id = f"{id_prefix}{index:05d}"
        team = entries[index % team_count]
        team_learners = team["learners"]
        assert isinstance(team_learners, list)
        team_learners.append(
            {"id": learner_id, "name": f"Learner {index}", "email": f"{learner_id}@example.com", "status": status}
        )
    return {
        "version": 1,
        "defaults": {"budget_usd": 50, "account_email": "aws-sandbox+{learner}@example.com"},
        "teams": entries,
    }


def write_roster(path: Path, learners: int, teams: int | None = None) -> Path:
    """Write a synthetic roster of ``learners`` learners to ``path`` and return it."""
    path.write_text(yaml.safe_dump(roster_data(learners, teams), sort_keys=False), encoding="utf-8")
    return path

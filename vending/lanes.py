"""Creation lanes: chain new accounts so that only a few are created at the same time.

AWS Organizations creates accounts asynchronously and accepts only five
creation requests in progress at once; more fail with
ConstraintViolationException. Source: "Quotas for AWS Organizations"
(docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
Pulumi starts every resource whose dependencies are ready, so the program
chains new accounts with ``depends_on`` into at most ``lanes`` chains: each
chain creates one account at a time.

Only accounts that do not exist yet are chained. Existing accounts get no
dependency from here, so adding learners never changes an existing account's
declaration.

NOTE: the readable excerpt of the quotas page did not show the row with the
five-creation limit, so the default of maxConcurrentCreations rests on the
design's table. Once created, an account drops out of its chain on the next
run, which changes only its dependencies; Pulumi diffs inputs, so this should
show as no change, but it has not been checked against a real engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class NewAccount:
    """An account the next ``pulumi up`` creates, in roster order."""

    learner_id: str
    team_id: str


def plan_lanes(accounts: Sequence[NewAccount], lanes: int) -> list[list[str]]:
    """Split new accounts into at most ``lanes`` chains of learner ids, each in roster order.

    While there are no more teams than lanes, every team gets its own lanes,
    shared out in proportion to its new accounts, so no chain mixes teams.
    With more teams than lanes, whole teams are packed onto the least loaded
    lane, largest team first, so a chain crosses from one team to the next
    only at team boundaries.
    """
    if lanes < 1:
        raise ValueError(f"lanes must be at least 1, not {lanes}")
    order = {account.learner_id: index for index, account in enumerate(accounts)}
    by_team: dict[str, list[str]] = {}
    for account in accounts:
        by_team.setdefault(account.team_id, []).append(account.learner_id)
    if not by_team:
        return []
    chains = _split_teams(by_team, lanes) if len(by_team) <= lanes else _pack_teams(by_team, lanes)
    return [sorted(chain, key=order.__getitem__) for chain in chains if chain]


def predecessors(chains: Sequence[Sequence[str]]) -> dict[str, str | None]:
    """Map each learner id to the learner whose account must be created first (None starts a chain)."""
    result: dict[str, str | None] = {}
    for chain in chains:
        previous: str | None = None
        for learner_id in chain:
            result[learner_id] = previous
            previous = learner_id
    return result


def _split_teams(by_team: dict[str, list[str]], lanes: int) -> list[list[str]]:
    total = sum(len(members) for members in by_team.values())
    # Every team gets one lane, then the rest go by largest remainder of its fair share.
    shares = {team: 1 for team in by_team}
    spare = lanes - len(by_team)
    exact = {team: len(members) * lanes / total for team, members in by_team.items()}
    while spare > 0:
        candidates = [team for team in by_team if shares[team] < len(by_team[team])]
        if not candidates:
            break
        team = max(candidates, key=lambda key: (exact[key] - shares[key], -_team_rank(by_team, key)))
        shares[team] += 1
        spare -= 1
    chains = []
    for team, members in by_team.items():
        count = shares[team]
        size, extra = divmod(len(members), count)
        start = 0
        for index in range(count):
            end = start + size + (1 if index < extra else 0)
            chains.append(members[start:end])
            start = end
    return chains


def _pack_teams(by_team: dict[str, list[str]], lanes: int) -> list[list[str]]:
    chains: list[list[str]] = [[] for _ in range(lanes)]
    for team in sorted(by_team, key=lambda key: (-len(by_team[key]), _team_rank(by_team, key))):
        shortest = min(range(lanes), key=lambda index: (len(chains[index]), index))
        chains[shortest].extend(by_team[team])
    return chains


def _team_rank(by_team: dict[str, list[str]], team: str) -> int:
    return list(by_team).index(team)

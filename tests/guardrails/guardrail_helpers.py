"""Builders for small settings, teams and catalogs used across the guardrail tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from vending.roster import Team
from vending.settings import StackSettings


def make_settings(**overrides: Any) -> StackSettings:
    values: dict[str, Any] = {"ops_emails": ["ops@example.com"]}
    values.update(overrides)
    return StackSettings(**values)


def make_team(team_id: str, add: tuple[str, ...] = (), relax: tuple[str, ...] = ()) -> Team:
    return Team(
        id=team_id,
        name=team_id,
        budget_usd=50.0,
        expires=None,
        instructors=(),
        instructor_group=None,
        shared_account=False,
        guardrails_add=add,
        guardrails_relax=relax,
        previous_ids=(),
        line=None,
    )


def write_guardrail(directory: Path, guardrail_id: str, actions: list[str], **fields: Any) -> Path:
    """Write a one-statement guardrail file and return its path."""
    data: dict[str, Any] = {
        "id": guardrail_id,
        "description": f"Test guardrail {guardrail_id}.",
        "reason": "Exercises the compiler.",
        "tier": "cost",
        "default_enabled": True,
        "statements": [{"Effect": "Deny", "Action": actions, "Resource": "*"}],
    }
    data.update(fields)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{guardrail_id}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def write_special(directory: Path) -> None:
    """Write minimal deny-all and spend-freeze files into ``directory/special``."""
    special = directory / "special"
    write_guardrail(special, "deny-all", ["*"], tier="special", default_enabled=False)
    write_guardrail(special, "spend-freeze", ["ec2:RunInstances"], tier="special", default_enabled=False)

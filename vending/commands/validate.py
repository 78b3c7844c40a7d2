"""``sandboxctl validate``: check a roster and the stack config without declaring anything."""

from __future__ import annotations

import argparse
from collections import Counter

from vending.commands.common import add_input_options, effective_today, load_inputs


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("validate", help="check the roster and stack config; exit 1 listing every problem")
    add_input_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings, roster = load_inputs(args)
    today = effective_today(settings)
    statuses = Counter(learner.effective_status(today) for learner in roster.learners)
    summary = ", ".join(f"{statuses[status]} {status}" for status in ("active", "suspended", "closed"))
    print(f"{roster.path}: valid, {len(roster.teams)} teams, {len(roster.learners)} learners ({summary})")
    return 0

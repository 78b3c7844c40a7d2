"""``sandboxctl expiring``: learners whose access ends soon, from the roster alone (no AWS calls)."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console
from rich.table import Table

from vending.commands.common import add_input_options, effective_today, load_inputs
from vending.expiry import expiring_learners, parse_window


def _window(text: str) -> int:
    try:
        return parse_window(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "expiring",
        help="list learners whose expiry date falls within a window (offline)",
        description="List learners, not closed, whose expires date is between --today and the end of the "
                    "window, soonest first. Needs no AWS credentials.",
    )
    add_input_options(parser)
    parser.add_argument("--within", type=_window, default=14, metavar="WINDOW",
                        help="window as days or weeks, e.g. 14d or 2w (default: 14d)")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table for people (default) or json for scripts")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings, roster = load_inputs(args)
    today = effective_today(settings)
    found = expiring_learners(roster, today, args.within)
    if args.format == "json":
        rows = [{"learner": item.learner_id, "team": item.team_id, "status": item.status,
                 "expires": item.expires.isoformat(), "days_left": item.days_left} for item in found]
        print(json.dumps(rows, indent=2))
        return 0
    console = Console(file=sys.stdout)
    if not found:
        console.print(f"No learner expires within {args.within} days of {today.isoformat()}.")
        return 0
    table = Table(title=f"Expiring within {args.within} days of {today.isoformat()}")
    for column in ("learner", "team", "status", "expires", "days left"):
        table.add_column(column)
    for item in found:
        table.add_row(item.learner_id, f"{item.team_id} ({item.team_name})", item.status,
                      item.expires.isoformat(), str(item.days_left))
    console.print(table)
    return 0

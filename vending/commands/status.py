"""``sandboxctl status``: the roster against the live organization, read-only."""

from __future__ import annotations

import argparse
import json

from rich.table import Table

from vending.aws.status import StatusReport, build_status
from vending.commands import aws_options
from vending.commands.common import add_input_options, effective_today, load_inputs


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "status",
        help="show each learner's account, OU, spend and expiry against the roster (read-only)",
        description="Compare the roster with the live organization: account id and state, OU and whether it "
                    "matches the learner's status, spend this month against the budget, days to expiry, and "
                    "accounts in the sandboxes OUs that no roster entry owns.",
    )
    add_input_options(parser)
    aws_options.add_aws_options(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table for people (default) or json for scripts")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings, roster = load_inputs(args)
    clients = aws_options.build_clients(args)
    with aws_options.progress_on_stderr() as progress:
        report = build_status(clients, roster, settings.prefix, effective_today(settings), progress)
    if args.format == "json":
        print(json.dumps(report.to_json(), indent=2, sort_keys=True))
    else:
        _print_tables(report)
    return 0


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _print_tables(report: StatusReport) -> None:
    console = aws_options.stdout_console()
    table = Table(title="Learners")
    for column in ("learner", "team", "status", "account", "state", "OU", "in place", "spend / budget USD",
                   "days left", "notes"):
        table.add_column(column)
    for row in report.learners:
        in_place = {True: "yes", False: "NO", None: "-"}[row.in_place]
        table.add_row(
            row.learner_id, row.team_id, row.status, row.account_id or "-", row.state or "-", row.ou or "-",
            in_place, f"{_money(row.spend_usd)} / {_money(row.budget_limit_usd)}",
            "-" if row.days_to_expiry is None else str(row.days_to_expiry), "; ".join(row.notes),
        )
    console.print(table)
    if not report.unowned:
        console.print("No unowned accounts in the sandboxes OUs.")
        return
    unowned = Table(title="Accounts in the sandboxes OUs that no roster entry owns")
    for column in ("account", "name", "email", "state", "OU"):
        unowned.add_column(column)
    for account in report.unowned:
        unowned.add_row(account.account_id, account.name, account.email, account.state, account.ou)
    console.print(unowned)

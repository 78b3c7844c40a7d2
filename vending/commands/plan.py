"""``sandboxctl plan``: the offline plan of the example (or any) roster, without AWS."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from vending.commands.common import add_input_options, project_dir, stack_file
from vending.plan import Plan, PlanInputs, build_plan


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="run the Pulumi program on the mock engine and print what pulumi up would declare",
        description="Run the real Pulumi program in-process on the Pulumi SDK mock engine, with no AWS "
        "credentials, and print every learner's sandbox and the guardrail policies.",
    )
    add_input_options(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    plan = build_plan(
        PlanInputs(
            project_dir=project_dir(args),
            stack_file=stack_file(args),
            roster=None if args.roster is None else _path(args.roster),
            today=args.today,
        )
    )
    if args.format == "json":
        print(plan.to_json())
    else:
        print_tables(plan, wide_console())
    return 0


def _path(value: str) -> Path:
    return Path(value)


def wide_console() -> Console:
    """Return a console that keeps table rows on one line when output goes to a file or pipe."""
    console = Console()
    if not console.is_terminal:
        console = Console(width=200)
    return console


def describe_access(assignments: list[str]) -> str:
    """Summarise access names such as ``learner-access``, ``admin-role``, ``instructor-<user>``."""
    if not assignments:
        return "none"
    parts = []
    if "learner-access" in assignments:
        parts.append("learner admin")
    if "admin-role" in assignments:
        parts.append("admin role")
    instructors = sum(1 for name in assignments if name.startswith("instructor-") and name != "instructor-group")
    if instructors:
        parts.append(f"{instructors} instructor{'s' if instructors > 1 else ''} read-only")
    if "instructor-group" in assignments:
        parts.append("instructor group read-only")
    return ", ".join(parts)


def print_tables(plan: Plan, console: Console) -> None:
    settings = plan.settings
    learners = Table(title=f"Sandboxes ({len(plan.learners)} learners, prefix {settings.prefix})")
    for column in ("learner", "team", "status", "account", "OU", "access", "budget", "hard stop", "alarm", "expires"):
        learners.add_column(column)
    for row in plan.learners:
        status = row.status if row.status_reason == f"status: {row.status}" else f"{row.status} ({row.status_reason})"
        account = f"{row.account_name} {row.account_id}" + ("" if row.protected else " (unprotected)")
        learners.add_row(
            row.id,
            row.team,
            status,
            account,
            row.ou,
            describe_access(row.access),
            f"${row.budget_usd:,.2f}",
            f"{row.hard_stop_percent:g}%" if row.hard_stop_percent is not None else "-",
            f"${row.alarm_threshold_usd:,.2f}" if row.alarm_threshold_usd is not None else "-",
            row.expires or "never",
        )
    console.print(learners)

    policies = Table(title=f"Guardrail policies (size limit {settings.scp_max_chars} characters)")
    for column in ("policy", "size", "attached to"):
        policies.add_column(column)
    for policy in plan.policies:
        policies.add_row(policy.name, f"{policy.size}/{settings.scp_max_chars}", ", ".join(policy.targets))
    console.print(policies)

    targets = Table(title=f"SCPs per target (limit {settings.scp_max_per_target}, FullAWSAccess included)")
    targets.add_column("target")
    targets.add_column("attached")
    for target, count in plan.attachments_per_target.items():
        targets.add_row(target, f"{count}/{settings.scp_max_per_target}")
    console.print(targets)
    costs = Table(title="Monthly cost of the spend controls (estimate, list prices)")
    for column in ("item", "count", "USD per month", "basis"):
        costs.add_column(column)
    for line in plan.costs:
        costs.add_row(line.item, str(line.count), f"${line.monthly_usd:,.2f}", line.basis)
    console.print(costs)
    console.print(f"{len(plan.run.registrations)} resources in total.")

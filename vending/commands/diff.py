"""``sandboxctl diff``: what a roster or stack config change would do, without AWS credentials."""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from vending.commands.common import project_dir, stack_file
from vending.diff_inputs import resolve_base
from vending.diff_render import render_json, render_markdown, render_text
from vending.diff_summary import build_report
from vending.plan import PlanInputs, build_plan
from vending.settings import load_stack_file


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="compare the offline plans of two rosters or stack configs, as pulumi preview --diff would",
        description="Run the offline plan for a base and a head roster (and stack config) and list the "
        "resources created, updated, replaced and deleted, then the learners added, moved, suspended, "
        "closed or removed. Exits 1, after printing each reason as ERROR, when the change cannot be applied "
        "as is: an AWS account would be replaced, a protected resource (the Account of an active or suspended "
        "learner) would be deleted or replaced, or the change suspends, closes or removes more learners than "
        "maxLifecycleChangeShare allows.",
    )
    parser.add_argument(
        "--base", required=True, metavar="REF_OR_FILE", help="base roster file, or a git ref such as origin/main"
    )
    parser.add_argument("--head", default=None, metavar="FILE", help="head roster (default: rosterPath of the stack)")
    parser.add_argument(
        "--base-stack-config", default=None, metavar="FILE", help="base stack config (default: the head's, at the ref)"
    )
    parser.add_argument("--stack-config", default=None, metavar="FILE", help="head stack config (default: example)")
    parser.add_argument("--project-dir", default=None, help="directory containing Pulumi.yaml (default: this checkout)")
    parser.add_argument(
        "--today",
        type=lambda value: datetime.strptime(value, "%Y-%m-%d").date(),
        default=None,
        help="date used for expiry in both plans, YYYY-MM-DD (default: the head stack's today, else today in UTC)",
    )
    parser.add_argument(
        "--org-accounts",
        type=_positive_int,
        default=None,
        metavar="N",
        help="member accounts in the organization, to check closures against the 30-day quota",
    )
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text", help="output format")
    parser.set_defaults(handler=run)


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of accounts, got {value}")
    return number


def run(args: argparse.Namespace) -> int:
    directory = project_dir(args)
    head_stack = stack_file(args)
    head_settings, _ = load_stack_file(head_stack)
    today = args.today or head_settings.today or datetime.now(UTC).date()
    head_roster = Path(args.head) if args.head else directory / head_settings.roster_path
    with tempfile.TemporaryDirectory(prefix="sandboxctl-diff-") as workdir:
        base = resolve_base(
            args.base,
            directory,
            head_stack,
            Path(args.base_stack_config) if args.base_stack_config else None,
            Path(workdir),
        )
        base_plan = build_plan(PlanInputs(directory, base.stack_file, roster=base.roster, today=today))
    head_plan = build_plan(PlanInputs(directory, head_stack, roster=head_roster, today=today))
    head_label = str(args.head) if args.head else "working tree"
    report = build_report(base_plan, head_plan, base.label, head_label, args.org_accounts)
    if args.format == "json":
        print(render_json(report))
    elif args.format == "markdown":
        names = [learner.name for plan in (base_plan, head_plan) for learner in plan.roster.learners]
        print(render_markdown(report, names), end="")
    else:
        print(render_text(report))
    return 1 if report.failed else 0

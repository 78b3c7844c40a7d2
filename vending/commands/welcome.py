"""``sandboxctl welcome``: the message that explains to a learner how to use their sandbox."""

from __future__ import annotations

import argparse
from pathlib import Path

from vending.commands.common import add_input_options, project_dir, stack_file
from vending.plan import PlanInputs, build_plan
from vending.welcome import build_welcome, read_stack_outputs, render_markdown, render_text


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "welcome",
        help="print a learner's welcome message: sign-in link, Regions, budget, expiry and guardrails",
        description="Print what a learner needs to start, from the offline plan. Pass --stack-outputs with the "
        "output of `pulumi stack output --json` to include the real account id and sign-in link.",
    )
    parser.add_argument("learner", metavar="LEARNER", help="learner id from the roster")
    parser.add_argument("--roster", default=None, help="roster file (default: rosterPath from the stack config)")
    parser.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="text for a terminal, markdown for email (default: text)",
    )
    parser.add_argument(
        "--stack-outputs", default=None, metavar="FILE", help="JSON file written by `pulumi stack output --json`"
    )
    add_input_options(parser, roster_positional=False)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    outputs = read_stack_outputs(Path(args.stack_outputs)) if args.stack_outputs else None
    plan = build_plan(
        PlanInputs(
            project_dir=project_dir(args),
            stack_file=stack_file(args),
            roster=Path(args.roster) if args.roster else None,
            today=args.today,
        )
    )
    welcome = build_welcome(plan, args.learner, outputs)
    print(render_markdown(welcome) if args.format == "markdown" else render_text(welcome), end="")
    return 0

"""``sandboxctl unfreeze``: reverse a learner's spend freeze after their budget was raised."""

from __future__ import annotations

import argparse

from vending.aws.unfreeze import unfreeze
from vending.commands import aws_options
from vending.commands.common import add_input_options, load_inputs
from vending.errors import VendingError

EPILOG = """\
Run this after raising the learner's budget_usd in the roster and running
pulumi up. It reverses, for the current budget period, every budget action of
the learner's budget whose status is EXECUTION_SUCCESS, which detaches the
spend-freeze SCP from the learner's account. Run it with management account
credentials, where the budgets live.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "unfreeze",
        help="reverse a learner's spend-freeze budget action for the current period",
        description="Reverse the learner's applied budget actions. Rejects the request while actual spend "
                    "still reaches the action's threshold, because the freeze would apply again.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("learner", metavar="LEARNER", help="learner id from the roster")
    add_input_options(parser, roster_positional=False)
    parser.add_argument("--roster", default=None, help="roster file (default: rosterPath from the stack config)")
    aws_options.add_aws_options(parser)
    parser.add_argument("--force", action="store_true",
                        help="reverse even though spend still reaches the threshold (the freeze may re-apply)")
    parser.add_argument("--dry-run", action="store_true", help="show what would be reversed without changing anything")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings, roster = load_inputs(args)
    try:
        learner = roster.learner(args.learner)
    except KeyError:
        raise VendingError(f"learner {args.learner!r} not found in {roster.path}; use the learner's id") from None
    clients = aws_options.build_clients(args)
    result = unfreeze(clients, settings.prefix, learner, force=args.force, dry_run=args.dry_run)

    spend = result.spend
    print(f"budget {result.budget_name} (account {result.management_account_id}): "
          f"spend {spend.actual:.2f} of {spend.limit:.2f} {spend.unit}")
    if not result.outcomes:
        print(f"nothing was frozen: budget {result.budget_name} has no budget actions")
    for outcome in result.outcomes:
        targets = ", ".join(outcome.target_ids) or "-"
        print(f"action {outcome.action_id} ({outcome.status}): SCP {outcome.policy_id or '-'} on {targets}: "
              f"{outcome.message}")
    if not result.reversed_any and not args.dry_run:
        print(f"learner {learner.id} is not frozen; nothing was changed")
    return 0

"""``sandboxctl deployer-policy``: the IAM policy of the role that deploys (or previews) this stack."""

from __future__ import annotations

import argparse
import re

from vending.commands.common import add_input_options, load_settings
from vending.deployer_policy import build_policy, policy_json, scope_of


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "deployer-policy",
        help="print the least-privilege IAM policy for the role that runs pulumi up for this stack",
        description="Print the IAM policy the deploy role needs for every resource type this stack declares, "
        "scoped to the stack's prefix where the ARN allows it. With --read-only, print the smaller policy "
        "a pulumi preview role needs.",
    )
    add_input_options(parser, roster_positional=False)
    parser.add_argument(
        "--account-id",
        default="*",
        type=_account_id,
        help="management account id to put in ARNs (default: *, any account)",
    )
    parser.add_argument("--read-only", action="store_true", help="only the read actions pulumi preview needs")
    parser.add_argument("--format", choices=("json",), default="json", help="output format (default: json)")
    parser.set_defaults(handler=run)


def _account_id(value: str) -> str:
    if value != "*" and not re.fullmatch(r"\d{12}", value):
        raise argparse.ArgumentTypeError(f"expected a 12-digit AWS account id or *, got {value!r}")
    return value


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    print(policy_json(build_policy(scope_of(settings, args.account_id), read_only=args.read_only)))
    return 0

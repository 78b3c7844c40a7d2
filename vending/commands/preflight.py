"""``sandboxctl preflight``: check, read-only, that the organization and the caller can run this stack."""

from __future__ import annotations

import argparse

from vending.aws.preflight import DEFAULT_ACCOUNT_QUOTA, run_preflight
from vending.commands import aws_options
from vending.commands.common import add_input_options, load_inputs


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "preflight",
        help="check the organization, the caller and quotas before pulumi up (read-only); exit 1 on any FAIL",
        description="Run read-only checks against the live organization. Each check prints PASS, WARN, FAIL "
                    "or SKIP, and every check that is not PASS prints its fix. Exit status: 0 when nothing "
                    "failed, 1 when any check failed, 2 when an AWS call failed.",
    )
    add_input_options(parser)
    aws_options.add_aws_options(parser)
    parser.add_argument("--account-quota", type=int, default=DEFAULT_ACCOUNT_QUOTA, metavar="N",
                        help="the organization's maximum number of accounts, as Service Quotas shows it "
                             f"(default: {DEFAULT_ACCOUNT_QUOTA}, the AWS default)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings, roster = load_inputs(args)
    clients = aws_options.build_clients(args)
    with aws_options.progress_on_stderr() as progress:
        results = run_preflight(clients, settings, roster, args.account_quota, progress)
    for result in results:
        print(f"{result.status:<4}  {result.name}: {result.detail}")
        if result.fix:
            print(f"      fix: {result.fix}")
    failed = sum(1 for result in results if result.status == "FAIL")
    print(f"{failed} failed, {sum(1 for result in results if result.status == 'WARN')} warnings")
    return 1 if failed else 0

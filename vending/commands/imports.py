"""``sandboxctl import``: write a ``pulumi import`` file for roster accounts that already exist (read-only)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from vending.aws.adoption import plan_adoption
from vending.aws.organization import read_organization
from vending.commands import aws_options
from vending.commands.common import add_input_options, load_inputs, stack_file
from vending.errors import VendingError
from vending.pulumi_import import build_import_file, stack_name

DEFAULT_OUTPUT = "pulumi-import.json"

EPILOG = """\
Matching: an account is matched to a learner when its root email equals the
learner's account email, ignoring case. ACTIVE accounts under the root or in
the <prefix>-sandboxes tree are adopted. Closed or suspended accounts, accounts
not yet ACTIVE, the management account, and accounts in OUs outside the
sandboxes tree are conflicts: AWS would reject CreateAccount for their emails
with EMAIL_ALREADY_EXISTS, so fix each one before pulumi up.

Next steps:
  1. Review the file, then run:  pulumi import --stack STACK --file FILE
     (with --create-components the same file also creates the learner
     components; that needs Pulumi CLI 3.94.0 or later)
  2. Discard the code pulumi import prints: the program already declares
     these accounts.
  3. Run pulumi preview and check that the accounts show no replacement
     before running pulumi up.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import",
        help="find existing accounts that match roster emails and write a pulumi import file (read-only)",
        description="Find accounts in the organization whose email matches a roster learner's account email "
                    "and write a file for 'pulumi import --file'. Exit status: 0 when every matching account "
                    "can be adopted, 1 when any roster email belongs to an account that cannot be adopted "
                    "(the file is still written for the others), 2 when an AWS call failed.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_input_options(parser, roster_positional=False)
    parser.add_argument("--roster", default=None, help="roster file (default: rosterPath from the stack config)")
    aws_options.add_aws_options(parser)
    parser.add_argument("--stack", default=None,
                        help="Pulumi stack the accounts are imported into; names the URNs "
                             "(default: <stack> from a --stack-config named Pulumi.<stack>.yaml)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help=f"import file to write (default: {DEFAULT_OUTPUT})")
    parser.add_argument("--create-components", action="store_true",
                        help="also create each learner's empty component in the import, for a stack where the "
                             "components do not exist yet (default: refer to existing components by URN)")
    parser.set_defaults(handler=run)


def resolve_stack(args: argparse.Namespace) -> str:
    if args.stack:
        return str(args.stack)
    name = stack_file(args).name
    if name.startswith("Pulumi.") and name.endswith(".yaml") and name.count(".") == 2:
        return name.split(".")[1]
    raise VendingError(f"cannot tell the stack name from {name}; pass --stack NAME")


def run(args: argparse.Namespace) -> int:
    settings, roster = load_inputs(args)
    stack = stack_name(resolve_stack(args))
    clients = aws_options.build_clients(args)
    with aws_options.progress_on_stderr() as progress:
        organization = read_organization(clients, settings.prefix, progress)
        plan = plan_adoption(clients, organization, roster, settings.prefix)

    for match in plan.adoptable:
        account = match.account
        print(f"adopt     {match.learner.id}: account {account.id} ({account.email}) in {match.parent_name}")
        for note in match.notes:
            print(f"          note: {note}")
    for conflict in plan.conflicts:
        print(f"conflict  {conflict}")
    for learner, reason in plan.skipped:
        print(f"skipped   {learner.id}: {reason}")
    print(f"{len(plan.adoptable)} to adopt, {len(plan.conflicts)} conflicts, "
          f"{len(plan.missing)} without an account (pulumi up creates them)")

    if plan.adoptable:
        document = build_import_file(plan.adoptable, stack, settings.iam_user_access_to_billing,
                                     args.create_components)
        output = Path(args.output)
        output.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {output}; next: pulumi import --stack {stack} --file {output}")
    else:
        print("nothing to import; no file written")
    return 1 if plan.conflicts else 0

"""``sandboxctl guardrails``: list the catalog, check the compiled SCPs, explain a decision."""

from __future__ import annotations

import argparse

import parliament
from rich.console import Console
from rich.table import Table

from vending import names
from vending.commands.common import add_input_options, load_inputs
from vending.errors import GuardrailError
from vending.guardrails.catalog import TIER_ORDER, Catalog, load_catalog
from vending.guardrails.compiler import plan_guardrails
from vending.guardrails.explain import Request, explain
from vending.guardrails.lint import lint_policy
from vending.settings import StackSettings, known_regions

# A made-up member account id for requests the explainer evaluates.
SAMPLE_ACCOUNT = "111122223333"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("guardrails", help="list, check and explain the guardrail SCPs")
    actions = parser.add_subparsers(dest="guardrails_command", required=True, metavar="ACTION")

    list_parser = actions.add_parser("list", help="show the guardrail catalog and what the stack enables")
    add_input_options(list_parser)
    list_parser.set_defaults(handler=run_list)

    check_parser = actions.add_parser(
        "check",
        help="compile the SCPs, show sizes and attachments against the quotas, and lint them; exit 1 on findings",
    )
    add_input_options(check_parser)
    check_parser.set_defaults(handler=run_check)

    explain_parser = actions.add_parser("explain", help="say whether the SCPs deny a request, and which statement does")
    explain_parser.add_argument("action", metavar="ACTION", help="IAM action, for example ec2:RunInstances")
    explain_parser.add_argument("--region", required=True, help="Region the request is sent to (aws:RequestedRegion)")
    explain_parser.add_argument(
        "--principal",
        default=None,
        help="principal ARN making the request (default: the role Identity Center creates in a sandbox for the "
        "learner permission set, or the learner admin role when accessMode is iam_role)",
    )
    explain_parser.add_argument(
        "--resource", default=None, help="resource ARN; when omitted, every Resource element is assumed to match"
    )
    explain_parser.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra condition key, for example ec2:InstanceType=t3.micro; repeat for more "
        "keys or for several values of one key",
    )
    explain_parser.add_argument("--team", default=None, help="team id whose OU the account is in")
    explain_parser.add_argument(
        "--suspended", action="store_true", help="the account is in the suspended OU (adds deny-all)"
    )
    explain_parser.add_argument(
        "--frozen", action="store_true", help="the budget action has frozen the account (adds spend-freeze)"
    )
    add_input_options(explain_parser, roster_positional=False)
    explain_parser.set_defaults(handler=run_explain)


def run_list(args: argparse.Namespace) -> int:
    settings, _ = load_inputs(args)
    catalog = load_catalog()
    enabled = set(settings.guardrails) if settings.guardrails is not None else set(catalog.default_ids())
    table = Table(title="Guardrail catalog", show_lines=True)
    for column in ("id", "tier", "enabled"):
        table.add_column(column, no_wrap=True)
    for column in ("description", "reason"):
        table.add_column(column, overflow="fold")
    for guardrail in sorted(catalog.guardrails, key=lambda g: (TIER_ORDER[g.spec.tier], g.id)):
        spec = guardrail.spec
        state = "yes" if guardrail.id in enabled else "no"
        if settings.guardrails is None and not spec.default_enabled:
            state = "no (opt-in)"
        table.add_row(guardrail.id, spec.tier, state, spec.description, spec.reason)
    Console().print(table)
    return 0


def run_check(args: argparse.Namespace) -> int:
    settings, roster = load_inputs(args)
    plan = plan_guardrails(settings, roster.teams)
    console = Console()

    policies = Table(title=f"Compiled SCPs (limit {plan.max_chars} characters each)")
    for column in ("key", "name", "size", "limit", "guardrails"):
        policies.add_column(column, overflow="fold")
    for policy in plan.all_policies():
        guardrails = ", ".join(policy.guardrail_ids)
        policies.add_row(policy.key, policy.name, str(policy.size), str(plan.max_chars), guardrails)
    console.print(policies)

    targets = Table(title="SCPs attached per target, FullAWSAccess included")
    for column in ("target", "attached", "limit"):
        targets.add_column(column)
    for target, count in plan.attachments_per_target().items():
        targets.add_row(target, str(count), str(plan.max_per_target))
    console.print(targets)

    failures = 0
    for policy in plan.all_policies():
        for finding in lint_policy(policy):
            if finding.allowed_because:
                console.print(f"allowed  {finding}", markup=False)
            else:
                failures += 1
                console.print(f"FINDING  {finding}", markup=False)
    if failures:
        console.print(
            f"{failures} parliament finding(s); fix the catalog or add a commented allowance in "
            "vending/guardrails/lint.py",
            markup=False,
        )
        return 1
    console.print(f"{len(plan.all_policies())} policies compiled and linted: no findings", markup=False)
    return 0


def run_explain(args: argparse.Namespace) -> int:
    settings, roster = load_inputs(args)
    plan = plan_guardrails(settings, roster.teams)
    unknown = unknown_action(args.action)
    request = Request(
        action=args.action,
        region=args.region,
        principal_arn=args.principal or default_learner_arn(settings),
        resource=args.resource,
        context=parse_context(args.context),
    )
    policies = plan.policies_for_account(args.team, suspended=args.suspended, frozen=args.frozen)
    decision = explain(policies, request)
    catalog = load_catalog()
    print(f"{decision.verdict}: {request.action} in {request.region} by {request.principal_arn}")
    print(f"evaluated: {', '.join(policy.name for policy in policies) or 'no guardrail SCPs'}")
    for denial in decision.denials:
        print(f"denied by {denial.policy_name} statement {denial.sid}")
        if denial.guardrail_id:
            guardrail = _describe(catalog, denial.guardrail_id)
            print(f"  guardrail {denial.guardrail_id}: {guardrail}")
        for reason in denial.reasons:
            print(f"  - {reason}")
    for note in decision.notes:
        print(f"note: {note}")
    if unknown:
        print(f"note: {unknown}")
    if args.region not in known_regions():
        print(f"note: '{args.region}' is not an AWS Region botocore knows; check the spelling")
    return 0


def default_learner_arn(settings: StackSettings) -> str:
    """Return the ARN a learner's requests come from in a sample sandbox account."""
    if settings.access_mode == "iam_role":
        return f"arn:aws:iam::{SAMPLE_ACCOUNT}:role/{names.learner_admin_role(settings.prefix)}"
    # Identity Center names the role AWSReservedSSO_<permission set>_<random suffix>.
    permission_set = names.learner_permission_set(settings.prefix)
    return (
        f"arn:aws:iam::{SAMPLE_ACCOUNT}:role/aws-reserved/sso.amazonaws.com/"
        f"AWSReservedSSO_{permission_set}_0123456789abcdef"
    )


def unknown_action(action: str) -> str | None:
    """Check ``action`` against parliament's action database; return a note when it is not found.

    A malformed action raises ``GuardrailError``. The database is a snapshot, so
    an action AWS added later is reported as a note, not an error.
    """
    service, separator, name = action.partition(":")
    # The explainer evaluates one concrete request, so wildcards and spaces are mistakes here.
    if not separator or not service or not name or any(char in action for char in "*? "):
        raise GuardrailError(f"invalid action '{action}': write SERVICE:ACTION, for example ec2:RunInstances")
    try:
        parliament.expand_action(action)
    except parliament.UnknownPrefixException:
        return f"'{service}' is not a service prefix parliament knows; check the spelling"
    except parliament.UnknownActionException:
        return f"'{action}' is not an action parliament knows; check the spelling (its database is a snapshot)"
    return None


def parse_context(items: list[str]) -> dict[str, tuple[str, ...]]:
    """Turn repeated ``KEY=VALUE`` options into condition keys with one or more values."""
    context: dict[str, tuple[str, ...]] = {}
    for item in items:
        key, separator, value = item.partition("=")
        if not separator or not key:
            raise GuardrailError(
                f"invalid --context '{item}'; expected KEY=VALUE, for example ec2:InstanceType=t3.micro"
            )
        context[key] = (*context.get(key, ()), value)
    return context


def _describe(catalog: Catalog, guardrail_id: str) -> str:
    special = catalog.special.get(guardrail_id)
    guardrail = special if special is not None else catalog.get(guardrail_id)
    return f"{guardrail.spec.description} Reason: {' '.join(guardrail.spec.reason.split())}"

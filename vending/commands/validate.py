"""``sandboxctl validate``: check a roster and the stack config without declaring anything."""

from __future__ import annotations

import argparse
from collections import Counter

from vending.commands.common import add_input_options, display_path, effective_today, load_inputs, stack_file
from vending.errors import GuardrailError, ValidationError
from vending.guardrails import plan_guardrails
from vending.guardrails.catalog import load_catalog
from vending.settings import guardrail_config_problems


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check the roster and stack config and compile the guardrails (exit 1 listing every problem)",
    )
    add_input_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings, roster = load_inputs(args)
    stack = display_path(stack_file(args))
    catalog = load_catalog()
    problems = guardrail_config_problems(stack_file(args), settings, catalog)
    if problems:
        raise ValidationError(problems, subject=stack)
    # The same compilation the Pulumi program runs, so quota and settings errors show here, not at plan time.
    try:
        guardrails = plan_guardrails(settings, roster.teams, catalog)
    except GuardrailError as error:
        raise GuardrailError(f"{stack}: the guardrails do not compile: {error}") from None

    today = effective_today(settings)
    statuses = Counter(learner.effective_status(today) for learner in roster.learners)
    summary = ", ".join(f"{statuses[status]} {status}" for status in ("active", "suspended", "closed"))
    print(
        f"valid: roster {roster.path} ({len(roster.teams)} teams, {len(roster.learners)} learners: {summary}), "
        f"stack config {stack} ({len(guardrails.all_policies())} guardrail policies compiled)"
    )
    return 0

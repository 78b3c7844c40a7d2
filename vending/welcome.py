"""The welcome message a learner gets: where to sign in, what they may spend, what the guardrails forbid.

Built from the offline plan, so it needs no AWS credentials. Account ids in
the offline plan are placeholders, so the real ones come from ``pulumi stack
output --json``, read with ``stack_outputs``.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vending import names
from vending.errors import VendingError
from vending.guardrails import plan_guardrails
from vending.guardrails.catalog import load_catalog
from vending.plan import Plan
from vending.settings import StackSettings

REGION_LOCK_ID = "region-lock"


@dataclass(frozen=True)
class Welcome:
    """Everything one learner needs to start, in plain values."""

    learner_id: str
    learner_name: str
    team_name: str
    status: str
    status_reason: str
    account_name: str
    account_id: str | None  # None until the stack outputs are given
    shared: bool
    access_mode: str
    sign_in_url: str | None
    sign_in_hint: str
    regions: list[str] | None  # None: no Region guardrail applies
    budget_usd: float
    alerts: list[str]
    hard_stop_percent: float
    expires: str | None
    forbidden: list[str]


def read_stack_outputs(path: Path) -> dict[str, Any]:
    """Read the JSON that ``pulumi stack output --json`` prints."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VendingError(f"stack outputs file not found: {path}") from None
    except ValueError as error:
        raise VendingError(f"stack outputs file {path} is not JSON: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("learners"), dict):
        raise VendingError(
            f"stack outputs file {path} has no 'learners' mapping; create it with: pulumi stack output --json > FILE"
        )
    return data


def build_welcome(plan: Plan, learner_id: str, stack_outputs: dict[str, Any] | None = None) -> Welcome:
    """Collect the welcome values of ``learner_id`` from the plan and, if given, the real stack outputs."""
    settings = plan.settings
    roster = plan.roster
    try:
        learner = roster.learner(learner_id)
    except KeyError:
        close = difflib.get_close_matches(learner_id, [item.id for item in roster.learners], n=1)
        hint = f"; did you mean '{close[0]}'?" if close else "; check the id (not the name)"
        raise VendingError(f"no learner '{learner_id}' in {roster.path}{hint}") from None
    team = roster.team(learner.team_id)
    row = next(item for item in plan.learners if item.id == learner_id)

    account_id: str | None = None
    sign_in_url: str | None = settings.identity_center_portal_url if settings.access_mode == "identity_center" else None
    if stack_outputs is not None:
        real = stack_outputs["learners"].get(learner_id)
        if real is None:
            raise VendingError(f"learner '{learner_id}' is not in the stack outputs; run pulumi up first")
        account_id = real.get("account_id")
        sign_in_url = real.get("sign_in_url") or sign_in_url

    catalog = load_catalog()
    guardrail_plan = plan_guardrails(settings, roster.teams)
    applied = {
        guardrail_id
        for policy in guardrail_plan.policies_for_account(team_id=team.id)
        for guardrail_id in policy.guardrail_ids
    }
    forbidden = [plain_guardrail(catalog.get(guardrail_id).spec.description) for guardrail_id in sorted(applied)]
    return Welcome(
        learner_id=learner.id,
        learner_name=learner.name,
        team_name=team.name,
        status=row.status,
        status_reason=row.status_reason,
        account_name=row.account_name,
        account_id=account_id,
        shared=team.shared_account,
        access_mode=settings.access_mode,
        sign_in_url=sign_in_url,
        sign_in_hint=_sign_in_hint(settings, row.account_name, learner.user_name),
        regions=list(settings.allowed_regions) if REGION_LOCK_ID in applied else None,
        budget_usd=row.budget_usd,
        alerts=[
            f"{threshold.percent:g}% {'forecast' if threshold.type == 'FORECASTED' else 'spent'}"
            for threshold in settings.budget_thresholds
        ],
        hard_stop_percent=settings.hard_stop_percent,
        expires=row.expires,
        forbidden=forbidden,
    )


def plain_guardrail(description: str) -> str:
    """Turn a catalog description ("Deny X ...") into what is forbidden ("X ..."), without setting names."""
    text = description.removeprefix("Deny ").replace("allowedRegions", "the allowed Regions")
    return text[:1].upper() + text[1:]


def _sign_in_hint(settings: StackSettings, account_name: str, user_name: str) -> str:
    if settings.access_mode == "iam_role":
        return (
            "Sign in to your identity account with MFA first, then open the link to switch to the "
            f"{names.learner_admin_role(settings.prefix)} role."
        )
    return (
        f"Open the AWS access portal and sign in as {user_name}, choose the account {account_name}, then the "
        f"{names.learner_permission_set(settings.prefix)} permission set."
    )


def _money(amount: float) -> str:
    return f"${amount:,.2f}"


def _lines(welcome: Welcome) -> list[tuple[str, str]]:
    """Return the (label, value) facts shared by both formats."""
    account = welcome.account_name
    if welcome.account_id:
        account += f" ({welcome.account_id})"
    else:
        account += " (account id: ask cloud ops, or pass --stack-outputs)"
    if welcome.shared:
        account += ", shared with your team"
    hard_stop_usd = welcome.budget_usd * welcome.hard_stop_percent / 100
    facts = [
        ("Account", account),
        ("Sign in", welcome.sign_in_url or "ask cloud ops for the sign-in link"),
        ("How", welcome.sign_in_hint),
        ("Regions", ", ".join(welcome.regions) if welcome.regions else "any Region"),
        ("Budget", f"{_money(welcome.budget_usd)} per month; email alerts at {', '.join(welcome.alerts)}"),
        (
            "Hard stop",
            f"at {welcome.hard_stop_percent:g}% ({_money(hard_stop_usd)}) of the budget the account is frozen: "
            "you can no longer create or start compute, containers, databases or AI jobs, but you can still "
            "stop and delete resources to bring spend down. Cloud ops lift the freeze.",
        ),
        ("Expires", f"access ends after {welcome.expires}" if welcome.expires else "no end date"),
    ]
    return facts


def render_text(welcome: Welcome) -> str:
    out = [f"Welcome to your AWS sandbox, {welcome.learner_name} ({welcome.team_name})", ""]
    if welcome.status != "active":
        out += [f"Your access is {welcome.status} ({welcome.status_reason}); ask your instructor.", ""]
    width = max(len(label) for label, _ in _lines(welcome))
    out += [f"{label.ljust(width)}  {value}" for label, value in _lines(welcome)]
    out += ["", "The guardrails forbid:"]
    out += [f"  - {item}" for item in welcome.forbidden] or ["  (nothing)"]
    return "\n".join(out) + "\n"


def render_markdown(welcome: Welcome) -> str:
    out = [f"# Welcome to your AWS sandbox, {welcome.learner_name}", "", f"Team: {welcome.team_name}", ""]
    if welcome.status != "active":
        out += [f"> **Your access is {welcome.status}** ({welcome.status_reason}); ask your instructor.", ""]
    for label, value in _lines(welcome):
        if label == "Sign in" and welcome.sign_in_url:
            value = f"[{welcome.sign_in_url}]({welcome.sign_in_url})"
        out.append(f"- **{label}:** {value}")
    out += ["", "## What the guardrails forbid", ""]
    out += [f"- {item}" for item in welcome.forbidden] or ["- nothing"]
    return "\n".join(out) + "\n"

"""Compile the guardrail catalog into the SCPs the Pulumi components attach.

The plan is computed completely, and every quota checked, before any
resource is declared:

- The stack's selection (``guardrails`` or each guardrail's default) goes to
  the ``<prefix>-sandboxes`` OU.
- An SCP deny on a parent OU cannot be lifted below it, so a guardrail that
  any team relaxes moves from the sandboxes OU to the OU of every team that
  keeps it. A guardrail a team adds goes to that team's OU only.
- Every Deny statement carries one exemption, ``ArnNotLike aws:PrincipalArn``
  with the platform principals, merged into any such condition it has.
- Statements are packed into the fewest minified policies that fit
  ``scpMaxChars``, at most ``scpMaxPerTarget - 1`` per OU because
  FullAWSAccess stays attached and counts against the quota.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from vending.errors import GuardrailError
from vending.guardrails.catalog import Catalog, Guardrail, load_catalog
from vending.guardrails.packing import PackItem, make_item, pack, policy_document
from vending.guardrails.principals import platform_principals
from vending.guardrails.render import Value, render
from vending.roster import Team
from vending.settings import StackSettings

log = logging.getLogger(__name__)

EXEMPTION_OPERATOR = "ArnNotLike"
EXEMPTION_KEY = "aws:PrincipalArn"
MAX_DESCRIPTION = 512
BUILTIN_VARIABLES = ("prefix", "allowedRegions", "accountRoleName", "platformPrincipals")
# The learner account frozen by the budget action keeps FullAWSAccess and gets spend-freeze.
FROZEN_ACCOUNT_ATTACHMENTS = 2


@dataclass(frozen=True)
class CompiledPolicy:
    """One minified SCP, ready to declare as ``aws.organizations.Policy``."""

    key: str  # stable, used in Pulumi resource names: "sandboxes-1", "team-ml-research-1", "deny-all", "spend-freeze"
    name: str  # AWS policy name, prefixed
    description: str  # at most 512 characters
    content: str  # minified JSON
    guardrail_ids: tuple[str, ...]
    size: int  # len(content)
    # (Sid, guardrail id) of each statement, in document order.
    statements: tuple[tuple[str, str], ...] = ()

    def guardrail_of(self, sid: str) -> str | None:
        """Return the id of the guardrail that contributed statement ``sid``."""
        return next((guardrail_id for statement_sid, guardrail_id in self.statements if statement_sid == sid), None)


@dataclass(frozen=True)
class GuardrailPlan:
    """Every SCP of a stack and the OU or account each is attached to."""

    sandboxes: tuple[CompiledPolicy, ...]  # attached to the <prefix>-sandboxes OU
    teams: Mapping[str, tuple[CompiledPolicy, ...]]  # team id -> policies attached to that team's OU (may be empty)
    deny_all: CompiledPolicy  # attached to the <prefix>-suspended OU, which sits under the sandboxes OU
    spend_freeze: CompiledPolicy  # attached to one account by the budget action
    max_chars: int
    max_per_target: int

    def attachments_per_target(self) -> dict[str, int]:
        """Return the SCPs attached to each target, FullAWSAccess included."""
        counts = {"sandboxes": 1 + len(self.sandboxes), "suspended": 1 + 1}
        for team_id, policies in self.teams.items():
            counts[f"team-{team_id}"] = 1 + len(policies)
        counts["frozen-account"] = FROZEN_ACCOUNT_ATTACHMENTS
        return counts

    def all_policies(self) -> tuple[CompiledPolicy, ...]:
        team_policies = [policy for team_id in sorted(self.teams) for policy in self.teams[team_id]]
        return (*self.sandboxes, *team_policies, self.deny_all, self.spend_freeze)

    def policies_for_account(
        self, team_id: str | None = None, suspended: bool = False, frozen: bool = False
    ) -> tuple[CompiledPolicy, ...]:
        """Return the SCPs that apply to an account in a team OU, or in the suspended OU, and frozen or not."""
        policies = list(self.sandboxes)
        if suspended:
            policies.append(self.deny_all)
        elif team_id is not None:
            if team_id not in self.teams:
                raise GuardrailError(f"unknown team '{team_id}'; teams: {', '.join(sorted(self.teams)) or 'none'}")
            policies.extend(self.teams[team_id])
        if frozen:
            policies.append(self.spend_freeze)
        return tuple(policies)


def plan_guardrails(settings: StackSettings, teams: Sequence[Team], catalog: Catalog | None = None) -> GuardrailPlan:
    """Select, render and pack the guardrails for the sandboxes OU and every team OU.

    Raises ``GuardrailError`` for unknown guardrail ids or settings, a relaxed
    guardrail that may not be relaxed, a statement larger than an SCP, or a
    target that would need more SCPs than the quota allows.
    """
    catalog = catalog or load_catalog()
    principals = platform_principals(settings)
    selected = _check_selection(settings, teams, catalog)
    _check_settings(settings, catalog)

    compiled: dict[str, list[PackItem]] = {}

    def items_of(guardrail: Guardrail) -> list[PackItem]:
        if guardrail.id not in compiled:
            compiled[guardrail.id] = compile_statements(guardrail, settings, principals)
        return compiled[guardrail.id]

    relaxed = {guardrail_id for team in teams for guardrail_id in team.guardrails_relax if guardrail_id in selected}
    sandbox_ids = [guardrail_id for guardrail_id in selected if guardrail_id not in relaxed]
    max_policies = settings.scp_max_per_target - 1
    sandboxes = _build_target(
        "sandboxes", "the sandboxes OU", [items_of(catalog.get(g)) for g in sandbox_ids], settings, max_policies
    )

    team_plans: dict[str, tuple[CompiledPolicy, ...]] = {}
    for team in sorted(teams, key=lambda team: team.id):
        kept_ids = [g for g in selected if g in relaxed and g not in team.guardrails_relax]
        added_ids = [g for g in team.guardrails_add if g not in selected]
        team_ids = sorted(set(kept_ids) | set(added_ids))
        if team_ids:
            log.debug("team %s gets guardrails %s on its OU", team.id, ", ".join(team_ids))
        team_plans[team.id] = _build_target(
            f"team-{team.id}",
            f"the OU of team {team.id}",
            [items_of(catalog.get(g)) for g in team_ids],
            settings,
            max_policies,
        )

    deny_all = _build_special(catalog.special["deny-all"], "deny-all", "the suspended OU", settings, principals)
    spend_freeze = _build_special(
        catalog.special["spend-freeze"], "spend-freeze", "an account at its hard budget limit", settings, principals
    )
    return GuardrailPlan(
        sandboxes=sandboxes,
        teams=MappingProxyType(team_plans),
        deny_all=deny_all,
        spend_freeze=spend_freeze,
        max_chars=settings.scp_max_chars,
        max_per_target=settings.scp_max_per_target,
    )


def compile_statements(guardrail: Guardrail, settings: StackSettings, principals: Sequence[str]) -> list[PackItem]:
    """Render a guardrail's statements with its settings, add Sids and the exemption."""
    variables = guardrail_variables(guardrail, settings, principals)
    items = []
    for index, spec in enumerate(guardrail.spec.statements):
        statement = render(spec.to_policy(), variables, f"{guardrail.path}: statements[{index}]")
        statement["Sid"] = guardrail.sid(spec)
        items.append(make_item(guardrail.id, add_exemption(statement, principals)))
    return items


def guardrail_variables(guardrail: Guardrail, settings: StackSettings, principals: Sequence[str]) -> dict[str, Value]:
    """Return the placeholder values for one guardrail: built-ins, then its settings with overrides."""
    variables: dict[str, Value] = {
        "prefix": settings.prefix,
        "allowedRegions": list(settings.allowed_regions),
        "accountRoleName": settings.account_role_name,
        "platformPrincipals": list(principals),
    }
    overrides = settings.guardrail_settings.get(guardrail.id, {})
    for name, spec in guardrail.spec.settings.items():
        variables[name] = overrides.get(name, spec.default)
    return variables


def add_exemption(statement: dict[str, Any], principals: Sequence[str]) -> dict[str, Any]:
    """Return a copy of a Deny statement that exempts ``principals``.

    Condition operator and key names are case-insensitive in IAM, so an
    existing ``ArnNotLike`` on ``aws:PrincipalArn`` in any spelling is
    combined with the platform list. ArnNotLike with several values is true
    only when the principal matches none of them, so the union of both lists
    keeps both exemptions.
    """
    result = dict(statement)
    if result.get("Effect") != "Deny":
        return result
    conditions: dict[str, Any] = {key: dict(value) for key, value in (result.get("Condition") or {}).items()}
    operator = next((key for key in conditions if key.lower() == EXEMPTION_OPERATOR.lower()), EXEMPTION_OPERATOR)
    block = conditions.pop(operator, {})
    existing_key = next((key for key in block if key.lower() == EXEMPTION_KEY.lower()), None)
    existing = block.pop(existing_key, []) if existing_key else []
    values = [existing] if isinstance(existing, str) else list(existing)
    values.extend(principal for principal in principals if principal not in values)
    block[EXEMPTION_KEY] = values
    conditions[EXEMPTION_OPERATOR] = block
    result["Condition"] = conditions
    return result


def _build_target(
    key_base: str, target: str, groups: Sequence[list[PackItem]], settings: StackSettings, max_policies: int
) -> tuple[CompiledPolicy, ...]:
    items = [item for group in groups for item in group]
    if not items:
        return ()
    bins = pack(items, settings.scp_max_chars, max_policies, target)
    policies = []
    for number, contents in enumerate(bins, start=1):
        key = f"{key_base}-{number}"
        policies.append(_policy(key, f"{settings.prefix}-guardrails-{key}", target, contents))
    return tuple(policies)


def _build_special(
    guardrail: Guardrail, key: str, target: str, settings: StackSettings, principals: Sequence[str]
) -> CompiledPolicy:
    items = compile_statements(guardrail, settings, principals)
    (contents,) = pack(items, settings.scp_max_chars, 1, f"{key} policy")
    return _policy(key, f"{settings.prefix}-{key}", target, contents)


def _policy(key: str, name: str, target: str, contents: Sequence[PackItem]) -> CompiledPolicy:
    content = policy_document([item.statement for item in contents])
    guardrail_ids = tuple(dict.fromkeys(item.guardrail_id for item in contents))
    description = f"sandbox-vending SCP for {target}, compiled from guardrails: {', '.join(guardrail_ids)}"
    if len(description) > MAX_DESCRIPTION:
        description = description[: MAX_DESCRIPTION - 3] + "..."
    return CompiledPolicy(
        key=key,
        name=name,
        description=description,
        content=content,
        guardrail_ids=guardrail_ids,
        size=len(content),
        statements=tuple((item.sid, item.guardrail_id) for item in contents),
    )


def _check_selection(settings: StackSettings, teams: Sequence[Team], catalog: Catalog) -> list[str]:
    """Return the selected ids in catalog order; raise ``GuardrailError`` listing every unknown or invalid id."""
    known = catalog.ids()
    valid = f"valid ids: {', '.join(known)}"
    errors: list[str] = []
    if settings.guardrails is not None:
        for guardrail_id in settings.guardrails:
            if guardrail_id not in known:
                errors.append(
                    f"stack config sandbox-vending:guardrails: unknown guardrail id '{guardrail_id}'"
                    + _did_you_mean(guardrail_id, known)
                )
    for team in teams:
        for field, ids in (("add", team.guardrails_add), ("relax", team.guardrails_relax)):
            for guardrail_id in ids:
                if guardrail_id not in known:
                    errors.append(
                        f"team {team.id} guardrails.{field}: unknown guardrail id '{guardrail_id}'"
                        + _did_you_mean(guardrail_id, known)
                    )
        for guardrail_id in sorted(set(team.guardrails_add) & set(team.guardrails_relax)):
            errors.append(f"team {team.id}: guardrail '{guardrail_id}' is both added and relaxed; keep one")
        for guardrail_id in team.guardrails_relax:
            if guardrail_id in known and not catalog.get(guardrail_id).spec.relaxable:
                errors.append(
                    f"team {team.id} guardrails.relax: '{guardrail_id}' protects the platform and cannot be relaxed"
                )
    if errors:
        raise GuardrailError("invalid guardrail selection:\n  " + "\n  ".join(errors) + f"\n  ({valid})")
    chosen = set(settings.guardrails) if settings.guardrails is not None else set(catalog.default_ids())
    return [guardrail_id for guardrail_id in known if guardrail_id in chosen]


def _did_you_mean(value: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _check_settings(settings: StackSettings, catalog: Catalog) -> None:
    """Raise ``GuardrailError`` for guardrailSettings that name unknown guardrails or settings, or have wrong types."""
    errors: list[str] = []
    for guardrail_id, values in settings.guardrail_settings.items():
        if guardrail_id not in catalog.ids():
            errors.append(
                f"sandbox-vending:guardrailSettings: unknown guardrail id '{guardrail_id}'"
                + _did_you_mean(guardrail_id, catalog.ids())
                + f" (valid ids: {', '.join(catalog.ids())})"
            )
            continue
        specs = catalog.get(guardrail_id).spec.settings
        if not isinstance(values, dict):
            errors.append(f"{guardrail_id}: expected a mapping of setting names to values")
            continue
        for name, value in values.items():
            if name not in specs:
                names = ", ".join(specs) or "none"
                errors.append(
                    f"{guardrail_id}: unknown setting '{name}'"
                    + _did_you_mean(name, list(specs))
                    + f" (settings: {names})"
                )
                continue
            problem = _type_problem(specs[name].default, value)
            if problem:
                errors.append(f"{guardrail_id}.{name}: {problem}")
    for guardrail in catalog.guardrails:
        clashes = sorted(set(guardrail.spec.settings) & set(BUILTIN_VARIABLES))
        if clashes:
            errors.append(f"{guardrail.path}: setting names {', '.join(clashes)} are reserved for built-in values")
    if errors:
        raise GuardrailError("invalid guardrailSettings:\n  " + "\n  ".join(errors))


def _type_problem(default: Value, value: object) -> str | None:
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            return f"expected a list of strings, got {value!r}"
        if not value:
            return "expected at least one value"
        return None
    if isinstance(default, bool):
        return None if isinstance(value, bool) else f"expected true or false, got {value!r}"
    if isinstance(default, (int, float)):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else f"expected a number, got {value!r}"
    return None if isinstance(value, str) else f"expected a string, got {value!r}"

"""Explain whether the compiled SCPs deny a request, and which statement does.

A deliberately small evaluator: FullAWSAccess stays attached to every target,
so only an explicit Deny can block a request and Allow statements are not
modelled. It supports what the catalog uses: Action/NotAction and
Resource/NotResource with wildcards, and the String, Arn, Bool and Null
condition operators with the IfExists suffix and the ForAnyValue and
ForAllValues set qualifiers. Any other operator raises ``GuardrailError``
instead of guessing, so an unsupported policy never reads as allowed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vending.errors import GuardrailError
from vending.guardrails.compiler import CompiledPolicy
from vending.guardrails.principals import arn_like, glob_match

# A learner's Identity Center role session, used when no principal is given.
DEFAULT_LEARNER_ARN = (
    "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_SandboxAdmin_0123456789abcdef"
)
REQUEST_KEYS = ("aws:requestedregion", "aws:principalarn")
MAX_LISTED = 4

Matcher = Callable[[str, str], bool]


def _string_equals(pattern: str, value: str) -> bool:
    return pattern == value


def _string_equals_ignore_case(pattern: str, value: str) -> bool:
    return pattern.lower() == value.lower()


def _string_like(pattern: str, value: str) -> bool:
    return glob_match(pattern, value)


def _bool_equals(pattern: str, value: str) -> bool:
    return pattern.lower() == value.lower()


# Base operator (lowercase) -> (matcher, negated). IAM treats ArnEquals like ArnLike.
OPERATORS: dict[str, tuple[Matcher, bool]] = {
    "stringequals": (_string_equals, False),
    "stringnotequals": (_string_equals, True),
    "stringequalsignorecase": (_string_equals_ignore_case, False),
    "stringnotequalsignorecase": (_string_equals_ignore_case, True),
    "stringlike": (_string_like, False),
    "stringnotlike": (_string_like, True),
    "arnequals": (arn_like, False),
    "arnlike": (arn_like, False),
    "arnnotequals": (arn_like, True),
    "arnnotlike": (arn_like, True),
    "bool": (_bool_equals, False),
}


@dataclass(frozen=True)
class Request:
    """One API request, reduced to the values an SCP evaluates."""

    action: str
    region: str
    principal_arn: str = DEFAULT_LEARNER_ARN
    resource: str | None = None
    # Extra condition keys, such as {"ec2:InstanceType": ("p4d.24xlarge",)}.
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def context_values(self) -> dict[str, tuple[str, ...]]:
        """Return every condition key of the request, keyed in lowercase because IAM key names ignore case."""
        values = {key.lower(): tuple(items) for key, items in self.context.items()}
        clashes = sorted(key for key in values if key in REQUEST_KEYS)
        if clashes:
            raise GuardrailError(f"set {', '.join(clashes)} with --region and --principal, not as context")
        values["aws:requestedregion"] = (self.region,)
        values["aws:principalarn"] = (self.principal_arn,)
        return values


@dataclass(frozen=True)
class Denial:
    """An explicit Deny that matched, with the reasons each element matched."""

    policy_key: str
    policy_name: str
    sid: str
    guardrail_id: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    """The outcome for one request: allowed unless some statement denies it."""

    request: Request
    denials: tuple[Denial, ...]
    notes: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.denials

    @property
    def verdict(self) -> str:
        return "ALLOWED" if self.allowed else "DENIED"


def explain(policies: Sequence[CompiledPolicy], request: Request) -> Decision:
    """Evaluate ``request`` against every statement of ``policies`` and collect the denials."""
    context = request.context_values()
    denials = []
    notes: list[str] = []
    for policy in policies:
        document = json.loads(policy.content)
        for statement in document["Statement"]:
            matched, reasons = evaluate_statement(statement, request, context)
            if not matched:
                continue
            if request.resource is None and ("Resource" in statement or "NotResource" in statement):
                element = statement.get("Resource", statement.get("NotResource"))
                if element != "*":
                    note = f"{statement.get('Sid')}: no --resource given, assumed to match {_show(element)}"
                    notes.append(note)
            sid = str(statement.get("Sid", ""))
            denials.append(Denial(policy.key, policy.name, sid, policy.guardrail_of(sid), tuple(reasons)))
    return Decision(request=request, denials=tuple(denials), notes=tuple(notes))


def evaluate_statement(statement: Mapping[str, Any], request: Request,
                       context: Mapping[str, tuple[str, ...]] | None = None) -> tuple[bool, list[str]]:
    """Return whether a Deny statement applies to ``request``, with one reason per element that matched."""
    if statement.get("Effect") != "Deny":
        return False, []
    context = context if context is not None else request.context_values()
    reasons: list[str] = []

    if "Action" in statement:
        patterns = _as_list(statement["Action"])
        hit = next((p for p in patterns if glob_match(p, request.action, ignore_case=True)), None)
        if hit is None:
            return False, []
        reasons.append(f"Action {hit} matches {request.action}")
    else:
        patterns = _as_list(statement.get("NotAction", []))
        hit = next((p for p in patterns if glob_match(p, request.action, ignore_case=True)), None)
        if hit is not None:
            return False, []
        reasons.append(f"{request.action} is not among the {len(patterns)} NotAction exceptions")

    if request.resource is not None:
        if "Resource" in statement:
            patterns = _as_list(statement["Resource"])
            if not any(arn_like(p, request.resource) for p in patterns):
                return False, []
        else:
            patterns = _as_list(statement.get("NotResource", []))
            if any(arn_like(p, request.resource) for p in patterns):
                return False, []

    for operator, block in (statement.get("Condition") or {}).items():
        for key, policy_values in block.items():
            result, reason = evaluate_condition(operator, key, _as_list(policy_values), context)
            if not result:
                return False, []
            reasons.append(reason)
    return True, reasons


def evaluate_condition(operator: str, key: str, policy_values: Sequence[str],
                       context: Mapping[str, tuple[str, ...]]) -> tuple[bool, str]:
    """Evaluate one condition key under one operator; return the result and a sentence saying why."""
    qualifier, base, if_exists = _parse_operator(operator)
    values = context.get(key.lower())
    label = f"{operator} {key} {_show(policy_values)}"
    for policy_value in policy_values:
        if "${" in str(policy_value):
            raise GuardrailError(f"{label}: policy variables are not supported by the explainer")

    if base == "null":
        if qualifier or if_exists:
            raise GuardrailError(f"unsupported condition operator '{operator}'")
        expected_missing = str(policy_values[0]).lower() == "true"
        result = (values is None) == expected_missing
        state = "absent" if values is None else "present"
        return result, f"{label}: the key is {state}"

    if base not in OPERATORS:
        raise GuardrailError(f"unsupported condition operator '{operator}'; the explainer cannot evaluate it")
    matcher, negated = OPERATORS[base]

    def matches_any(value: str) -> bool:
        return any(matcher(str(pattern), value) for pattern in policy_values)

    def is_true_for(value: str) -> bool:
        return not matches_any(value) if negated else matches_any(value)

    if qualifier == "foranyvalue":
        if not values:
            return False, f"{label}: the key is absent, so ForAnyValue is false"
        result = any(is_true_for(value) for value in values)
        return result, f"{label}: request values {list(values)}"
    if qualifier == "forallvalues":
        if not values:
            return True, f"{label}: the key is absent, so ForAllValues is true"
        result = all(is_true_for(value) for value in values)
        return result, f"{label}: request values {list(values)}"

    if values is None:
        # A missing key makes negated operators and IfExists conditions true, and the others false.
        result = negated or if_exists
        return result, f"{label}: the key is absent"
    any_match = any(matches_any(value) for value in values)
    result = not any_match if negated else any_match
    request_value = values[0] if len(values) == 1 else list(values)
    return result, f"{label}: request value {request_value!r}"


def _parse_operator(operator: str) -> tuple[str, str, bool]:
    """Split ``ForAnyValue:StringNotLikeIfExists`` into (qualifier, base operator, IfExists), lowercased."""
    qualifier, _, base = operator.lower().rpartition(":")
    if qualifier not in ("", "foranyvalue", "forallvalues"):
        raise GuardrailError(f"unsupported condition operator '{operator}'")
    if_exists = base.endswith("ifexists")
    if if_exists:
        base = base[: -len("ifexists")]
    return qualifier, base, if_exists


def _as_list(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _show(values: Any) -> str:
    items = _as_list(values)
    if len(items) > MAX_LISTED:
        return "[" + ", ".join(items[: MAX_LISTED - 1]) + f", and {len(items) - MAX_LISTED + 1} more]"
    return "[" + ", ".join(items) + "]"

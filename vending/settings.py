"""Stack settings: the typed view of ``sandbox-vending:*`` keys in ``Pulumi.<stack>.yaml``.

The Pulumi program reads them through ``pulumi.Config`` and the CLI reads the
same stack file directly, and both validate through ``StackSettings`` so a bad
value fails the same way in either place.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import botocore
import botocore.loaders
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic.alias_generators import to_camel
from pydantic_core import ErrorDetails, PydanticCustomError

from vending.errors import Problem, ValidationError
from vending.input_errors import DEFAULT_FIX, describe
from vending.yamlsource import format_path, load_yaml_file

if TYPE_CHECKING:
    from vending.guardrails.catalog import Catalog

PROJECT = "sandbox-vending"
# Minimum difflib similarity of a config namespace to PROJECT for it to count as a misspelling.
NAMESPACE_CUTOFF = 0.75
EMAIL_PATTERN = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
POLICY_ARN_PATTERN = r"^arn:aws[a-z-]*:iam::(aws|\d{12}):policy/[\x21-\x7e]+$"
PRINCIPAL_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(root|user/[\x21-\x7e]+|role/[\x21-\x7e]+)$")

# Default spend alerts: early warning, near the limit, at the limit, and forecast over.
DEFAULT_THRESHOLDS: list[dict[str, Any]] = [
    {"type": "ACTUAL", "percent": 50},
    {"type": "ACTUAL", "percent": 80},
    {"type": "ACTUAL", "percent": 100},
    {"type": "FORECASTED", "percent": 100},
]


class BudgetThreshold(BaseModel):
    """One budget notification: ACTUAL or FORECASTED spend crossing a percentage of the budget."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["ACTUAL", "FORECASTED"]
    percent: float = Field(gt=0, le=1000)


class StackSettings(BaseModel):
    """Stack configuration of one sandbox-vending stack, with the defaults ``Pulumi.yaml`` declares."""

    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)

    prefix: str = Field(default="sbx", pattern=r"^[a-z][a-z0-9-]{0,18}[a-z0-9]$")
    roster_path: str = "config/roster.yaml"
    ops_emails: list[str] = Field(min_length=1, max_length=8)
    allowed_regions: list[str] = Field(default_factory=lambda: ["us-east-1", "us-west-2"], min_length=1)
    access_mode: Literal["identity_center", "iam_role"] = "identity_center"
    identity_center_portal_url: str | None = None
    # ISO 8601 duration, as the permission set API expects.
    session_duration: str = Field(default="PT8H", pattern=r"^PT([1-9]|1[0-2])H$")
    learner_policy_arn: str = "arn:aws:iam::aws:policy/AdministratorAccess"
    # Permissions boundary of the learner's access: an AWS or customer managed
    # policy ARN, or the name (and path) of a customer managed policy that
    # exists under that name in every sandbox account. At most one of the two.
    permissions_boundary_policy_arn: str | None = Field(default=None, pattern=POLICY_ARN_PATTERN)
    permissions_boundary_policy_name: str | None = Field(default=None, pattern=r"^[\w+=,.@-]{1,128}$")
    permissions_boundary_policy_path: str = Field(default="/", pattern=r"^/([\x21-\x7e]*/)?$")
    # Extra Deny statements added to the learner's access as an inline policy.
    learner_deny_policy: dict[str, Any] | None = None
    instructor_policy_arn: str = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    account_role_name: str = "OrganizationAccountAccessRole"
    iam_user_access_to_billing: Literal["ALLOW", "DENY"] = "ALLOW"
    guardrails: list[str] | None = None
    guardrail_settings: dict[str, Any] = Field(default_factory=dict)
    platform_principals: list[str] = Field(default_factory=list)
    scp_max_chars: int = Field(default=5120, ge=1000, le=100_000)
    scp_max_per_target: int = Field(default=5, ge=2, le=50)
    budget_thresholds: list[BudgetThreshold] = Field(
        default_factory=lambda: [BudgetThreshold(**item) for item in DEFAULT_THRESHOLDS], min_length=1, max_length=5
    )
    hard_stop_percent: float = Field(default=100, gt=0, le=1000)
    alarm_percent: float = Field(default=80, gt=0, le=1000)
    max_concurrent_creations: int = Field(default=5, ge=1, le=5)
    max_lifecycle_change_share: float = Field(default=0.2, gt=0, le=1)
    allow_mass_change: bool = False
    today: date | None = None
    teams: list[str] | None = None
    stack_kind: Literal["all", "org", "team"] = "all"
    org_stack: str | None = None
    identity_account_principals: dict[str, list[str]] = Field(default_factory=dict)
    account_closure_timeout: str = Field(default="4h", pattern=r"^\d+[mh]$")
    # iam_role mode: how long the readiness step waits for a new account's
    # access role to accept sts:AssumeRole.
    account_ready_timeout_minutes: int = Field(default=15, ge=1, le=120)

    @field_validator("ops_emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        bad = [email for email in value if not EMAIL_PATTERN.match(email)]
        if bad:
            raise ValueError(f"invalid email address(es): {', '.join(bad)}")
        return value

    @field_validator("allowed_regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        bad = [region for region in value if not REGION_PATTERN.match(region)]
        if bad:
            raise ValueError(f"not AWS region names: {', '.join(bad)} (expected names such as eu-west-1)")
        unknown = [region for region in value if region not in known_regions()]
        if unknown:
            raise PydanticCustomError(
                "unknown_region",
                f"unknown AWS regions: {', '.join(unknown)} (botocore {botocore.__version__} lists no such region "
                "in the aws partition)",
                {
                    "fix": "check the spelling, or raise the boto3 pin in pyproject.toml and rerun make "
                    "if AWS launched the region after this botocore release"
                },
            )
        if "us-east-1" not in value:
            # Billing metrics, budgets and most global control planes live in us-east-1.
            raise ValueError("must include us-east-1, where global services and billing data live")
        return value

    @field_validator("learner_deny_policy", mode="before")
    @classmethod
    def _deny_policy_json(cls, value: Any) -> Any:
        # Pulumi.yaml declares the key as a string, so the stack file contains JSON text.
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as error:
                raise ValueError(f"not valid JSON: {error}") from None
        return value

    @field_validator("learner_deny_policy")
    @classmethod
    def _deny_policy(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return value
        statements = value.get("Statement")
        if value.get("Version") != "2012-10-17" or not isinstance(statements, list) or not statements:
            raise ValueError('expected an IAM policy with "Version": "2012-10-17" and a non-empty "Statement" list')
        not_deny = [
            index for index, item in enumerate(statements) if not isinstance(item, dict) or item.get("Effect") != "Deny"
        ]
        if not_deny:
            raise ValueError(f'every statement must have "Effect": "Deny"; statement(s) {not_deny} do not')
        return value

    @field_validator("identity_account_principals")
    @classmethod
    def _principals(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        bad = sorted(arn for arns in value.values() for arn in arns if not PRINCIPAL_ARN_PATTERN.match(arn))
        if bad:
            raise ValueError(
                f"not IAM user, role or account root ARNs: {', '.join(bad)} "
                "(expected arn:aws:iam::123456789012:user/NAME or :role/NAME)"
            )
        empty = sorted(learner_id for learner_id, arns in value.items() if not arns)
        if empty:
            raise ValueError(f"learners with an empty principal list: {', '.join(empty)}")
        return value

    @model_validator(mode="after")
    def _boundary(self) -> StackSettings:
        if self.permissions_boundary_policy_arn and self.permissions_boundary_policy_name:
            raise ValueError("set either permissionsBoundaryPolicyArn or permissionsBoundaryPolicyName, not both")
        return self

    @model_validator(mode="after")
    def _stack_kind(self) -> StackSettings:
        if self.stack_kind == "team" and not self.org_stack:
            raise ValueError("stackKind 'team' needs orgStack, the org stack to read shared resources from")
        if self.stack_kind == "team" and not self.teams:
            raise ValueError("stackKind 'team' needs teams, the list of team ids this stack manages")
        if self.stack_kind == "org" and self.teams is not None:
            raise ValueError("stackKind 'org' manages no teams itself; remove teams (team stacks list theirs)")
        return self

@functools.cache
def known_regions() -> frozenset[str]:
    """Return the regions of the aws partition in botocore's bundled endpoints data (read from disk, offline)."""
    data = botocore.loaders.create_loader().load_data("endpoints")
    for partition in data.get("partitions", []):
        if partition.get("partition") == "aws":
            return frozenset(partition.get("regions", {}))
    return frozenset()


def config_key(field_name: str) -> str:
    """Return the camelCase stack config key of a ``StackSettings`` field."""
    return to_camel(field_name)


def settings_from_values(values: dict[str, Any], source: str, lines: dict[str, int] | None = None) -> StackSettings:
    """Validate project config values keyed by their camelCase names (without the project prefix)."""
    try:
        return StackSettings.model_validate(values)
    except PydanticValidationError as error:
        problems = []
        for item in error.errors():
            loc = item["loc"]
            top = str(loc[0]) if loc else ""
            message, fix = _describe_setting(item, top)
            problems.append(
                Problem(
                    source,
                    (lines or {}).get(top),
                    format_path(loc),
                    item.get("input") if item["type"] not in ("missing", "extra_forbidden") else None,
                    message,
                    fix,
                )
            )
        raise ValidationError(problems, subject=source) from None


# The patterns of StackSettings, in words.
PATTERN_WORDS: dict[str, str] = {
    "prefix": "must be 2-20 characters of lowercase letters, digits and hyphens, "
    "starting with a letter and not ending with a hyphen",
    "sessionDuration": "must be a whole number of hours from PT1H to PT12H, such as PT8H",
    "permissionsBoundaryPolicyArn": "must be an IAM policy ARN, such as arn:aws:iam::aws:policy/PowerUserAccess "
    "or arn:aws:iam::123456789012:policy/NAME",
    "permissionsBoundaryPolicyName": "must be 1-128 characters of letters, digits and + = , . @ _ -",
    "permissionsBoundaryPolicyPath": "must start and end with '/', such as / or /sandbox/",
    "accountClosureTimeout": "must be a whole number of minutes or hours, such as 90m or 4h",
}


def _describe_setting(item: ErrorDetails, top: str) -> tuple[str, str]:
    """Return (message, fix) for one error of ``StackSettings``, with the stack config key in the fix."""
    key = f"{PROJECT}:{top}" if top else ""
    message, fix = describe(item)
    kind = item["type"]
    if kind == "extra_forbidden":
        known = sorted(config_key(name) for name in StackSettings.model_fields)
        close = difflib.get_close_matches(top, known, n=1, cutoff=0.6)
        fix = f"did you mean {close[0]}?" if close else "remove the key or correct its spelling (keys are camelCase)"
    elif kind == "missing":
        fix = f"set it with: pulumi config set {key} VALUE"
    elif kind == "string_pattern_mismatch" and top in PATTERN_WORDS:
        message = PATTERN_WORDS[top]
        fix = f"correct {key}"
    elif fix == DEFAULT_FIX:
        fix = f"correct {key} (Pulumi.yaml describes every key)" if key else "correct the stack config"
    return message, fix


def parse_config_value(raw: str) -> Any:
    """Decode a Pulumi config string: structured values arrive JSON-encoded."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def load_stack_file(path: Path) -> tuple[StackSettings, dict[str, Any]]:
    """Read ``Pulumi.<stack>.yaml``: return the settings and every raw ``config`` entry.

    The raw entries, keyed as in the file (``aws:region``, ``sandbox-vending:prefix``),
    are what the offline plan hands to the mock engine.
    """
    data, source = load_yaml_file(path)
    if not isinstance(data, dict) or not isinstance(data.get("config", {}), dict):
        raise ValidationError(
            [Problem(str(path), 1, "config", None, "expected a mapping with a 'config' mapping inside")],
            subject=str(path),
        )
    raw: dict[str, Any] = dict(data.get("config") or {})
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    for key, value in raw.items():
        namespace, _, name = key.partition(":")
        if name and namespace != PROJECT and _looks_like_project(namespace):
            problems.append(
                Problem(
                    str(path),
                    source.line_of(("config", key)),
                    key,
                    None,
                    f"unknown config namespace '{namespace}'",
                    f"did you mean {PROJECT}:{name}?",
                )
            )
            continue
        if not name:
            problems.append(
                Problem(
                    str(path),
                    source.line_of(("config", key)),
                    key,
                    key,
                    "config keys must be namespaced",
                    f"write {PROJECT}:{key}",
                )
            )
            continue
        if namespace == PROJECT:
            if isinstance(value, dict) and "secure" in value:
                problems.append(
                    Problem(
                        str(path),
                        source.line_of(("config", key)),
                        key,
                        None,
                        "secrets are not used by this project",
                        "store the value in plain text",
                    )
                )
                continue
            values[name] = value
            lines[name] = source.line_of(("config", key)) or 0
    try:
        settings = settings_from_values(values, str(path), lines)
    except ValidationError as error:
        problems.extend(error.problems)
    if problems:
        raise ValidationError(problems, subject=str(path))
    return settings, raw


def _looks_like_project(namespace: str) -> bool:
    """Return whether a config namespace is a misspelling of this project's rather than another provider's."""
    # Other providers' namespaces (aws, pulumi, random, ...) are far from "sandbox-vending".
    return difflib.SequenceMatcher(None, namespace.lower(), PROJECT).ratio() >= NAMESPACE_CUTOFF


def guardrail_config_problems(path: Path, settings: StackSettings, catalog: Catalog) -> list[Problem]:
    """Check the stack's ``guardrails`` and ``guardrailSettings`` ids and setting names against the catalog.

    The compiler rejects the same mistakes, but without lines or suggestions;
    these problems point at the entry in the stack file.
    """
    _, source = load_yaml_file(path)
    known = catalog.ids()
    problems: list[Problem] = []

    def report(loc: tuple[str | int, ...], value: object, message: str, fix: str) -> None:
        key = f"{PROJECT}:{loc[0]}"
        line = source.line_of(("config", key, *loc[1:]))
        problems.append(Problem(str(path), line, format_path(loc), value, message, fix))

    for index, guardrail_id in enumerate(settings.guardrails or []):
        if guardrail_id not in known:
            report(("guardrails", index), guardrail_id, "unknown guardrail id", _suggest(guardrail_id, known, "ids"))
    for guardrail_id, values in settings.guardrail_settings.items():
        if guardrail_id not in known:
            report(
                ("guardrailSettings", guardrail_id),
                guardrail_id,
                "unknown guardrail id",
                _suggest(guardrail_id, known, "ids"),
            )
            continue
        if not isinstance(values, dict):
            report(
                ("guardrailSettings", guardrail_id),
                None,
                "must be a mapping of setting names to values",
                "indent 'settingName: value' lines under the guardrail id",
            )
            continue
        names = tuple(catalog.get(guardrail_id).spec.settings)
        for name in values:
            if name not in names:
                report(
                    ("guardrailSettings", guardrail_id, name),
                    name,
                    f"unknown setting of guardrail {guardrail_id}",
                    _suggest(name, names, "settings"),
                )
    return problems


def _suggest(value: str, known: tuple[str, ...], noun: str) -> str:
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]}?"
    return f"valid {noun}: {', '.join(known) or 'none'}"

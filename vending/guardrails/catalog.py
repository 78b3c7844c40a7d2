"""Guardrail catalog: one YAML file per guardrail under ``config/guardrails``.

Each file declares an id, a description, the reason it exists, a tier, whether
it is on by default, the settings it takes and its SCP statements. Files are
validated with pydantic. An unknown key, a wrong type or a statement that is
not a Deny is reported with its file and line, and every problem is reported
at once.

The two special policies, deny-all and spend-freeze, use the same format and
live in ``config/guardrails/special``. They are attached by the platform, not
selected, so they never appear among the guardrails.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from vending.errors import Problem, ValidationError
from vending.yamlsource import SourceMap, format_path, load_yaml_file

CATALOG_DIR = Path(__file__).resolve().parents[2] / "config" / "guardrails"
SPECIAL_DIR_NAME = "special"
SPECIAL_IDS = ("deny-all", "spend-freeze")
GUARDRAIL_ID_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
Tier = Literal["baseline", "cost", "ai", "strict", "special"]
TIER_ORDER: dict[str, int] = {"baseline": 0, "cost": 1, "ai": 2, "strict": 3, "special": 4}
# A setting value is a string, a number, a flag or a list of strings.
SettingValue = str | int | float | bool | list[str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SettingSpec(_Strict):
    """One setting a guardrail takes, with its default value."""

    description: str = Field(min_length=1)
    default: SettingValue


class StatementSpec(_Strict):
    """One SCP statement as written in a catalog file, before placeholders are filled in."""

    sid_suffix: str = Field(default="", pattern=r"^[A-Za-z0-9]*$")
    effect: Literal["Deny"] = Field(alias="Effect")
    action: str | list[str] | None = Field(default=None, alias="Action")
    not_action: str | list[str] | None = Field(default=None, alias="NotAction")
    resource: str | list[str] | None = Field(default=None, alias="Resource")
    not_resource: str | list[str] | None = Field(default=None, alias="NotResource")
    condition: dict[str, dict[str, str | list[str]]] | None = Field(default=None, alias="Condition")

    @field_validator("action", "not_action", "resource", "not_resource")
    @classmethod
    def _not_empty(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and not value:
            raise ValueError("must not be an empty list")
        return value

    def check_elements(self) -> list[str]:
        """Return what is wrong with the choice of Action/NotAction and Resource/NotResource."""
        errors = []
        if (self.action is None) == (self.not_action is None):
            errors.append("a statement needs exactly one of Action and NotAction")
        if (self.resource is None) == (self.not_resource is None):
            errors.append("a statement needs exactly one of Resource and NotResource")
        return errors

    def to_policy(self) -> dict[str, Any]:
        """Return the statement as IAM JSON keys, without a Sid."""
        data: dict[str, Any] = {"Effect": self.effect}
        for key, value in (
            ("Action", self.action),
            ("NotAction", self.not_action),
            ("Resource", self.resource),
            ("NotResource", self.not_resource),
            ("Condition", self.condition),
        ):
            if value is not None:
                data[key] = value
        return data


class GuardrailSpec(_Strict):
    """A guardrail file: its identity, why it exists, and the statements it contributes."""

    id: str = Field(pattern=GUARDRAIL_ID_PATTERN, max_length=48)
    description: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1)
    tier: Tier
    default_enabled: bool
    relaxable: bool = Field(default=True, description="Whether a team may relax it with guardrails.relax.")
    settings: dict[str, SettingSpec] = Field(default_factory=dict)
    statements: list[StatementSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Guardrail:
    """A validated guardrail with the file it came from."""

    spec: GuardrailSpec
    path: str

    @property
    def id(self) -> str:
        return self.spec.id

    def sid(self, statement: StatementSpec) -> str:
        """Return the statement's Sid: the guardrail id in PascalCase plus the statement's suffix."""
        return pascal_case(self.spec.id) + statement.sid_suffix


@dataclass(frozen=True)
class Catalog:
    """Every guardrail, sorted by id, and the two special policies."""

    guardrails: tuple[Guardrail, ...]
    special: Mapping[str, Guardrail]

    def ids(self) -> tuple[str, ...]:
        return tuple(guardrail.id for guardrail in self.guardrails)

    def get(self, guardrail_id: str) -> Guardrail:
        for guardrail in self.guardrails:
            if guardrail.id == guardrail_id:
                return guardrail
        raise KeyError(guardrail_id)

    def default_ids(self) -> tuple[str, ...]:
        return tuple(guardrail.id for guardrail in self.guardrails if guardrail.spec.default_enabled)


def pascal_case(identifier: str) -> str:
    """Turn ``deny-root-user`` into ``DenyRootUser`` (Sids allow only letters and digits)."""
    return "".join(part[:1].upper() + part[1:] for part in identifier.split("-"))


def load_catalog(directory: Path | None = None) -> Catalog:
    """Load every ``*.yaml`` in ``directory`` and in its ``special`` folder.

    Raises ``ValidationError`` listing every problem of every file.
    """
    directory = directory or CATALOG_DIR
    problems: list[Problem] = []
    guardrails = _load_folder(directory, problems)
    special = _load_folder(directory / SPECIAL_DIR_NAME, problems)
    if not guardrails and not problems:
        problems.append(Problem(str(directory), None, "", None, "no guardrail files (*.yaml) found",
                                "check the catalog directory"))
    for guardrail in guardrails:
        if guardrail.spec.tier == "special":
            problems.append(Problem(guardrail.path, 1, "tier", "special",
                                    "tier 'special' is only for files in special/", "use baseline, cost, ai or strict"))
    for guardrail in special:
        if guardrail.id not in SPECIAL_IDS:
            problems.append(Problem(guardrail.path, 1, "id", guardrail.id,
                                    f"unknown special policy; expected one of {', '.join(SPECIAL_IDS)}"))
    missing = sorted(set(SPECIAL_IDS) - {guardrail.id for guardrail in special})
    if missing and not problems:
        problems.append(Problem(str(directory / SPECIAL_DIR_NAME), None, "", None,
                                f"missing special policy file(s): {', '.join(missing)}"))
    if problems:
        raise ValidationError(problems, subject=f"guardrail catalog {directory}")
    return Catalog(
        guardrails=tuple(sorted(guardrails, key=lambda guardrail: guardrail.id)),
        special={guardrail.id: guardrail for guardrail in special},
    )


def _load_folder(directory: Path, problems: list[Problem]) -> list[Guardrail]:
    loaded: list[Guardrail] = []
    seen: dict[str, str] = {}
    sids: dict[str, str] = {}
    # Sorted so that problems and results do not depend on directory order.
    for path in sorted(directory.glob("*.yaml")):
        try:
            data, source = load_yaml_file(path)
        except ValidationError as error:
            problems.extend(error.problems)
            continue
        guardrail = _validate_file(data, source, str(path), problems)
        if guardrail is None:
            continue
        if guardrail.id in seen:
            problems.append(Problem(str(path), source.line_of(("id",)), "id", guardrail.id,
                                    f"guardrail id is already used by {seen[guardrail.id]}"))
            continue
        seen[guardrail.id] = str(path)
        for index, statement in enumerate(guardrail.spec.statements):
            sid = guardrail.sid(statement)
            if sid in sids:
                problems.append(Problem(str(path), source.line_of(("statements", index)), f"statements[{index}]",
                                        sid, f"Sid is already used by {sids[sid]}",
                                        "give the statement a distinct sid_suffix"))
            sids[sid] = str(path)
        loaded.append(guardrail)
    return loaded


def _validate_file(data: Any, source: SourceMap, path: str, problems: list[Problem]) -> Guardrail | None:
    if not isinstance(data, dict):
        problems.append(Problem(path, 1, "", None, "expected a mapping with id, description, reason and statements"))
        return None
    try:
        spec = GuardrailSpec.model_validate(data)
    except PydanticValidationError as error:
        problems.extend(_structure_problems(error, source, path))
        return None
    count = len(problems)
    stem = Path(path).stem
    if spec.id != stem:
        problems.append(Problem(path, source.line_of(("id",)), "id", spec.id,
                                f"id must match the file name '{stem}'", f"rename the file to {spec.id}.yaml"))
    for index, statement in enumerate(spec.statements):
        for message in statement.check_elements():
            problems.append(Problem(path, source.line_of(("statements", index)), f"statements[{index}]", None, message))
    if len(spec.statements) > 1 and len({s.sid_suffix for s in spec.statements}) != len(spec.statements):
        problems.append(Problem(path, source.line_of(("statements",)), "statements", None,
                                "statements of one guardrail need distinct sid_suffix values"))
    for name in spec.settings:
        if not re.fullmatch(r"[a-z][A-Za-z0-9]*", name):
            problems.append(Problem(path, source.line_of(("settings", name)), f"settings.{name}", name,
                                    "setting names are camelCase letters and digits"))
    if len(problems) > count:
        return None
    return Guardrail(spec=spec, path=path)


def _structure_problems(error: PydanticValidationError, source: SourceMap, path: str) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        # Union members add their type name to the location; drop those parts.
        loc = tuple(part for part in loc if not _is_union_member(part))
        message = item["msg"]
        value = item.get("input")
        if item["type"] == "extra_forbidden":
            message = f"unknown key '{loc[-1]}'"
            value = None
        elif item["type"] == "missing":
            value = None
        if isinstance(value, (dict, list)):
            value = None
        problems.append(Problem(path, source.line_of(loc), format_path(loc), value, message))
    return problems


def _is_union_member(part: object) -> bool:
    return isinstance(part, str) and ("[" in part or part in ("str", "int", "float", "bool"))

"""Roster v1: the YAML file of teams and learners, validated in two passes.

Pass one checks structure and types with pydantic (unknown keys, wrong types,
impossible dates). Pass two checks rules that span entries (unique ids and
account emails, filled-in templates, AWS CreateAccount limits, notification
subscriber limits). Every problem from both passes is reported at once with
its file, line, value and fix, and nothing is returned unless all pass.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from vending.errors import Problem, ValidationError
from vending.input_errors import describe, last_key, yaml_kind
from vending.settings import EMAIL_PATTERN, StackSettings
from vending.yamlsource import SourceMap, format_path, load_yaml_file, load_yaml_text

if TYPE_CHECKING:
    from vending.guardrails.catalog import Catalog

ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"
Status = Literal["active", "suspended", "closed"]
# CreateAccount: AccountName is 1-50 characters of printable ASCII, Email 6-64 characters.
ACCOUNT_NAME_PATTERN = re.compile(r"^[\x20-\x7e]{1,50}$")
EMAIL_MIN, EMAIL_MAX = 6, 64
# AWS Budgets: each notification takes at most 10 email subscribers (plus one SNS topic).
MAX_EMAIL_SUBSCRIBERS = 10
TEMPLATE_FIELDS = frozenset({"learner", "team"})


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Overrides(_Entry):
    """Keys that ``defaults`` sets and each team and learner may override."""

    budget_usd: float | None = Field(
        default=None, gt=0, le=1_000_000, allow_inf_nan=False, description="Monthly budget in US dollars."
    )
    account_email: str | None = Field(
        default=None,
        description="Root email of the learner's account; {learner} and {team} are replaced by their ids.",
    )
    expires: date | None = Field(default=None, description="Last day of access (ISO date).")

    @field_validator("budget_usd", mode="before")
    @classmethod
    def _budget_not_flag(cls, value: Any) -> Any:
        # pydantic reads true as 1.0, so "budget_usd: yes" would pass as a one-dollar budget.
        if isinstance(value, bool):
            raise PydanticCustomError(
                "budget_flag", "must be a number, not true/false", {"fix": "write a number such as 50"}
            )
        return value


class LearnerEntry(Overrides):
    """One learner: the stable ``id`` names every resource of their sandbox."""

    id: str = Field(pattern=ID_PATTERN, description="Unique in the roster; lowercase letters, digits and hyphens.")
    name: str = Field(min_length=1, max_length=128)
    email: str = Field(description="Contact address, and the Identity Center user name unless 'user' is set.")
    user: str | None = Field(default=None, min_length=1, max_length=128, description="Identity Center user name.")
    status: Status = "active"
    account_name: str | None = Field(default=None, description="Account name; defaults to <prefix>-<learner id>.")
    previous_ids: list[str] = Field(
        default_factory=list,
        description="Former ids, oldest first, so a rename is not a replace; the oldest still names the account email.",
    )


class GuardrailTiers(_Entry):
    """Guardrail ids a team adds to, or relaxes from, the stack's selection."""

    add: list[str] = Field(default_factory=list)
    relax: list[str] = Field(default_factory=list)


class TeamEntry(Overrides):
    """One team: its id names the team's organizational unit."""

    id: str = Field(pattern=ID_PATTERN, description="Unique in the roster; lowercase letters, digits and hyphens.")
    name: str = Field(min_length=1, max_length=128)
    instructors: list[str] = Field(
        default_factory=list, description="Identity Center user names with read-only access."
    )
    instructor_group: str | None = Field(default=None, description="Identity Center group given read-only access.")
    shared_account: bool = Field(
        default=False, description="One account for the whole team instead of one per learner."
    )
    guardrails: GuardrailTiers = Field(default_factory=GuardrailTiers)
    previous_ids: list[str] = Field(default_factory=list)
    learners: list[LearnerEntry] = Field(default_factory=list)


class RosterFile(_Entry):
    """The roster file as written (version 1)."""

    version: Literal[1]
    defaults: Overrides = Field(default_factory=Overrides)
    teams: list[TeamEntry] = Field(min_length=1)


@dataclass(frozen=True)
class Team:
    """A team with inherited values filled in."""

    id: str
    name: str
    budget_usd: float
    expires: date | None
    instructors: tuple[str, ...]
    instructor_group: str | None
    shared_account: bool
    guardrails_add: tuple[str, ...]
    guardrails_relax: tuple[str, ...]
    previous_ids: tuple[str, ...]
    line: int | None


@dataclass(frozen=True)
class Learner:
    """A learner with every inherited and derived value resolved."""

    id: str
    name: str
    email: str
    user_name: str
    team_id: str
    status: Status
    account_email: str
    account_name: str
    budget_usd: float
    expires: date | None
    previous_ids: tuple[str, ...]
    line: int | None

    @property
    def origin_id(self) -> str:
        """Return the id the sandbox was created with: the oldest of ``previous_ids``, else ``id``.

        Names AWS cannot change in place (the account email, the budget and alarm
        names) are derived from it, so renaming a learner never replaces them.
        """
        return self.previous_ids[0] if self.previous_ids else self.id

    def effective_status(self, today: date) -> Status:
        """Return the status after expiry: an active learner past ``expires`` counts as suspended."""
        if self.status == "active" and self.expires is not None and today > self.expires:
            return "suspended"
        return self.status

    def status_reason(self, today: date) -> str:
        if self.status == "active" and self.effective_status(today) == "suspended":
            return f"expired on {self.expires.isoformat() if self.expires else ''}"
        return f"status: {self.status}"


@dataclass(frozen=True)
class Roster:
    """A validated roster; learners keep the order of the file.

    Lookups by id go through dictionaries built once, so the program and the
    plan stay linear in the number of learners.
    """

    path: str
    teams: tuple[Team, ...]
    learners: tuple[Learner, ...]
    _teams_by_id: dict[str, Team] = field(init=False, repr=False, compare=False)
    _learners_by_id: dict[str, Learner] = field(init=False, repr=False, compare=False)
    _learners_by_team: dict[str, tuple[Learner, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_team: dict[str, list[Learner]] = {team.id: [] for team in self.teams}
        for learner in self.learners:
            by_team.setdefault(learner.team_id, []).append(learner)
        object.__setattr__(self, "_teams_by_id", {team.id: team for team in self.teams})
        object.__setattr__(self, "_learners_by_id", {learner.id: learner for learner in self.learners})
        object.__setattr__(self, "_learners_by_team", {key: tuple(value) for key, value in by_team.items()})

    def team(self, team_id: str) -> Team:
        return self._teams_by_id[team_id]

    def learners_of(self, team_id: str) -> Iterator[Learner]:
        return iter(self._learners_by_team.get(team_id, ()))

    def learner(self, learner_id: str) -> Learner:
        return self._learners_by_id[learner_id]


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of roster v1 that editors use for completion."""
    schema = RosterFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "sandbox-vending roster, version 1"
    return schema


def load_roster(path: Path | str, settings: StackSettings, display_name: str | None = None) -> Roster:
    """Load and validate a roster file; raise ``ValidationError`` listing every problem."""
    path = Path(path)
    name = display_name or str(path)
    data, source = load_yaml_file(path, name)
    return validate_roster_data(data, source, settings)


def parse_roster_text(text: str, name: str, settings: StackSettings) -> Roster:
    """Validate roster YAML given as text, for rosters read from git or tests."""
    data, source = load_yaml_text(text, name)
    return validate_roster_data(data, source, settings)


def validate_roster_data(
    data: Any, source: SourceMap, settings: StackSettings, catalog: Catalog | None = None
) -> Roster:
    """Check roster data in two passes and return the roster.

    ``catalog`` resolves team guardrail ids; without one, the repository's catalog is loaded when a team uses them.
    """
    if data is None:
        raise ValidationError(
            [
                Problem(
                    source.file, 1, "", None, "the roster is empty", "start from config/roster.yaml in the repository"
                )
            ],
            subject=source.file,
        )
    try:
        parsed = RosterFile.model_validate(data)
    except PydanticValidationError as error:
        raise ValidationError(_structure_problems(error, source), subject=source.file) from None
    if catalog is None and any(team.guardrails.add or team.guardrails.relax for team in parsed.teams):
        # Imported here because the guardrail compiler imports this module for Team.
        from vending.guardrails.catalog import load_catalog

        catalog = load_catalog()
    return _check_rules(parsed, source, settings, catalog)


def _structure_problems(error: PydanticValidationError, source: SourceMap) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        kind = item["type"]
        value = item.get("input")
        message, fix = describe(item)
        if kind == "extra_forbidden":
            fix = _suggest_key(str(loc[-1]), loc[:-1])
            value = None
        elif kind == "missing":
            value = None
        elif kind == "string_pattern_mismatch":
            message = (
                "must be lowercase letters, digits and hyphens, start and end with a letter or digit, 1-40 characters"
            )
            fix = "rename it, and list the old id in previous_ids if resources already exist"
        elif kind == "literal_error" and loc == ("version",):
            message = "unsupported roster version: only version 1 exists"
            fix = "write version: 1"
        elif kind in ("model_type", "dict_type") and last_key(loc) in _ENTRY_SHAPES:
            message, fix = _ENTRY_SHAPES[last_key(loc)]
            message = f"{message}, not {yaml_kind(value)}"
        elif kind == "list_type" and loc and loc[-1] in _LIST_SHAPES:
            message, fix = _LIST_SHAPES[str(loc[-1])]
            message = f"{message}, not {yaml_kind(value)}"
        if isinstance(value, (dict, list)):
            value = None
        problems.append(Problem(source.file, source.line_of(loc), format_path(loc), value, message, fix))
    return problems


# The kind of entry each roster mapping contains, named when a value of the wrong kind is found there.
_ENTRY_SHAPES: dict[str, tuple[str, str]] = {
    "": (
        "the roster must be a mapping with version, defaults and teams",
        "start the file with 'version: 1', then 'defaults:' and 'teams:' as in config/roster.yaml",
    ),
    "defaults": (
        "defaults must be a mapping of keys such as budget_usd and account_email",
        "indent 'key: value' lines under defaults",
    ),
    "teams": (
        "each team must be a mapping with id, name and learners",
        "start each team with '- id: ...' and indent its other keys below it",
    ),
    "learners": (
        "each learner must be a mapping with id, name and email",
        "write each learner as '- id: ...' with name and email indented below it",
    ),
    "guardrails": (
        "guardrails must be a mapping with 'add' and 'relax' lists",
        "write guardrails: {add: [GUARDRAIL-ID], relax: [GUARDRAIL-ID]}",
    ),
}
_LIST_SHAPES: dict[str, tuple[str, str]] = {
    "teams": ("teams must be a list of teams", "write each team as an item starting with '- id: ...' under teams"),
    "learners": (
        "learners must be a list of learners",
        "write each learner as an item starting with '- id: ...' under learners",
    ),
}


_ENTRY_MODELS: dict[str, type[BaseModel]] = {
    "defaults": Overrides,
    "teams": TeamEntry,
    "learners": LearnerEntry,
    "guardrails": GuardrailTiers,
}


def _known_keys(parent: tuple[Any, ...]) -> set[str]:
    model: type[BaseModel] = RosterFile
    for part in parent:
        if isinstance(part, str):
            model = _ENTRY_MODELS.get(part, model)
    return set(model.model_fields)


def _suggest_key(key: str, parent: tuple[Any, ...]) -> str:
    known = sorted(_known_keys(parent))
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"valid keys here: {', '.join(known)}"


def _fill_template(template: str, learner_id: str, team_id: str) -> str:
    return template.replace("{learner}", learner_id).replace("{team}", team_id)


def _check_rules(roster: RosterFile, source: SourceMap, settings: StackSettings, catalog: Catalog | None) -> Roster:
    problems: list[Problem] = []
    file = source.file

    def report(loc: tuple[Any, ...], value: object, message: str, fix: str = "") -> None:
        problems.append(Problem(file, source.line_of(loc), format_path(loc), value, message, fix))

    for key, template in (("defaults", roster.defaults.account_email),):
        if template is not None:
            _check_template(template, (key, "account_email"), report)

    team_ids: dict[str, tuple[Any, ...]] = {}
    learner_ids: dict[str, tuple[Any, ...]] = {}
    account_emails: dict[str, tuple[Any, ...]] = {}
    account_names: dict[str, tuple[Any, ...]] = {}
    teams: list[Team] = []
    learners: list[Learner] = []
    people = _People(source)
    ops_count = len(set(email.lower() for email in settings.ops_emails))

    for t_index, entry in enumerate(roster.teams):
        t_loc: tuple[Any, ...] = ("teams", t_index)
        _check_unique_ids("team", entry.id, entry.previous_ids, t_loc, team_ids, source, report)
        if entry.account_email is not None:
            _check_template(entry.account_email, (*t_loc, "account_email"), report)
        _check_previous_ids(entry.previous_ids, t_loc, report)
        _check_team_guardrails(entry, t_loc, catalog, report)
        budget = entry.budget_usd or roster.defaults.budget_usd
        if budget is None:
            report(t_loc, entry.id, "no budget_usd for this team", "set budget_usd in defaults or on the team")
            budget = 0.0
        team_expires = entry.expires or roster.defaults.expires
        if settings.teams is not None and entry.id not in settings.teams:
            continue
        team = Team(
            id=entry.id,
            name=entry.name,
            budget_usd=budget,
            expires=team_expires,
            instructors=tuple(entry.instructors),
            instructor_group=entry.instructor_group,
            shared_account=entry.shared_account,
            guardrails_add=tuple(entry.guardrails.add),
            guardrails_relax=tuple(entry.guardrails.relax),
            previous_ids=tuple(entry.previous_ids),
            line=source.line_of(t_loc),
        )
        teams.append(team)
        if (
            entry.shared_account
            and entry.learners
            and any(member.account_email or member.account_name for member in entry.learners)
        ):
            report(
                (*t_loc, "shared_account"),
                True,
                "learners of a shared-account team cannot set account_email or account_name",
                "set account_email on the team instead",
            )
        subscribers = ops_count + len(entry.instructors)
        for l_index, learner_entry in enumerate(entry.learners):
            l_loc: tuple[Any, ...] = (*t_loc, "learners", l_index)
            learner = _resolve_learner(roster, entry, team, learner_entry, settings, l_loc, report, source)
            duplicate_id = _check_unique_ids(
                "learner", learner.id, learner.previous_ids, l_loc, learner_ids, source, report
            )
            # A repeated id also repeats the derived email and name; report the id only.
            if not duplicate_id:
                people.check(learner_entry, l_loc, t_index, entry.shared_account, report)
            if not entry.shared_account and not duplicate_id:
                email_loc = (*l_loc, "account_email") if learner_entry.account_email else (*l_loc, "id")
                lowered = learner.account_email.lower()
                if lowered in account_emails:
                    report(
                        email_loc,
                        learner.account_email,
                        f"account email is already used at line {source.line_of(account_emails[lowered])} "
                        "(AWS compares them case-insensitively)",
                        "give each learner a distinct account_email, or check the template",
                    )
                else:
                    account_emails[lowered] = email_loc
                if learner.account_name in account_names:
                    report(
                        (*l_loc, "account_name") if learner_entry.account_name else (*l_loc, "id"),
                        learner.account_name,
                        f"account name is already used at line {source.line_of(account_names[learner.account_name])}",
                        "set a distinct account_name",
                    )
                else:
                    account_names[learner.account_name] = l_loc
            if subscribers + 1 > MAX_EMAIL_SUBSCRIBERS:
                report(
                    (*l_loc, "email"),
                    learner.email,
                    f"budget notifications would have {subscribers + 1} email subscribers "
                    f"(learner, {len(entry.instructors)} instructors, {ops_count} ops emails); "
                    f"AWS Budgets allows {MAX_EMAIL_SUBSCRIBERS}",
                    "use an instructor mailing list or fewer opsEmails",
                )
            learners.append(learner)

    if not problems:
        _check_team_accounts(roster, teams, settings, source, account_emails, account_names, report)
    if problems:
        raise ValidationError(problems, subject=file)
    return Roster(path=file, teams=tuple(teams), learners=tuple(learners))


def _check_unique_ids(
    kind: str,
    current: str,
    previous: list[str] | tuple[str, ...],
    loc: tuple[Any, ...],
    seen: dict[str, tuple[Any, ...]],
    source: SourceMap,
    report: Any,
) -> bool:
    """Report an id or previous id that another entry already uses; return whether any did."""
    clashed = False
    places = [((*loc, "id"), current)] + [((*loc, "previous_ids", i), old) for i, old in enumerate(previous)]
    for place, value in places:
        if value not in seen:
            seen[value] = place
            continue
        clashed = True
        label = f"{kind} id" if place[-1] == "id" else f"previous id of this {kind}"
        report(
            place,
            value,
            f"{label} is already used at line {source.line_of(seen[value])}",
            f"{kind} ids and previous ids must be unique across the roster, so remove the one that is not "
            f"this {kind}'s",
        )
    return clashed


def _check_previous_ids(previous: list[str], loc: tuple[Any, ...], report: Any) -> None:
    for index, value in enumerate(previous):
        if not re.match(ID_PATTERN, value):
            report(
                (*loc, "previous_ids", index),
                value,
                "not a valid id",
                "write the old id exactly as it was: lowercase letters, digits and hyphens",
            )


def _check_team_guardrails(entry: TeamEntry, loc: tuple[Any, ...], catalog: Catalog | None, report: Any) -> None:
    """Report team guardrail ids the catalog lacks, non-relaxable relaxes, and ids both added and relaxed."""
    if catalog is None:
        return
    known = catalog.ids()
    relaxable = [guardrail_id for guardrail_id in known if catalog.get(guardrail_id).spec.relaxable]
    for field_name, ids in (("add", entry.guardrails.add), ("relax", entry.guardrails.relax)):
        for index, guardrail_id in enumerate(ids):
            place = (*loc, "guardrails", field_name, index)
            if guardrail_id not in known:
                close = difflib.get_close_matches(guardrail_id, known, n=1, cutoff=0.6)
                fix = f"did you mean '{close[0]}'?" if close else f"valid ids: {', '.join(known)}"
                report(place, guardrail_id, "unknown guardrail id", fix)
            elif field_name == "relax" and guardrail_id not in relaxable:
                report(
                    place,
                    guardrail_id,
                    "this guardrail protects the platform and cannot be relaxed",
                    f"remove it from relax (relaxable guardrails: {', '.join(relaxable)})",
                )
            elif field_name == "relax" and guardrail_id in entry.guardrails.add:
                report(place, guardrail_id, "guardrail is both added and relaxed", "keep it in one of the two lists")


@dataclass
class _People:
    """Contact emails and Identity Center user names seen so far, compared case-insensitively.

    Two learners with one user name would be one Identity Center user with
    admin rights on both accounts. Members of one shared-account team reach
    the same account anyway, so among them only an exact repeat is reported.
    """

    source: SourceMap
    # lowercased value -> (learner location, team index, value as written)
    emails: dict[str, list[tuple[tuple[Any, ...], int, str]]] = field(default_factory=dict)
    users: dict[str, list[tuple[tuple[Any, ...], int, str]]] = field(default_factory=dict)
    # learner location -> learner id, for messages about clashes
    ids: dict[tuple[Any, ...], str] = field(default_factory=dict)

    def check(self, entry: LearnerEntry, loc: tuple[Any, ...], team: int, shared: bool, report: Any) -> None:
        self.ids[loc] = entry.id
        email_clash = self._clash(self.emails, entry.email, loc, team, shared)
        if email_clash is not None:
            report(
                (*loc, "email"),
                entry.email,
                f"email is already used by learner '{self.learner_id(email_clash)}' at line "
                f"{self.source.line_of(email_clash)} "
                "(compared case-insensitively)",
                "give each learner their own address, because it is also their Identity Center user name "
                "unless 'user' is set",
            )
        user_name = entry.user or entry.email
        user_clash = self._clash(self.users, user_name, loc, team, shared)
        # Without 'user' the user name is the email, whose clash is already reported.
        if user_clash is not None and (entry.user is not None or email_clash is None):
            report(
                (*loc, "user") if entry.user else (*loc, "email"),
                user_name,
                f"Identity Center user name is already used by learner '{self.learner_id(user_clash)}' at line "
                f"{self.source.line_of(user_clash)} (compared case-insensitively), so one person would be "
                "admin on both accounts",
                "give each learner their own 'user', or list the person once",
            )

    def learner_id(self, loc: tuple[Any, ...]) -> str:
        """Return the id written at the learner entry ``loc``, for naming the other side of a clash."""
        return self.ids.get(loc, "?")

    @staticmethod
    def _clash(
        seen: dict[str, list[tuple[tuple[Any, ...], int, str]]],
        value: str,
        loc: tuple[Any, ...],
        team: int,
        shared: bool,
    ) -> tuple[Any, ...] | None:
        entries = seen.setdefault(value.lower(), [])
        found = next(
            (
                other_loc
                for other_loc, other_team, other_value in entries
                if not (shared and other_team == team and other_value != value)
            ),
            None,
        )
        entries.append((loc, team, value))
        return found


def _check_team_accounts(
    roster: RosterFile,
    teams: list[Team],
    settings: StackSettings,
    source: SourceMap,
    account_emails: dict[str, tuple[Any, ...]],
    account_names: dict[str, tuple[Any, ...]],
    report: Any,
) -> None:
    """Check the shared account of every team with ``shared_account: true``."""
    for t_index, entry in enumerate(roster.teams):
        if not entry.shared_account or all(team.id != entry.id for team in teams):
            continue
        loc = ("teams", t_index)
        email = team_account_email(roster, entry)
        template_loc = (*loc, "account_email") if entry.account_email else ("defaults", "account_email")
        _check_email(
            email,
            (*loc, "account_email"),
            report,
            f"shared account email '{email}' (from the account_email template at line "
            f"{source.line_of(template_loc)})",
            quoted=True,
        )
        if email.lower() in account_emails:
            report(
                (*loc, "account_email"),
                email,
                f"account email is already used at line {source.line_of(account_emails[email.lower()])}",
                "give the team its own account_email",
            )
        account_emails[email.lower()] = loc
        ops_count = len({email.lower() for email in settings.ops_emails})
        members = len({learner.email.lower() for learner in entry.learners})
        subscribers = ops_count + len(entry.instructors) + members
        if subscribers > MAX_EMAIL_SUBSCRIBERS:
            report(
                (*loc, "shared_account"),
                True,
                f"the shared account's budget notifications would have {subscribers} email subscribers "
                f"({members} members, {len(entry.instructors)} instructors, {ops_count} ops emails); "
                f"AWS Budgets allows {MAX_EMAIL_SUBSCRIBERS}",
                "split the team, or use an instructor mailing list or fewer opsEmails",
            )
        name = f"{settings.prefix}-{entry.id}"
        if not ACCOUNT_NAME_PATTERN.match(name):
            report(
                (*loc, "id"),
                name,
                "account name must be 1-50 printable ASCII characters",
                "shorten the team id or the stack prefix",
            )
        if name in account_names:
            report((*loc, "id"), name, "account name is already used by a learner", "rename the team or the learner")


def team_account_email(roster: RosterFile, entry: TeamEntry) -> str:
    template = entry.account_email or roster.defaults.account_email or ""
    return _fill_template(template, entry.id, entry.id)


def _check_template(template: str, loc: tuple[Any, ...], report: Any) -> None:
    fields = set(re.findall(r"\{([^{}]*)\}", template))
    unknown = fields - TEMPLATE_FIELDS
    if unknown:
        report(
            loc,
            template,
            f"unknown placeholder(s) {', '.join(sorted('{' + f + '}' for f in unknown))}",
            "use only {learner} and {team}",
        )


def _check_email(email: str, loc: tuple[Any, ...], report: Any, label: str = "email", quoted: bool = False) -> bool:
    """Report an address outside the CreateAccount limits; ``quoted`` labels already show the address."""
    value = None if quoted else email
    if not (EMAIL_MIN <= len(email) <= EMAIL_MAX):
        report(
            loc,
            value,
            f"{label} is {len(email)} characters; AWS accepts {EMAIL_MIN} to {EMAIL_MAX}",
            "shorten the address or the template",
        )
        return False
    if not EMAIL_PATTERN.match(email) or email.count("@") != 1:
        report(
            loc,
            value,
            f"{label} is not a valid email address (one '@' and a dotted domain, no spaces)",
            "write it as name@example.com",
        )
        return False
    return True


def _resolve_learner(
    roster: RosterFile,
    team_entry: TeamEntry,
    team: Team,
    entry: LearnerEntry,
    settings: StackSettings,
    loc: tuple[Any, ...],
    report: Any,
    source: SourceMap,
) -> Learner:
    _check_email(entry.email, (*loc, "email"), report)
    if entry.account_email is not None:
        _check_template(entry.account_email, (*loc, "account_email"), report)
    if team_entry.shared_account:
        account_email = team_account_email(roster, team_entry)
        account_name = f"{settings.prefix}-{team.id}"
    else:
        template = entry.account_email or team_entry.account_email or roster.defaults.account_email
        if template is None:
            report(
                (*loc, "id"),
                entry.id,
                "no account_email for this learner",
                "set account_email in defaults, on the team or on the learner",
            )
            template = ""
        # A renamed learner keeps the email the account was created with: AWS
        # cannot change it in place, so a new one would replace the account.
        origin = entry.previous_ids[0] if entry.previous_ids else entry.id
        account_email = _fill_template(template, origin, team.id)
        if entry.account_email:
            _check_email(account_email, (*loc, "account_email"), report, "account email")
        elif template:
            # Reported once per learner, at the learner, because each fills the template differently.
            template_loc = (*loc[:2], "account_email") if team_entry.account_email else ("defaults", "account_email")
            _check_email(
                account_email,
                (*loc, "id"),
                report,
                f"account email '{account_email}' (from the account_email template at line "
                f"{source.line_of(template_loc)})",
                quoted=True,
            )
        account_name = entry.account_name or f"{settings.prefix}-{entry.id}"
        if not ACCOUNT_NAME_PATTERN.match(account_name):
            report(
                (*loc, "account_name") if entry.account_name else (*loc, "id"),
                account_name,
                f"account name is {len(account_name)} characters or not printable ASCII; AWS accepts 1 to 50",
                "shorten the learner id or set account_name",
            )
    _check_previous_ids(entry.previous_ids, loc, report)
    return Learner(
        id=entry.id,
        name=entry.name,
        email=entry.email,
        user_name=entry.user or entry.email,
        team_id=team.id,
        status=entry.status,
        account_email=account_email,
        account_name=account_name,
        budget_usd=entry.budget_usd or team.budget_usd,
        expires=entry.expires or team.expires,
        previous_ids=tuple(entry.previous_ids),
        line=source.line_of(loc),
    )

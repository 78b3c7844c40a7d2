"""Compare two offline plans resource by resource, the way ``pulumi preview --diff`` would.

Resources are matched by URN, following aliases: a registration's own
``aliases`` and, as the Pulumi engine does for children, the parent's aliases
with the parent's name swapped in the child's name prefix. Inputs that
reference another resource are compared by that resource's URN, because the
mock engine derives fake ids from resource names. A resource whose
replace-forcing input changes is replaced, and a replacement changes the id
every dependent input refers to, so replacements cascade.

``vending.diff_summary`` turns the result into the learner-level summary and
``vending.diff_render`` prints it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from vending import names
from vending.mockrun import Registration
from vending.plan import (
    ACTION_TYPE,
    ALARM_TYPE,
    ASSIGNMENT_TYPE,
    ATTACHMENT_TYPE,
    BUDGET_TYPE,
    OU_TYPE,
    POLICY_TYPE,
    Plan,
)

Operation = Literal["create", "update", "replace", "delete", "same"]

# New value shown for an input that refers to a resource being replaced.
NEW_ID_AFTER_REPLACE = "(new id after replace)"
REF_PREFIX = "ref:"

# Inputs whose change makes the provider replace the resource instead of updating it.
# Source, unless the comment above an entry names another: ForceNew in the Terraform AWS provider schema
# that pulumi-aws wraps (github.com/hashicorp/terraform-provider-aws, internal/service/...).
REPLACE_KEYS: dict[str, frozenset[str]] = {
    # organizations/account.go: email, role_name and iam_user_access_to_billing are ForceNew; create_govcloud
    # is not (it is only read at create time), and parent_id updates with MoveAccount. The account name
    # updates in place with account:PutAccountName since terraform-provider-aws pull request 42350 (2025),
    # and a rename previews as an update in pulumi-aws 7 (github.com/pulumi/pulumi-aws/issues/6242).
    names.ACCOUNT_TYPE: frozenset({"email", "roleName", "iamUserAccessToBilling"}),
    # organizations/organizational_unit.go: parent_id is ForceNew; name updates in place.
    OU_TYPE: frozenset({"parentId"}),
    # organizations/policy.go: type is ForceNew; name, description and content update in place.
    POLICY_TYPE: frozenset({"type"}),
    # organizations/policy_attachment.go: both fields are ForceNew (there is no update).
    ATTACHMENT_TYPE: frozenset({"policyId", "targetId"}),
    # ssoadmin/account_assignment.go: every field is ForceNew.
    ASSIGNMENT_TYPE: frozenset(
        {"instanceArn", "permissionSetArn", "principalId", "principalType", "targetId", "targetType"}
    ),
    # ssoadmin/permission_set.go: name and instance_arn are ForceNew.
    "aws:ssoadmin/permissionSet:PermissionSet": frozenset({"name", "instanceArn"}),
    # NOTE: the next six entries follow the provider's documented behaviour and were not
    # re-read in its source. Managed policy attachments have no update. SNS topics and IAM
    # roles are keyed by name, topic policies and role policies by their parent.
    "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment": frozenset(
        {"instanceArn", "managedPolicyArn", "permissionSetArn"}
    ),
    "aws:sns/topic:Topic": frozenset({"name", "namePrefix", "fifoTopic", "region"}),
    "aws:sns/topicPolicy:TopicPolicy": frozenset({"arn", "region"}),
    # sns/topic_subscription.go: endpoint, protocol and topic_arn (Pulumi input "topic") are ForceNew.
    "aws:sns/topicSubscription:TopicSubscription": frozenset({"endpoint", "protocol", "topic", "region"}),
    "aws:iam/role:Role": frozenset({"name", "namePrefix", "path"}),
    "aws:iam/rolePolicy:RolePolicy": frozenset({"name", "namePrefix", "role"}),
    # budgets/budget.go: name, name_prefix and account_id are ForceNew.
    BUDGET_TYPE: frozenset({"name", "namePrefix", "accountId"}),
    # budgets/budget_action.go: account_id, action_type and budget_name are ForceNew.
    ACTION_TYPE: frozenset({"accountId", "actionType", "budgetName"}),
    # cloudwatch/metric_alarm.go: alarm_name (Pulumi input "name") is ForceNew.
    ALARM_TYPE: frozenset({"name", "region"}),
}

_JSON_OR_ARN = re.compile(r"arn:|[{\[]")


@dataclass(frozen=True)
class InputChange:
    """One changed input value; ``path`` uses dots for keys and ``[i]`` for list items."""

    path: str
    old: Any
    new: Any
    replaces: bool

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "old": self.old, "new": self.new, "replaces": self.replaces}


@dataclass
class ResourceChange:
    """The operation ``pulumi up`` would apply to one resource, with the inputs that change."""

    op: Operation
    type: str
    name: str
    urn: str
    old_urn: str | None = None
    old_name: str | None = None
    changes: list[InputChange] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    protect: tuple[bool, bool] | None = None
    # The deployed (base) resource is protected, so pulumi preview fails if it is deleted or replaced.
    protected: bool = False
    # Reasons ``pulumi up`` cannot apply this change as is; each one makes ``sandboxctl diff`` exit 1.
    errors: list[str] = field(default_factory=list)
    # Notes a reviewer must read that do not stop the change.
    warnings: list[str] = field(default_factory=list)

    @property
    def renamed(self) -> bool:
        return self.old_urn is not None and self.old_urn != self.urn

    def as_json(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "type": self.type,
            "name": self.name,
            "urn": self.urn,
            "old_urn": self.old_urn,
            "old_name": self.old_name,
            "changes": [change.as_json() for change in self.changes],
            "ignored_changes": self.ignored,
            "protect": list(self.protect) if self.protect else None,
            "protected": self.protected,
            "errors": self.errors,
            "warnings": self.warnings,
        }


@dataclass
class ResourceDiff:
    """Every resource of both plans with the operation that would apply to it."""

    changes: list[ResourceChange]

    def of_op(self, *ops: Operation) -> list[ResourceChange]:
        return [change for change in self.changes if change.op in ops]

    def counts(self) -> dict[str, int]:
        counts = {op: 0 for op in ("create", "update", "replace", "delete", "same")}
        for change in self.changes:
            counts[change.op] += 1
        return counts

    @property
    def account_replacements(self) -> list[ResourceChange]:
        return [change for change in self.of_op("replace") if change.type == names.ACCOUNT_TYPE]

    @property
    def account_closures(self) -> list[ResourceChange]:
        """Accounts whose AWS account this change closes: unprotected Account deletes and Account replacements.

        A protected Account delete closes nothing, because ``pulumi preview`` fails on it.
        """
        deletes = [
            change
            for change in self.of_op("delete")
            if change.type == names.ACCOUNT_TYPE and not change.protected
        ]
        return sorted([*deletes, *self.account_replacements], key=lambda change: change.urn)


def diff_plans(base: Plan, head: Plan) -> ResourceDiff:
    """Compare ``head`` with ``base`` (the deployed state) and return one change per resource."""
    base_by_urn = {item.urn: item for item in base.run.registrations}
    matches = match_resources(base.run.registrations, head.run.registrations)
    base_refs = References.of(base.run.registrations, {})
    head_refs = References.of(head.run.registrations, matches)

    pairs: list[tuple[Registration, Registration | None]] = []
    for item in head.run.registrations:
        old_urn = matches.get(item.urn)
        pairs.append((item, base_by_urn[old_urn] if old_urn else None))

    replaced: set[str] = set()
    while True:
        changes = [_compare(new, old, base_refs, head_refs, replaced) for new, old in pairs]
        now_replaced = {change.old_urn or change.urn for change in changes if change.op == "replace"}
        if now_replaced <= replaced:
            break
        replaced |= now_replaced

    # Sort explicitly so the output never depends on the order the mock engine registered resources in.
    changes.sort(key=lambda change: change.urn)
    matched_base = set(matches.values())
    deletes = [_delete(item) for item in base.run.registrations if item.urn not in matched_base]
    return ResourceDiff(changes + sorted(deletes, key=lambda change: change.urn))


def match_resources(base: Iterable[Registration], head: Iterable[Registration]) -> dict[str, str]:
    """Map each head URN to the base URN it continues: the same URN, or an alias of it."""
    base_urns = {item.urn for item in base}
    head_list = list(head)
    by_urn = {item.urn: item for item in head_list}
    alias_cache: dict[str, list[str]] = {}
    matches: dict[str, str] = {}
    claimed: set[str] = set()
    for item in head_list:
        if item.urn in base_urns:
            matches[item.urn] = item.urn
            claimed.add(item.urn)
    for item in head_list:
        if item.urn in matches:
            continue
        for alias in alias_urns(item, by_urn, alias_cache):
            if alias in base_urns and alias not in claimed:
                matches[item.urn] = alias
                claimed.add(alias)
                break
    return matches


def alias_urns(item: Registration, by_urn: Mapping[str, Registration], cache: dict[str, list[str]]) -> list[str]:
    """Return the old URNs ``item`` may have had: its own aliases and those inherited from its parent.

    A child whose name starts with its parent's name inherits each parent alias
    with that prefix swapped, as the Pulumi engine's step generator does
    (pkg/resource/deploy/step_generator.go, inheritedChildAlias).
    """
    if item.urn in cache:
        return cache[item.urn]
    found: list[str] = []
    for alias in item.aliases:
        found.append(alias if alias.startswith("urn:pulumi:") else _with_name(item.urn, alias))
    parent = by_urn.get(item.parent)
    if parent is not None:
        for parent_alias in alias_urns(parent, by_urn, cache):
            alias_name = _urn_name(parent_alias)
            name = item.name
            if name.startswith(parent.name):
                name = alias_name + name[len(parent.name) :]
            found.append(_with_name(item.urn, name))
    cache[item.urn] = found
    return found


def _urn_name(urn: str) -> str:
    return urn.rsplit("::", 1)[1]


def _with_name(urn: str, name: str) -> str:
    return f"{urn.rsplit('::', 1)[0]}::{name}"


@dataclass(frozen=True)
class References:
    """Ids and ARNs of one plan's resources, each mapped to ``ref:<URN>`` (the base URN when renamed)."""

    refs: dict[str, str]
    pattern: re.Pattern[str] | None

    @classmethod
    def of(cls, registrations: Iterable[Registration], renames: Mapping[str, str]) -> References:
        refs: dict[str, str] = {}
        for item in registrations:
            if not item.custom:
                continue
            urn = renames.get(item.urn, item.urn)
            if item.id:
                refs[item.id] = f"{REF_PREFIX}{urn}"
            arn = item.outputs.get("arn")
            # A TopicPolicy takes its topic's ARN as an input named arn; that ARN belongs to the topic.
            if isinstance(arn, str) and arn and arn != item.id and item.inputs.get("arn") != arn:
                refs[arn] = f"{REF_PREFIX}{urn}.arn"
        # Short ids such as "p-1234abcd" could match by accident inside other text;
        # ARNs and 12-digit account ids cannot.
        keys = sorted((key for key in refs if len(key) >= 12), key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(key) for key in keys)) if keys else None
        return cls(refs, pattern)

    def normalise(self, value: Any) -> Any:
        """Replace ids and ARNs of other resources in ``value`` by their ``ref:`` form."""
        if isinstance(value, dict):
            return {key: self.normalise(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.normalise(item) for item in value]
        if isinstance(value, str):
            if value in self.refs:
                return self.refs[value]
            # Policy documents and ARNs embed ids inside longer strings.
            if self.pattern is not None and _JSON_OR_ARN.search(value):
                return self.pattern.sub(lambda found: self.refs[found.group(0)], value)
        return value


def _compare(
    new: Registration,
    old: Registration | None,
    base_refs: References,
    head_refs: References,
    replaced: set[str],
) -> ResourceChange:
    if old is None:
        return ResourceChange(op="create", type=new.type, name=new.name, urn=new.urn)
    change = ResourceChange(
        op="same",
        type=new.type,
        name=new.name,
        urn=new.urn,
        old_urn=old.urn if old.urn != new.urn else None,
        old_name=old.name if old.name != new.name else None,
        protected=old.protect,
    )
    if old.protect != new.protect:
        change.protect = (old.protect, new.protect)
    if not new.custom:
        return change

    old_inputs = base_refs.normalise(old.inputs)
    new_inputs = head_refs.normalise(new.inputs)
    forcing = REPLACE_KEYS.get(new.type, frozenset())
    for key in sorted(set(old_inputs) | set(new_inputs)):
        before, after = old_inputs.get(key), new_inputs.get(key)
        if before == after and not _mentions(before, replaced):
            continue
        if key in new.ignore_changes:
            # Pulumi keeps the old value of an ignored input, so nothing changes in AWS.
            change.ignored.append(key)
            continue
        for path, old_value, new_value in _leaf_changes(key, before, after, replaced):
            change.changes.append(InputChange(path, old_value, new_value, key in forcing))

    if change.changes:
        change.op = "replace" if any(item.replaces for item in change.changes) else "update"
    if change.op == "replace" and new.type == names.ACCOUNT_TYPE:
        change.errors.append("would be REPLACED, which CLOSES the AWS account and creates a new one with a new id")
    if change.op == "replace" and change.protected:
        change.errors.append("protected, so pulumi preview fails until the resource is unprotected")
    return change


def _mentions(value: Any, replaced: set[str]) -> bool:
    if isinstance(value, str):
        return value.startswith(REF_PREFIX) and _ref_urn(value) in replaced
    if isinstance(value, dict):
        return any(_mentions(item, replaced) for item in value.values())
    if isinstance(value, list):
        return any(_mentions(item, replaced) for item in value)
    return False


def _ref_urn(value: str) -> str:
    return value.removeprefix(REF_PREFIX).removesuffix(".arn")


def _leaf_changes(path: str, before: Any, after: Any, replaced: set[str]) -> list[tuple[str, Any, Any]]:
    """List the changed leaves under ``path`` (old value, new value)."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in sorted(set(before) | set(after)):
            found.extend(_leaf_changes(f"{path}.{key}", before.get(key), after.get(key), replaced))
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        found = []
        for index, (old_item, new_item) in enumerate(zip(before, after, strict=True)):
            found.extend(_leaf_changes(f"{path}[{index}]", old_item, new_item, replaced))
        return found
    if before == after:
        if _mentions(after, replaced):
            return [(path, before, NEW_ID_AFTER_REPLACE)]
        return []
    return [(path, before, after)]


def _delete(item: Registration) -> ResourceChange:
    change = ResourceChange(op="delete", type=item.type, name=item.name, urn=item.urn, protected=item.protect)
    if item.protect:
        change.errors.append(
            "protected, so pulumi preview fails on the delete. Set status: closed first, apply, then remove the entry"
        )
    elif item.type == names.ACCOUNT_TYPE:
        change.warnings.append("deleting this Account CLOSES the AWS account (CloseAccount)")
    return change

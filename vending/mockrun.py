"""Run the real Pulumi program in-process on the Pulumi SDK's mock engine.

This is the offline plan: no Pulumi CLI, no provider plugin and no AWS
credentials are involved. ``RecordingMonitor`` keeps every RegisterResource
request (type, name, parent, inputs, protect, ignoreChanges, aliases,
dependencies, custom timeouts) so the plan shows what ``pulumi up`` would be
asked to declare. ``OfflineMocks`` returns the invoke results: the organization
and Identity Center instance are fixed examples, and the identity store contains
one user per roster user name unless a test removes some.
"""

from __future__ import annotations

import functools
import hashlib
import json
import runpy
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from vending import names

MANAGEMENT_ACCOUNT_ID = "111111111111"
ORGANIZATION_ID = "o-exampleorg1"
ROOT_ID = "r-exmp"
SSO_INSTANCE_ARN = "arn:aws:sso:::instance/ssoins-1111111111111111"
IDENTITY_STORE_ID = "d-1111111111"
# The organization name self-managed backends give every stack.
PULUMI_ORGANIZATION = "organization"
# The text Pulumi substitutes when an Output is formatted as a string.
OUTPUT_STR_MARKER = "Calling __str__ on an Output[T] is not supported"


def _digest(*parts: str, length: int = 12) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def fake_account_id(name: str) -> str:
    return str(int(_digest("account", name), 16) % 10**12).rjust(12, "0")


@dataclass(frozen=True)
class Registration:
    """One RegisterResource request as the engine received it."""

    type: str
    name: str
    urn: str
    id: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    protect: bool
    ignore_changes: list[str]
    aliases: list[str]
    dependencies: list[str]
    delete_timeout: str
    delete_before_replace: bool
    # True for a ReadResource request (a StackReference or a .get), which manages nothing.
    read: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "name": self.name,
            "urn": self.urn,
            "id": self.id,
            "parent": self.parent,
            "inputs": self.inputs,
            "protect": self.protect,
            "ignore_changes": self.ignore_changes,
            "aliases": self.aliases,
            "dependencies": self.dependencies,
            "delete_timeout": self.delete_timeout,
        }


@dataclass
class OfflineMocks(pulumi_mocks.Mocks):
    """Mock responses to resource registrations and invokes, with no cloud behind them."""

    user_names: Iterable[str] = ()
    missing_users: frozenset[str] = frozenset()
    identity_center: bool = True
    # Account emails the organization already has; their accounts are not new.
    existing_accounts: Iterable[str] = ()
    # Outputs of other stacks by qualified name, returned for pulumi.StackReference reads.
    stack_outputs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    group_names: Iterable[str] = ()
    missing_groups: frozenset[str] = frozenset()
    groups: dict[str, str] = field(default_factory=dict)
    # Invoke tokens in call order, so tests can count lookups.
    calls: list[str] = field(default_factory=list)
    # Accounts already under the sandboxes OU: lower-cased email -> "active", "suspended" or "closed".
    # Empty means the OU tree does not exist yet, as on a stack's first run.
    placements: Mapping[str, str] = field(default_factory=dict)
    # Stack prefix, for the names of the placed OUs.
    prefix: str = "sbx"
    # Seconds each Account creation takes, so tests can observe creation order and overlap.
    account_delay: float = 0.0
    # Monotonic (start, end) of each Account creation by resource name, filled when account_delay is set.
    account_timeline: dict[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.users = {
            user: f"user-{_digest('user', user, length=16)}"
            for user in self.user_names
            if user.lower() not in {name.lower() for name in self.missing_users}
        }
        self.groups = {
            group: f"group-{_digest('group', group, length=16)}"
            for group in self.group_names
            if group not in self.missing_groups
        }

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ == names.ACCOUNT_TYPE and self.account_delay:
            # The monitor calls this from worker threads, one per registration in flight.
            start = time.monotonic()
            time.sleep(self.account_delay)
            self.account_timeline[args.name] = (start, time.monotonic())
        state = dict(args.inputs)
        token = args.typ
        if token == names.ACCOUNT_TYPE:
            resource_id = fake_account_id(args.name)
            state.update(
                arn=f"arn:aws:organizations::{MANAGEMENT_ACCOUNT_ID}:account/{ORGANIZATION_ID}/{resource_id}",
                status="ACTIVE",
            )
        elif token == "aws:organizations/organizationalUnit:OrganizationalUnit":
            resource_id = f"ou-exmp-{_digest('ou', args.name, length=8)}"
            state["arn"] = f"arn:aws:organizations::{MANAGEMENT_ACCOUNT_ID}:ou/{ORGANIZATION_ID}/{resource_id}"
        elif token == "aws:organizations/policy:Policy":
            resource_id = f"p-{_digest('policy', args.name, length=8)}"
            state["arn"] = (
                f"arn:aws:organizations::{MANAGEMENT_ACCOUNT_ID}:policy/{ORGANIZATION_ID}/"
                f"service_control_policy/{resource_id}"
            )
        elif token == "aws:sns/topic:Topic":
            resource_id = f"arn:aws:sns:us-east-1:{MANAGEMENT_ACCOUNT_ID}:{args.inputs.get('name', args.name)}"
            state["arn"] = resource_id
        elif token == "aws:iam/role:Role":
            resource_id = str(args.inputs.get("name", args.name))
            state["arn"] = f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:role/{resource_id}"
        elif token == "pulumi:pulumi:StackReference":
            resource_id = str(args.inputs["name"])
            state.update(outputs=dict(self.stack_outputs.get(resource_id, {})), secretOutputNames=[])
        elif token == "aws:ssoadmin/permissionSet:PermissionSet":
            resource_id = f"ps-{_digest('ps', args.name, length=16)}"
            state["arn"] = f"arn:aws:sso:::permissionSet/ssoins-1111111111111111/{resource_id}"
        else:
            resource_id = f"{args.name}-id"
        return resource_id, state

    def _child_ous(self, args: pulumi_mocks.MockCallArgs) -> list[dict[str, str]]:
        if not self.placements:
            return []
        prefix = self.prefix
        parent = args.args["parentId"]
        if parent == ROOT_ID:
            return [{"id": PLACED_SANDBOXES_OU, "name": f"{prefix}-sandboxes", "arn": "arn:placed:sandboxes"}]
        if parent == PLACED_SANDBOXES_OU:
            return [{"id": PLACED_SUSPENDED_OU, "name": f"{prefix}-suspended", "arn": "arn:placed:suspended"}]
        return []

    def _descendants(self, parent: str) -> list[dict[str, Any]]:
        wanted = {"active", "suspended", "closed"} if parent == PLACED_SANDBOXES_OU else {"suspended", "closed"}
        return [_placed_account(email, status) for email, status in sorted(self.placements.items()) if status in wanted]

    def call(self, args: pulumi_mocks.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        token = args.token
        self.calls.append(token)
        if token == "aws:organizations/getOrganization:getOrganization":
            return {
                "id": ORGANIZATION_ID,
                "arn": f"arn:aws:organizations::{MANAGEMENT_ACCOUNT_ID}:organization/{ORGANIZATION_ID}",
                "masterAccountId": MANAGEMENT_ACCOUNT_ID,
                "featureSet": "ALL",
                "accounts": [
                    {
                        "id": fake_account_id(email),
                        "email": email,
                        "name": email.partition("@")[0],
                        "status": "ACTIVE",
                        "arn": f"arn:aws:organizations::{MANAGEMENT_ACCOUNT_ID}:account/{ORGANIZATION_ID}/"
                        f"{fake_account_id(email)}",
                    }
                    for email in sorted(self.existing_accounts)
                ],
                "roots": [
                    {
                        "id": ROOT_ID,
                        "name": "Root",
                        "arn": f"arn:aws:organizations::{MANAGEMENT_ACCOUNT_ID}:root/{ORGANIZATION_ID}/{ROOT_ID}",
                        "policyTypes": [{"type": "SERVICE_CONTROL_POLICY", "status": "ENABLED"}],
                    }
                ],
            }
        if token == "aws:organizations/getOrganizationalUnits:getOrganizationalUnits":
            return {"id": args.args["parentId"], "parentId": args.args["parentId"], "children": self._child_ous(args)}
        if token == "aws:organizations/getOrganizationalUnitDescendantAccounts:getOrganizationalUnitDescendantAccounts":
            parent = args.args["parentId"]
            return {"id": parent, "parentId": parent, "accounts": self._descendants(parent)}
        if token == "aws:ssoadmin/getInstances:getInstances":
            if not self.identity_center:
                return {"arns": [], "identityStoreIds": []}
            return {"arns": [SSO_INSTANCE_ARN], "identityStoreIds": [IDENTITY_STORE_ID]}
        if token == "aws:identitystore/getUsers:getUsers":
            return {
                "identityStoreId": IDENTITY_STORE_ID,
                "users": [{"userName": user, "userId": user_id} for user, user_id in sorted(self.users.items())],
            }
        if token == "aws:identitystore/getGroups:getGroups":
            return {
                "identityStoreId": IDENTITY_STORE_ID,
                "groups": [
                    {
                        "displayName": group,
                        "groupId": group_id,
                        "description": "",
                        "externalIds": [],
                        "identityStoreId": IDENTITY_STORE_ID,
                    }
                    for group, group_id in sorted(self.groups.items())
                ],
            }
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": MANAGEMENT_ACCOUNT_ID,
                "arn": f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:root",
                "userId": MANAGEMENT_ACCOUNT_ID,
                "id": MANAGEMENT_ACCOUNT_ID,
            }
        raise NotImplementedError(f"offline plan has no mock for invoke {token}")


PLACED_SANDBOXES_OU = "ou-exmp-sandboxes"
PLACED_SUSPENDED_OU = "ou-exmp-suspended"


def _placed_account(email: str, status: str) -> dict[str, Any]:
    account_id = fake_account_id(email)
    return {
        "arn": f"arn:aws:organizations::{MANAGEMENT_ACCOUNT_ID}:account/{ORGANIZATION_ID}/{account_id}",
        "email": email,
        "id": account_id,
        "joinedMethod": "CREATED",
        "joinedTimestamp": "2026-01-01T00:00:00Z",
        "name": email.split("@")[0],
        "state": "SUSPENDED" if status == "closed" else "ACTIVE",
        "status": "SUSPENDED" if status == "closed" else "ACTIVE",
    }


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that keeps every registration with its options."""

    def __init__(self, mocks: pulumi_mocks.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs = rpc.deserialize_properties(request.object)
        registered = self.resources.get(response.urn)
        self.registrations.append(
            Registration(
                type=request.type,
                name=request.name,
                urn=response.urn,
                id=response.id,
                parent=request.parent,
                custom=bool(request.custom),
                inputs=_plain(inputs),
                outputs=_plain(registered.state) if registered else {},
                protect=bool(request.protect),
                ignore_changes=list(request.ignoreChanges),
                aliases=_alias_names(request),
                dependencies=sorted(request.dependencies),
                delete_timeout=request.customTimeouts.delete,
                delete_before_replace=bool(request.deleteBeforeReplace),
            )
        )
        return response

    def ReadResource(self, request: Any) -> Any:
        response = super().ReadResource(request)
        registered = self.resources.get(response.urn)
        self.registrations.append(
            Registration(
                type=request.type,
                name=request.name,
                urn=response.urn,
                id=request.id,
                parent=request.parent,
                custom=True,
                inputs=_plain(rpc.deserialize_properties(request.properties)),
                outputs=_plain(registered.state) if registered else {},
                protect=False,
                ignore_changes=[],
                aliases=[],
                dependencies=sorted(request.dependencies),
                delete_timeout="",
                delete_before_replace=False,
                read=True,
            )
        )
        return response


def _alias_names(request: Any) -> list[str]:
    """Return the old names (or URNs) a registration is aliased from."""
    found = []
    for alias in request.aliases:
        if alias.urn:
            found.append(alias.urn)
        elif alias.spec.name:
            found.append(alias.spec.name)
    found.extend(request.aliasURNs)
    return found


def _plain(value: Any) -> Any:
    """Turn deserialized inputs into JSON-ready data (unknowns become None)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if not key.startswith("__")}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


@dataclass
class ProgramRun:
    """The registrations and exports of one run of the program.

    The lookups use indexes built on first use, so summarising a plan of n
    learners takes O(n) rather than one scan of every registration per learner.
    Build a new ``ProgramRun`` rather than appending to ``registrations``.
    """

    registrations: list[Registration]
    outputs: dict[str, Any]

    @functools.cached_property
    def _by_type(self) -> dict[str, list[Registration]]:
        return _group(self.registrations, lambda item: item.type)

    @functools.cached_property
    def _by_name(self) -> dict[str, list[Registration]]:
        return _group(self.registrations, lambda item: item.name)

    @functools.cached_property
    def _by_parent(self) -> dict[str, list[Registration]]:
        return _group(self.registrations, lambda item: item.parent)

    @functools.cached_property
    def _by_urn(self) -> dict[str, Registration]:
        return {item.urn: item for item in self.registrations}

    def of_type(self, token: str) -> list[Registration]:
        return list(self._by_type.get(token, ()))

    def by_name(self, name: str, token: str | None = None) -> Registration:
        matches = [item for item in self._by_name.get(name, ()) if token is None or item.type == token]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]

    def by_urn(self, urn: str) -> Registration:
        return self._by_urn[urn]

    def children_of(self, parent: Registration) -> list[Registration]:
        return list(self._by_parent.get(parent.urn, ()))


def _group(items: Iterable[Registration], key: Callable[[Registration], str]) -> dict[str, list[Registration]]:
    grouped: dict[str, list[Registration]] = {}
    for item in items:
        grouped.setdefault(key(item), []).append(item)
    return grouped


def config_for_engine(raw: Mapping[str, Any]) -> dict[str, str]:
    """Encode stack file values the way the Pulumi CLI passes them: strings, structures as JSON."""
    encoded = {}
    for key, value in raw.items():
        if isinstance(value, str):
            encoded[key] = value
        else:
            encoded[key] = json.dumps(value)
    return encoded


def run_program(
    program_dir: Path,
    config: Mapping[str, Any],
    mocks: pulumi_mocks.Mocks,
    stack: str = "offline",
    preview: bool = True,
) -> ProgramRun:
    """Run ``program_dir/__main__.py`` on the mock engine with ``config`` (raw stack file values).

    Errors the program raises (``pulumi.RunError`` for invalid input) propagate
    to the caller after the engine has drained its outstanding work.
    """
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_all_config(config_for_engine(config))
    runtime_settings.SETTINGS.rpc_manager.clear()
    runtime_settings.SETTINGS.outputs.clear()
    # set_mocks keeps an existing root Stack, whose outputs would carry over from the previous run.
    runtime_settings.ROOT.set(None)
    pulumi.runtime.set_mocks(
        mocks, project=names.PROJECT, stack=stack, preview=preview, monitor=monitor, organization=PULUMI_ORGANIZATION
    )
    root = pulumi.runtime.get_root_resource()
    main_file = program_dir / "__main__.py"
    added_path = str(program_dir) not in sys.path
    if added_path:
        sys.path.insert(0, str(program_dir))

    def program() -> None:
        runpy.run_path(str(main_file), run_name="__main__")

    try:
        _sync_await(run_pulumi_func(program))
        outputs: dict[str, Any] = {}
        for key, value in (getattr(root, "outputs", None) or {}).items():
            outputs[key] = _plain(_sync_await(pulumi.Output.from_input(value).future()))
    finally:
        if added_path:
            sys.path.remove(str(program_dir))
    # The SDK registers resources from worker threads, so arrival order varies between runs;
    # sorting by URN makes the plan and its JSON byte-for-byte reproducible.
    registrations = sorted(monitor.registrations, key=lambda item: item.urn)
    return ProgramRun(registrations=registrations, outputs=outputs)

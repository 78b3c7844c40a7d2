"""A read-only snapshot of the organization: accounts, and the OUs of this stack's sandboxes tree."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from vending import names
from vending.aws.clients import AwsClients, aws_call, paginate

log = logging.getLogger(__name__)

# Account states from the Organizations API. State replaced the older Status field,
# whose only values are ACTIVE, SUSPENDED and PENDING_CLOSURE.
# https://docs.aws.amazon.com/organizations/latest/APIReference/API_Account.html
ACTIVE = "ACTIVE"
CLOSED_STATES = frozenset({"SUSPENDED", "PENDING_CLOSURE", "CLOSED"})

Progress = Callable[[str], None]


@dataclass(frozen=True)
class OrgAccount:
    """A member account as ListAccounts returns it."""

    id: str
    name: str
    email: str
    state: str

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES


@dataclass(frozen=True)
class OrgUnit:
    id: str
    name: str
    parent_id: str


@dataclass
class Organization:
    """Organization details, every account, and where each account of the sandboxes tree sits."""

    id: str
    feature_set: str
    management_account_id: str
    root_id: str
    root_policy_types: dict[str, str]
    accounts: list[OrgAccount]
    sandboxes_ou: OrgUnit | None = None
    # Every OU below the sandboxes OU (team OUs and the suspended OU), by id.
    tree_ous: dict[str, OrgUnit] = field(default_factory=dict)
    # Parent id of each account directly under the root or anywhere in the sandboxes tree.
    parent_of: dict[str, str] = field(default_factory=dict)

    def account_by_email(self, email: str) -> OrgAccount | None:
        """Find the account whose root email equals ``email``, ignoring case as AWS does."""
        wanted = email.lower()
        for account in self.accounts:
            if account.email.lower() == wanted:
                return account
        return None

    def in_sandboxes_tree(self, ou_id: str) -> bool:
        return self.sandboxes_ou is not None and (ou_id == self.sandboxes_ou.id or ou_id in self.tree_ous)

    def ou_name(self, ou_id: str) -> str:
        if ou_id == self.root_id:
            return "Root"
        if self.sandboxes_ou is not None and ou_id == self.sandboxes_ou.id:
            return self.sandboxes_ou.name
        unit = self.tree_ous.get(ou_id)
        return unit.name if unit else ou_id

    def ou_id_by_name(self, name: str) -> str | None:
        for unit in self.tree_ous.values():
            if unit.name == name:
                return unit.id
        return None

    def tree_accounts(self) -> list[OrgAccount]:
        """Return the accounts that sit in the sandboxes OU or any OU below it."""
        return [account for account in self.accounts if self.in_sandboxes_tree(self.parent_of.get(account.id, ""))]


def read_organization(clients: AwsClients, prefix: str, progress: Progress | None = None) -> Organization:
    """Read the organization, its accounts, and the OUs and accounts of ``<prefix>-sandboxes``.

    Accounts outside the root and the sandboxes tree are listed without a parent.
    ``parent_ou`` looks their parent up on demand, because walking the whole
    organization would cost one call per OU.
    """
    report = progress or (lambda _message: None)
    org_client = clients.organizations

    report("reading the organization")
    with aws_call("organizations:DescribeOrganization"):
        details = org_client.describe_organization()["Organization"]
    roots = list(paginate(org_client, "list_roots", "Roots", "organizations:ListRoots"))
    root = roots[0]
    policy_types = {item["Type"]: item["Status"] for item in root.get("PolicyTypes", [])}

    report("listing accounts")
    listed = paginate(org_client, "list_accounts", "Accounts", "organizations:ListAccounts")
    accounts = [_account(item) for item in listed]
    organization = Organization(
        id=details["Id"],
        feature_set=details.get("FeatureSet", ""),
        management_account_id=details["MasterAccountId"],
        root_id=root["Id"],
        root_policy_types=policy_types,
        accounts=accounts,
    )

    _record_parent(organization, org_client, root["Id"])
    sandboxes_name = names.sandboxes_ou(prefix)
    for unit in _child_ous(org_client, root["Id"]):
        if unit.name == sandboxes_name:
            organization.sandboxes_ou = unit
    if organization.sandboxes_ou is None:
        log.info("OU %s not found under root %s", sandboxes_name, root["Id"])
        return organization

    report(f"reading OU {sandboxes_name}")
    pending = [organization.sandboxes_ou.id]
    while pending:
        ou_id = pending.pop()
        _record_parent(organization, org_client, ou_id)
        for unit in _child_ous(org_client, ou_id):
            organization.tree_ous[unit.id] = unit
            pending.append(unit.id)
    return organization


def parent_ou(clients: AwsClients, organization: Organization, account_id: str) -> tuple[str, str]:
    """Return the id and name of the OU (or root) that contains ``account_id``."""
    known = organization.parent_of.get(account_id)
    if known is not None:
        return known, organization.ou_name(known)
    org_client = clients.organizations
    parents = list(paginate(org_client, "list_parents", "Parents", "organizations:ListParents",
                            f"account {account_id}", ChildId=account_id))
    parent_id = parents[0]["Id"]
    if parent_id == organization.root_id:
        return parent_id, "Root"
    with aws_call("organizations:DescribeOrganizationalUnit", f"OU {parent_id}"):
        unit = org_client.describe_organizational_unit(OrganizationalUnitId=parent_id)["OrganizationalUnit"]
    return parent_id, str(unit["Name"])


def _account(item: dict[str, Any]) -> OrgAccount:
    return OrgAccount(
        id=item["Id"],
        name=item.get("Name", ""),
        email=item.get("Email", ""),
        state=item.get("State") or item.get("Status", ""),
    )


def _child_ous(org_client: Any, parent_id: str) -> Iterable[OrgUnit]:
    for item in paginate(org_client, "list_organizational_units_for_parent", "OrganizationalUnits",
                         "organizations:ListOrganizationalUnitsForParent", f"parent {parent_id}", ParentId=parent_id):
        yield OrgUnit(id=item["Id"], name=item["Name"], parent_id=parent_id)


def _record_parent(organization: Organization, org_client: Any, parent_id: str) -> None:
    for item in paginate(org_client, "list_accounts_for_parent", "Accounts", "organizations:ListAccountsForParent",
                         f"parent {parent_id}", ParentId=parent_id):
        organization.parent_of[item["Id"]] = parent_id

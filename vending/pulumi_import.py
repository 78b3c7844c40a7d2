"""Build the JSON file that ``pulumi import --file`` reads to adopt existing accounts.

Format (Pulumi CLI reference, https://www.pulumi.com/docs/iac/cli/commands/pulumi_import/):
``{"nameTable": {name: urn}, "resources": [{"type", "name", "id", "parent"}]}``,
where ``parent`` is a key of ``nameTable``. Since Pulumi 3.94.0 an entry with
``"component": true`` and no id creates an empty component in the same run,
and ``parent`` may name such an entry instead of a ``nameTable`` key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from vending import names
from vending.aws.adoption import AccountMatch


def account_import_id(account_id: str, iam_user_access_to_billing: Literal["ALLOW", "DENY"]) -> str:
    """Return the import id ``<account id>_<ALLOW|DENY>`` of an ``aws.organizations.Account``.

    AWS never returns iamUserAccessToBilling, so the id carries it into the state
    (pulumi-aws 7.51.1, organizations.Account docstring, Import section).
    """
    return f"{account_id}_{iam_user_access_to_billing}"


def stack_name(stack: str) -> str:
    """Return the bare stack name of ``org/project/stack``, as URNs contain it."""
    return stack.rsplit("/", 1)[-1]


def build_import_file(matches: Iterable[AccountMatch], stack: str,
                      iam_user_access_to_billing: Literal["ALLOW", "DENY"],
                      create_components: bool = False) -> dict[str, Any]:
    """Describe one Account resource per match, parented by the learner's component.

    With ``create_components`` the file also creates each learner's empty
    component, for a stack whose components do not exist yet. Without it, the
    file refers to each existing component by URN through ``nameTable``.
    """
    name_table: dict[str, str] = {}
    resources: list[dict[str, Any]] = []
    for match in sorted(matches, key=lambda item: item.learner.id):
        learner_id = match.learner.id
        component = names.learner_component(learner_id)
        if create_components:
            resources.append({"type": names.LEARNER_TYPE, "name": component, "component": True})
        else:
            name_table[component] = names.component_urn(stack_name(stack), learner_id)
        resources.append({
            "type": names.ACCOUNT_TYPE,
            "name": names.account_resource(learner_id),
            "id": account_import_id(match.account.id, iam_user_access_to_billing),
            "parent": component,
        })
    document: dict[str, Any] = {"resources": resources}
    if name_table:
        document = {"nameTable": name_table, **document}
    return document

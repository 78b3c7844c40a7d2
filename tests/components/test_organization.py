"""The OU tree under the mock engine."""

from __future__ import annotations

from vending.mockrun import ROOT_ID
from vending.plan import OU_TYPE, Plan


def test_ou_tree(example_plan: Plan) -> None:
    ous = {item.inputs["name"]: item for item in example_plan.run.of_type(OU_TYPE)}
    sandboxes = ous["sbx-sandboxes"]
    assert sandboxes.inputs["parentId"] == ROOT_ID
    assert ous["sbx-suspended"].inputs["parentId"] == sandboxes.id
    for team in ("data-eng-2027q1", "platform-bootcamp", "ml-research"):
        assert ous[f"sbx-{team}"].inputs["parentId"] == sandboxes.id
    assert len(ous) == 5


def test_ous_children_of_structure(example_plan: Plan) -> None:
    structure = example_plan.run.by_name("org", "sandbox:index:OrganizationStructure")
    assert {item.urn for item in example_plan.run.of_type(OU_TYPE)} == {
        item.urn for item in example_plan.run.children_of(structure)
    }

"""Golden copy of the SCPs compiled for Pulumi.example.yaml and config/roster.yaml.

Regenerate after an intended change with:

    UPDATE_GOLDEN=1 python -m pytest tests/guardrails/test_golden.py

then review the diff of tests/golden/guardrails.json before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from vending.guardrails.compiler import GuardrailPlan
from vending.guardrails.packing import minify

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "guardrails.json"


def snapshot(plan: GuardrailPlan) -> dict[str, Any]:
    policies = []
    for policy in plan.all_policies():
        policies.append({
            "key": policy.key,
            "name": policy.name,
            "description": policy.description,
            "size": policy.size,
            "guardrail_ids": list(policy.guardrail_ids),
            "document": json.loads(policy.content),
        })
    return {"attachments": plan.attachments_per_target(), "policies": policies}


@pytest.fixture(scope="module")
def golden(plan: GuardrailPlan) -> dict[str, Any]:
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(snapshot(plan), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    loaded: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return loaded


def test_golden_is_current(plan: GuardrailPlan, golden: dict[str, Any]) -> None:
    assert snapshot(plan) == golden, "stale golden file: see this module's docstring to regenerate it"


def test_golden_bytes_match(plan: GuardrailPlan, golden: dict[str, Any]) -> None:
    # The minified content is the golden document re-serialized, byte for byte.
    expected = [minify(policy["document"]) for policy in golden["policies"]]
    assert [policy.content for policy in plan.all_policies()] == expected

"""Packing statements into SCPs within the size and count quotas."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vending.errors import GuardrailError
from vending.guardrails.packing import EMPTY_POLICY_SIZE, PackItem, make_item, minify, pack, policy_document


def item_of_size(sid: str, size: int) -> PackItem:
    """Build a statement whose minified form is exactly ``size`` characters."""
    base = {"Sid": sid, "Effect": "Deny", "Action": "", "Resource": "*"}
    padding = size - len(minify(base))
    assert padding >= 0
    statement = dict(base, Action="x" * padding)
    item = make_item(f"guardrail-{sid.lower()}", statement)
    assert item.size == size
    return item


def packed_size(contents: list[PackItem]) -> int:
    return len(policy_document([item.statement for item in contents]))


def test_empty_policy_size_matches_document() -> None:
    assert len('{"Statement":[],"Version":"2012-10-17"}') == EMPTY_POLICY_SIZE


def test_exact_fit_uses_one_policy() -> None:
    items = [item_of_size("A", 100), item_of_size("B", 120)]
    limit = EMPTY_POLICY_SIZE + 100 + 1 + 120
    bins = pack(items, limit, 4, "test")
    assert len(bins) == 1


def test_exact_fit_has_exact_size() -> None:
    items = [item_of_size("A", 100), item_of_size("B", 120)]
    limit = EMPTY_POLICY_SIZE + 100 + 1 + 120
    (contents,) = pack(items, limit, 4, "test")
    assert packed_size(contents) == limit


def test_one_character_over_needs_second_policy() -> None:
    items = [item_of_size("A", 100), item_of_size("B", 120)]
    limit = EMPTY_POLICY_SIZE + 100 + 1 + 120 - 1
    assert len(pack(items, limit, 4, "test")) == 2


def test_first_fit_decreasing_fills_gaps() -> None:
    items = [item_of_size(sid, size) for sid, size in (("A", 300), ("B", 250), ("C", 200), ("D", 70))]
    limit = EMPTY_POLICY_SIZE + 301 + 200
    bins = pack(items, limit, 4, "test")
    assert [[item.sid for item in contents] for contents in bins] == [["A", "C"], ["B", "D"]]


def test_statements_sorted_by_sid_in_policy() -> None:
    items = [item_of_size("Zeta", 80), item_of_size("Alpha", 90)]
    (contents,) = pack(items, 1000, 4, "test")
    assert [item.sid for item in contents] == ["Alpha", "Zeta"]


def test_oversized_statement_names_numbers() -> None:
    items = [item_of_size("Huge", 600), item_of_size("Small", 80)]
    with pytest.raises(GuardrailError) as caught:
        pack(items, 500, 4, "the sandboxes OU")
    message = str(caught.value)
    assert "Huge (guardrail guardrail-huge)" in message
    assert f"{EMPTY_POLICY_SIZE + 600}-character policy" in message
    assert "at most 500 characters" in message


def test_too_many_policies_names_numbers() -> None:
    items = [item_of_size(sid, 400) for sid in ("A", "B", "C")]
    with pytest.raises(GuardrailError) as caught:
        pack(items, EMPTY_POLICY_SIZE + 400, 2, "the OU of team alpha")
    message = str(caught.value)
    assert "the OU of team alpha" in message
    assert "need 3 SCPs" in message
    assert "only 2 fit" in message
    assert "scpMaxPerTarget 3" in message


def test_input_order_does_not_matter() -> None:
    items = [item_of_size(sid, size) for sid, size in (("A", 300), ("B", 300), ("C", 200), ("D", 200))]
    forward = pack(items, 700, 4, "test")
    backward = pack(list(reversed(items)), 700, 4, "test")
    assert forward == backward


@settings(max_examples=150, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=80, max_value=900), min_size=1, max_size=25),
    limit=st.integers(min_value=1000, max_value=6000),
    max_policies=st.integers(min_value=1, max_value=9),
)
def test_packing_properties(sizes: list[int], limit: int, max_policies: int) -> None:
    items = [item_of_size(f"S{index}", size) for index, size in enumerate(sizes)]
    try:
        bins = pack(items, limit, max_policies, "test")
    except GuardrailError as error:
        # A rejection must name a cause that really holds.
        oversized = any(EMPTY_POLICY_SIZE + size > limit for size in sizes)
        needed = re.search(r"need (\d+) SCPs", str(error))
        assert oversized or (needed is not None and int(needed.group(1)) > max_policies)
        return
    packed = [item.sid for contents in bins for item in contents]
    assert sorted(packed) == sorted(item.sid for item in items)
    assert len(packed) == len(set(packed))
    assert len(bins) <= max_policies
    for contents in bins:
        document = policy_document([item.statement for item in contents])
        assert len(document) <= limit
        assert json.loads(document)["Statement"]

"""Minified SCP documents and the packing of statements into as few policies as fit.

AWS counts every character of an SCP against its size quota, whitespace
included, so documents are serialized without spaces and with sorted keys.
The same statements therefore always give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vending.errors import GuardrailError

POLICY_VERSION = "2012-10-17"


def minify(document: Any) -> str:
    """Serialize a policy or statement deterministically: sorted keys, no whitespace."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def policy_document(statements: Sequence[dict[str, Any]]) -> str:
    """Return the minified policy holding ``statements`` in the given order."""
    return minify({"Version": POLICY_VERSION, "Statement": list(statements)})


# Characters of a policy with no statements, and the comma between two statements.
EMPTY_POLICY_SIZE = len(policy_document([]))
SEPARATOR_SIZE = 1


@dataclass(frozen=True)
class PackItem:
    """One statement to pack: its Sid, its guardrail and its minified size."""

    sid: str
    guardrail_id: str
    statement: dict[str, Any]
    size: int


def make_item(guardrail_id: str, statement: dict[str, Any]) -> PackItem:
    return PackItem(sid=str(statement["Sid"]), guardrail_id=guardrail_id, statement=statement,
                    size=len(minify(statement)))


def policy_size(sizes: Sequence[int]) -> int:
    """Return the size of a policy whose statements have the given minified sizes."""
    if not sizes:
        return EMPTY_POLICY_SIZE
    return EMPTY_POLICY_SIZE + sum(sizes) + SEPARATOR_SIZE * (len(sizes) - 1)


def pack(items: Sequence[PackItem], max_chars: int, max_policies: int, target: str) -> list[list[PackItem]]:
    """Pack statements into the fewest policies of at most ``max_chars`` characters.

    First-fit decreasing: statements are placed largest first (ties broken by
    Sid, so the result never depends on input order) into the first policy
    with room. Each policy then lists its statements by Sid. Raises
    ``GuardrailError`` naming the statements and numbers when one statement
    alone is too large or more than ``max_policies`` policies are needed.
    """
    too_large = [item for item in items if policy_size([item.size]) > max_chars]
    if too_large:
        details = "; ".join(
            f"{item.sid} (guardrail {item.guardrail_id}) makes a {policy_size([item.size])}-character policy"
            for item in sorted(too_large, key=lambda item: item.sid)
        )
        raise GuardrailError(
            f"{target}: statement too large for one SCP of at most {max_chars} characters: {details}. "
            "Fix: shorten its lists (for example fewer allowed instance types or Regions), "
            "split it into two statements, or raise scpMaxChars if AWS has raised the quota"
        )

    bins: list[list[PackItem]] = []
    sizes: list[int] = []
    for item in sorted(items, key=lambda item: (-item.size, item.sid)):
        for index, contents in enumerate(bins):
            if sizes[index] + SEPARATOR_SIZE + item.size <= max_chars:
                contents.append(item)
                sizes[index] += SEPARATOR_SIZE + item.size
                break
        else:
            bins.append([item])
            sizes.append(policy_size([item.size]))

    if len(bins) > max_policies:
        total = policy_size([item.size for item in items])
        guardrails = ", ".join(sorted({item.guardrail_id for item in items}))
        raise GuardrailError(
            f"{target}: the guardrails need {len(bins)} SCPs of at most {max_chars} characters "
            f"({len(items)} statements, {total} characters in one document), but only {max_policies} fit "
            f"beside FullAWSAccess (scpMaxPerTarget {max_policies + 1}). Guardrails: {guardrails}. "
            "Fix: disable or relax guardrails, shorten their settings, or raise scpMaxChars or scpMaxPerTarget "
            "if AWS has raised the quotas"
        )
    return [sorted(contents, key=lambda item: item.sid) for contents in bins]

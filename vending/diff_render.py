"""Print a ``DiffReport`` as a pull-request comment (markdown), for a terminal (text) or as JSON.

Pull-request comments are public to everyone who can read the repository,
so the markdown form masks email addresses and never shows learner names.
A masked address keeps its first character and domain and gets a short
digest of the whole address (``j***@example.com#1a2b``), so a reviewer can
tell two addresses apart without seeing either.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable
from typing import Any

from vending.diff import NEW_ID_AFTER_REPLACE, REF_PREFIX, ResourceChange
from vending.diff_summary import ACCESS_SEPARATOR, DiffReport

# Marks the sticky comment so CI can find and update it instead of adding another.
COMMENT_MARKER = "<!-- sandbox-vending:diff -->"
EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
# Prefix that the program puts in front of an email address in a resource name. Identity Center assignments
# are "<sandbox>-instructor-<email>" (access keys "instructor-<email>") and ops subscriptions to the
# spend topic are "spend-ops-<email>". Member assignments ("member-<learner id>") hold no address.
ADDRESS_KEY = re.compile(r"^spend-ops-|(?:^|(?<=-))instructor-")
# 4 hex digits (16 bits) tell the few addresses of one comment apart. docs/diff.md describes what they leak.
DIGEST_CHARS = 4
OP_SYMBOLS = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "same": " "}
MAX_VALUE_CHARS = 120


def mask_address(address: str) -> str:
    """Mask one address as its first character, ``***``, the domain and a digest of the lower-cased address."""
    local, _, domain = address.rpartition("@")
    digest = hashlib.sha256(address.lower().encode()).hexdigest()[:DIGEST_CHARS]
    return f"{local[:1]}***@{domain}#{digest}"


def mask_named_address(name: str) -> str:
    """Mask the address inside a resource name or access key, keeping the part before its address key.

    The address starts after the earliest match of ``ADDRESS_KEY``. When the
    sandbox name itself matches it (a learner id such as ``x-instructor-y``),
    more of the name is masked than needed, but no part of the address shows.
    """
    found = ADDRESS_KEY.search(name)
    start = found.end() if found else 0
    return name[:start] + mask_address(name[start:])


def mask_email(text: str, named: Collection[str] = ()) -> str:
    """Mask every email address in ``text``. A token listed in ``named`` is a resource name or access key."""

    def mask(found: re.Match[str]) -> str:
        token = found.group(0)
        return mask_named_address(token) if token in named else mask_address(token)

    return EMAIL.sub(mask, text)


def mask_personal_data(text: str, learner_names: Iterable[str], named: Collection[str] = ()) -> str:
    """Mask emails and remove learner names (longest first, so "Jane Doe" goes before "Jane")."""
    for name in sorted({name for name in learner_names if name.strip()}, key=len, reverse=True):
        text = text.replace(name, "(name hidden)")
    return mask_email(text, named)


def names_with_addresses(report: DiffReport) -> set[str]:
    """Return the resource names and access keys in ``report`` that embed an email address."""
    found: set[str] = set()
    for change in report.resources.changes:
        found.update(name for name in (change.name, change.old_name) if name and "@" in name)
    for item in report.learners.access:
        for keys in (item.before, item.after):
            found.update(key for key in keys.split(ACCESS_SEPARATOR) if "@" in key)
    return found


def format_value(value: Any) -> str:
    """Show a value briefly: references by resource name, long strings cut with their length."""
    if value is None:
        return "(none)"
    if isinstance(value, str):
        if value.startswith(REF_PREFIX):
            urn = value.removeprefix(REF_PREFIX)
            suffix = ".arn" if urn.endswith(".arn") else ""
            return f"<{urn.removesuffix('.arn').rsplit('::', 1)[1]}{suffix}>"
        if value == NEW_ID_AFTER_REPLACE:
            return value
        text = json.dumps(value)
    else:
        text = json.dumps(value, sort_keys=True, default=str)
    if len(text) > MAX_VALUE_CHARS:
        return f"{text[:MAX_VALUE_CHARS]}... ({len(text)} characters)"
    return text


def short_type(token: str) -> str:
    """Return the last part of a type token: ``aws:budgets/budget:Budget`` becomes ``Budget``."""
    return token.rsplit(":", 1)[-1]


def counts_line(report: DiffReport) -> str:
    counts = report.resources.counts()
    renamed = sum(1 for change in report.resources.changes if change.renamed)
    parts = [f"{counts[op]} to {op}" for op in ("create", "update", "replace", "delete")]
    text = ", ".join(parts) + f", {counts['same']} unchanged"
    if renamed:
        text += f" ({renamed} renamed through aliases)"
    return text


def render_json(report: DiffReport) -> str:
    return json.dumps(report.as_json(), indent=2, sort_keys=True, default=str)


def render_text(report: DiffReport) -> str:
    """Render the report like ``pulumi preview --diff``, followed by the learner summary."""
    lines = [f"Comparing {report.head_label} with {report.base_label} (offline plan, no AWS calls)", ""]
    for change in report.resources.changes:
        if change.op == "same" and not change.renamed and not change.protect:
            continue
        lines.extend(_text_resource(change))
    lines.append("")
    lines.append(f"Resources: {counts_line(report)}")
    lines.extend(_text_learners(report))
    if report.guardrails:
        lines.append("")
        lines.append("Guardrail policies:")
        for item in report.guardrails:
            sizes = f"{_size(item.size_before)} -> {_size(item.size_after)} characters"
            lines.append(f"  {item.name}: {item.change}, {sizes}")
    lines.append("")
    lines.append(_closures_sentence(report))
    lines.extend(f"WARNING: {warning}" for warning in report.warnings)
    lines.extend(f"ERROR: {error}" for error in report.errors)
    lines += ["", _verdict(report)]
    return "\n".join(lines)


def _verdict(report: DiffReport) -> str:
    if not report.failed:
        return "Result: the change can be applied (no errors)."
    return (
        f"Result: FAILED with {len(report.errors)} error(s) listed above, so sandboxctl diff exits 1. "
        "The change cannot be applied as is."
    )


def _text_resource(change: ResourceChange) -> list[str]:
    label = change.op if not change.renamed or change.op != "same" else "rename"
    head = f"  {OP_SYMBOLS[change.op]:>2} {label:<7} {change.type} {change.name}"
    if change.old_name:
        head += f" (was {change.old_name})"
    lines = [head]
    for item in change.changes:
        marker = " [forces replacement]" if item.replaces else ""
        lines.append(f"        {item.path}: {format_value(item.old)} => {format_value(item.new)}{marker}")
    if change.ignored:
        lines.append(f"        ignored by ignore_changes: {', '.join(change.ignored)}")
    if change.protect:
        lines.append(f"        protect: {change.protect[0]} => {change.protect[1]}")
    lines.extend(f"        ERROR: {error}" for error in change.errors)
    lines.extend(f"        WARNING: {warning}" for warning in change.warnings)
    return lines


def _text_learners(report: DiffReport) -> list[str]:
    if report.learners.is_empty():
        return ["", "Learners: no changes"]
    lines = ["", "Learners:"]
    for group, items in report.learners.groups():
        for item in items:
            lines.append(f"  {group:<11} {item.id}: {_describe(item.before, item.after, item.note)}")
    return lines


def _describe(before: str, after: str, note: str) -> str:
    text = f"{before} -> {after}" if before and after else before or after
    return f"{text} ({note})" if note else text


def _size(value: int | None) -> str:
    return "-" if value is None else str(value)


def _closures_sentence(report: DiffReport) -> str:
    closures = report.closures
    if closures.quota is None:
        return (
            f"Account closures caused by this change: {closures.count}. The 30-day closure quota is "
            "max(250, 20% of member accounts), at most 1,000 (older AWS text: 10%, between 10 and 1,000); "
            "give --org-accounts N to compare."
        )
    return (
        f"Account closures caused by this change: {closures.count} of a 30-day quota of {closures.quota} "
        f"({closures.org_accounts} member accounts; closures in the last 30 days count too)."
    )


def render_markdown(report: DiffReport, learner_names: Iterable[str]) -> str:
    """Render the pull-request comment, with emails masked and learner names removed."""
    lines = [COMMENT_MARKER, "## Sandbox roster change: offline plan", ""]
    lines.append(f"Comparing `{report.head_label}` with `{report.base_label}` on the Pulumi mock engine, without AWS.")

    # Errors come first: a reviewer must see why the check fails before anything else.
    if report.failed:
        heading = f"> **{len(report.errors)} error(s): this change cannot be applied as is**, so the check fails."
        lines += ["", "> [!CAUTION]", heading]
        lines.extend(f"> - **ERROR:** {error}" for error in report.errors)

    lines.append("")
    lines.append(f"**Resources:** {counts_line(report)}.")
    if report.warnings:
        lines += ["", "> [!WARNING]"]
        lines.extend(f"> - **WARNING:** {warning}" for warning in report.warnings)

    lines += ["", "### Learners", ""]
    if report.learners.is_empty():
        lines.append("No learner changes.")
    else:
        lines += ["| change | learner | before | after | note |", "|---|---|---|---|---|"]
        for group, items in report.learners.groups():
            for item in items:
                lines.append(f"| {group} | `{item.id}` | {item.before} | {item.after} | {item.note} |")
    if report.guardrails:
        lines += ["", "### Guardrail policies", "", "| policy | change | size before | size after | attached to |"]
        lines.append("|---|---|---|---|---|")
        for policy in report.guardrails:
            lines.append(
                f"| `{policy.name}` | {policy.change} | {_size(policy.size_before)} | {_size(policy.size_after)} "
                f"| {', '.join(policy.targets)} |"
            )
    lines += ["", "### Account closures", "", _closures_sentence(report)]
    lines += _markdown_resources(report)
    return mask_personal_data("\n".join(lines) + "\n", learner_names, names_with_addresses(report))


def _markdown_resources(report: DiffReport) -> list[str]:
    listed = [
        change for change in report.resources.changes if change.op != "same" or change.renamed or change.protect
    ]
    if not listed:
        return ["", "### Resource changes", "", "No resource changes."]
    lines = ["", "### Resource changes", "", "<details><summary>"]
    lines.append(f"{len(listed)} resources ({counts_line(report)})</summary>")
    lines += ["", "```diff"]
    for change in listed:
        for index, line in enumerate(_text_resource(change)):
            # The diff fence colours "+" and "-" lines; updates and notes stay neutral.
            prefix = {"create": "+", "delete": "-", "replace": "!"}.get(change.op, " ") if index == 0 else " "
            lines.append(prefix + line[1:])
    lines += ["```", "", "</details>"]
    return lines

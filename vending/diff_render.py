"""Print a ``DiffReport`` as a pull-request comment (markdown), for a terminal (text) or as JSON.

Pull-request comments are public to everyone who can read the repository,
so the markdown form masks email addresses (``j***@example.com``) and never
shows learner names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from vending.diff import NEW_ID_AFTER_REPLACE, REF_PREFIX, ResourceChange
from vending.diff_summary import DiffReport

# Marks the sticky comment so CI can find and update it instead of adding another.
COMMENT_MARKER = "<!-- sandbox-vending:diff -->"
EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
OP_SYMBOLS = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "same": " "}
MAX_VALUE_CHARS = 120


def mask_email(text: str) -> str:
    """Replace every email address in ``text`` by its first character, ``***`` and the domain."""
    return EMAIL.sub(lambda found: f"{found.group(1)}***@{found.group(2)}", text)


def mask_personal_data(text: str, learner_names: Iterable[str]) -> str:
    """Mask emails and remove learner names (longest first, so "Jane Doe" goes before "Jane")."""
    for name in sorted({name for name in learner_names if name.strip()}, key=len, reverse=True):
        text = text.replace(name, "(name hidden)")
    return mask_email(text)


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
    for warning in report.warnings:
        lines.append(f"WARNING: {warning}")
    return "\n".join(lines)


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
    lines.extend(f"        ! {warning}" for warning in change.warnings)
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
            "max(250, 20% of member accounts), at most 1,000; give --org-accounts N to compare."
        )
    return (
        f"Account closures caused by this change: {closures.count} of a 30-day quota of {closures.quota} "
        f"({closures.org_accounts} member accounts; closures in the last 30 days count too)."
    )


def render_markdown(report: DiffReport, learner_names: Iterable[str]) -> str:
    """Render the pull-request comment, with emails masked and learner names removed."""
    lines = [COMMENT_MARKER, "## Sandbox roster change: offline plan", ""]
    lines.append(f"Comparing `{report.head_label}` with `{report.base_label}` on the Pulumi mock engine, without AWS.")
    lines.append("")
    lines.append(f"**Resources:** {counts_line(report)}.")
    if report.failed:
        lines += ["", "> [!CAUTION]", "> An AWS account would be REPLACED, which closes it: `sandboxctl diff` fails."]
    if report.warnings:
        lines += ["", "> [!WARNING]"]
        lines.extend(f"> - {warning}" for warning in report.warnings)
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
    return mask_personal_data("\n".join(lines) + "\n", learner_names)


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

"""Fill ``{{name}}`` placeholders in catalog statements with setting values.

Rules, checked on every string of a statement:

- A string that is exactly ``{{name}}`` becomes the setting's value; a list
  value inside a list is spliced into it.
- A list item that contains a list-valued placeholder among other text
  expands into one item per value: ``arn:aws:bedrock:{{allowedRegions}}:*``
  becomes one ARN per allowed Region.
- A string placeholder inside other text is substituted in place.

The braces cannot clash with IAM policy variables, which are written ``${...}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from vending.errors import GuardrailError

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}")
Value = str | int | float | bool | list[str]


def render(value: Any, variables: Mapping[str, Value], where: str) -> Any:
    """Return ``value`` with every placeholder filled in; raise ``GuardrailError`` on an unknown name."""
    if isinstance(value, dict):
        return {key: render(item, variables, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        rendered: list[Any] = []
        for index, item in enumerate(value):
            rendered.extend(_render_item(item, variables, f"{where}[{index}]"))
        return rendered
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole:
            return _lookup(whole.group(1), variables, where)
        expanded = _expand(value, variables, where)
        if len(expanded) != 1:
            raise GuardrailError(f"{where}: '{value}' expands to {len(expanded)} values; put it inside a list")
        return expanded[0]
    return value


def _render_item(item: Any, variables: Mapping[str, Value], where: str) -> list[Any]:
    if isinstance(item, str):
        whole = PLACEHOLDER.fullmatch(item)
        if whole:
            found = _lookup(whole.group(1), variables, where)
            return list(found) if isinstance(found, list) else [found]
        return list(_expand(item, variables, where))
    return [render(item, variables, where)]


def _expand(text: str, variables: Mapping[str, Value], where: str) -> list[str]:
    """Substitute placeholders inside ``text``; a list-valued one multiplies the result."""
    results = [text]
    for name in dict.fromkeys(PLACEHOLDER.findall(text)):
        found = _lookup(name, variables, where)
        pattern = re.compile(r"\{\{\s*" + re.escape(name) + r"\s*\}\}")
        values = [str(item) for item in found] if isinstance(found, list) else [str(found)]
        # A plain string replacement would read backslashes in values as regex escapes.
        results = [pattern.sub(_literal(value), result) for result in results for value in values]
    return results


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    def replace(_match: re.Match[str]) -> str:
        return text

    return replace


def _lookup(name: str, variables: Mapping[str, Value], where: str) -> Value:
    if name not in variables:
        known = ", ".join(sorted(variables))
        raise GuardrailError(f"{where}: unknown placeholder {{{{{name}}}}}; known names: {known}")
    return variables[name]

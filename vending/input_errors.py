"""Plain messages, each with a fix, for the pydantic errors of roster and stack config files.

pydantic's own messages name model classes ("instance of RosterFile") and
omit how to correct the value. ``describe`` turns one error of
``ValidationError.errors()`` into a message and a fix keyed by the error
type. The callers add what depends on the field, such as valid keys and id rules.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails

DEFAULT_FIX = "correct the value"
VALUE_ERROR_PREFIXES = ("Value error, ", "Assertion failed, ")


def yaml_kind(value: Any) -> str:
    """Return the YAML kind of a parsed value in the words a reader of the file uses."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def last_key(loc: tuple[Any, ...]) -> str:
    """Return the last mapping key of an error location, or '' at the top level."""
    for part in reversed(loc):
        if isinstance(part, str):
            return part
    return ""


def describe(item: ErrorDetails) -> tuple[str, str]:
    """Return (message, fix) for one pydantic error, never naming a model class."""
    kind = item["type"]
    ctx: dict[str, Any] = dict(item.get("ctx") or {})
    value = item.get("input")
    key = last_key(tuple(item["loc"]))

    if isinstance(ctx.get("fix"), str):
        # A validator's PydanticCustomError carries its own fix in the context.
        return item["msg"], ctx["fix"]
    if kind == "missing":
        return f"missing required key '{key}'", f"add '{key}'"
    if kind == "extra_forbidden":
        return f"unknown key '{key}'", "remove it or correct its spelling"
    if kind == "string_type":
        return f"must be text, not {yaml_kind(value)}", f'quote it, for example "{value}"'
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return "must not be empty", "write a value or remove the key"
        return f"must be at least {ctx.get('min_length')} characters", "write a longer value"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters", "shorten it"
    if kind == "string_pattern_mismatch":
        return f"does not match the pattern {ctx.get('pattern')}", "correct the value to match the pattern"
    if kind in ("float_parsing", "int_parsing", "float_type", "int_type"):
        whole = kind.startswith("int")
        example = "5" if whole else "150"
        if isinstance(value, str) and value.strip().startswith("$"):
            return (
                f"must be a number, not {yaml_kind(value)}",
                f"write the number without a currency sign, for example {example}",
            )
        noun = "a whole number" if whole else "a number"
        return f"must be {noun}, not {yaml_kind(value)}", f"write {noun} without quotes, for example {example}"
    if kind == "int_from_float":
        return "must be a whole number", "drop the fraction"
    if kind == "finite_number":
        return "must be a finite number", "write a number such as 50"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return _bound(kind, ctx)
    if kind == "too_short":
        count = ctx.get("min_length")
        return f"needs at least {count} item{'s' if count != 1 else ''}", "add the missing items"
    if kind == "too_long":
        return (
            f"has {ctx.get('actual_length')} items, but at most {ctx.get('max_length')} are allowed",
            "remove items",
        )
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}", f"use one of: {ctx.get('expected')}"
    if kind in ("bool_parsing", "bool_type"):
        return "must be true or false", "write true or false without quotes"
    if kind in ("date_from_datetime_parsing", "date_parsing"):
        reason = f" ({ctx['error']})" if "error" in ctx else ""
        return f"not a real calendar date{reason}", "write a real calendar date as YYYY-MM-DD"
    if kind in ("date_from_datetime_inexact", "date_type", "date_future", "date_past"):
        return "must be a date without a time", "write a real calendar date as YYYY-MM-DD"
    if kind == "list_type":
        return f"must be a list, not {yaml_kind(value)}", f"write a YAML list, for example {key or 'key'}: [a, b]"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be a mapping of keys to values, not {yaml_kind(value)}", "indent 'key: value' lines under it"
    if kind in ("value_error", "assertion_error"):
        return strip_value_error(item["msg"]), DEFAULT_FIX
    return item["msg"].replace("Input should be", "must be"), DEFAULT_FIX


def strip_value_error(message: str) -> str:
    """Drop the "Value error, " that pydantic puts before a validator's own message."""
    for prefix in VALUE_ERROR_PREFIXES:
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def _bound(kind: str, ctx: dict[str, Any]) -> tuple[str, str]:
    words = {
        "greater_than": ("greater than", "gt"),
        "greater_than_equal": ("at least", "ge"),
        "less_than": ("less than", "lt"),
        "less_than_equal": ("at most", "le"),
    }
    phrase, name = words[kind]
    limit = ctx.get(name)
    limit_text = str(int(limit)) if isinstance(limit, float) and limit.is_integer() else str(limit)
    if kind == "greater_than" and limit == 0:
        return "must be greater than 0", "use a positive number"
    return f"must be {phrase} {limit_text}", f"use a number {phrase} {limit_text}"

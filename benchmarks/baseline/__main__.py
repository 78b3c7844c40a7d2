"""Flat baseline program: the same custom resources as ``__main__.py``, in one plain loop.

The benchmark runs the real program first and writes what it registered
(type, name, inputs, protect, ignoreChanges, dependencies) to a JSON file
named by the ``baseline:spec`` config key. This program declares those
resources again with the same pulumi_aws classes, but with no components,
no roster validation and no Identity Center lookups. An input equal to the
id or ARN of an earlier resource is passed as that resource's output, so
the data dependencies match the real program's.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pulumi

# Map-typed properties whose keys are user data, not property names.
MAP_PROPERTIES = frozenset({"tags", "dimensions"})

spec = json.loads(Path(pulumi.Config("baseline").require("spec")).read_text(encoding="utf-8"))
by_value: dict[str, pulumi.Output[Any]] = {}
by_urn: dict[str, pulumi.CustomResource] = {}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def resource_class(token: str) -> Any:
    """Return the pulumi_aws class of a type token such as ``aws:organizations/account:Account``."""
    _, module_path, class_name = token.split(":")
    module = module_path.split("/")[0]
    return getattr(importlib.import_module(f"pulumi_aws.{module}"), class_name)


def link(value: Any, translate: bool) -> Any:
    """Replace ids and ARNs of earlier resources with their outputs; snake_case nested property names."""
    if isinstance(value, str):
        return by_value.get(value, value)
    if isinstance(value, list):
        return [link(item, translate) for item in value]
    if isinstance(value, dict):
        return {(snake(key) if translate else key): link(item, translate) for key, item in value.items()}
    return value


for entry in spec:
    kwargs = {snake(key): link(value, key not in MAP_PROPERTIES) for key, value in entry["inputs"].items()}
    resource = resource_class(entry["type"])(
        entry["name"],
        opts=pulumi.ResourceOptions(
            protect=entry["protect"],
            ignore_changes=entry["ignore_changes"] or None,
            depends_on=[by_urn[urn] for urn in entry["dependencies"] if urn in by_urn],
        ),
        **kwargs,
    )
    by_urn[entry["urn"]] = resource
    by_value[entry["id"]] = resource.id
    if isinstance(entry["outputs"].get("arn"), str):
        by_value[entry["outputs"]["arn"]] = resource.arn

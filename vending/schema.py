"""Print the roster JSON Schema: ``python -m vending.schema > config/roster.schema.json``."""

from __future__ import annotations

import json

from vending.roster import json_schema


def render() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(render(), end="")

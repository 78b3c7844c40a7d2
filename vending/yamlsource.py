"""Safe, size-bounded YAML loading that remembers the line of every value.

PyYAML's ``safe_load`` drops positions, silently keeps the last of two
duplicate keys and turns ``2027-02-30`` into an exception with no location.
Here the document is composed into nodes and converted by hand so that each
value's line is recorded under its path, duplicate keys are reported, and
dates stay strings for the model to parse and report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vending.errors import Problem, ValidationError

MAX_BYTES = 4 * 1024 * 1024
# An alias can point at a large subtree many times ("billion laughs"); the
# converter counts every node it produces and stops here.
MAX_NODES = 2_000_000
# libyaml's C parser composes the same nodes, with the same line marks, about
# ten times faster than the pure-Python one; PyYAML wheels include it.
COMPOSE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PathKey = tuple[str | int, ...]


@dataclass
class SourceMap:
    """Line numbers (1-based) of every mapping key, sequence item and scalar, by path."""

    file: str
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: Iterable[str | int]) -> int | None:
        """Return the line of ``path`` or of its nearest ancestor that has one."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)


def format_path(path: Iterable[str | int]) -> str:
    """Render ``("teams", 0, "id")`` as ``teams[0].id``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class _Converter:
    def __init__(self, file: str) -> None:
        self.source = SourceMap(file)
        self.problems: list[Problem] = []
        self.nodes = 0
        # Resolves plain scalars (ints, floats, booleans, null) exactly as safe_load would.
        self._constructor = yaml.SafeLoader("")

    def convert(self, node: yaml.Node, path: PathKey) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ValidationError(
                [
                    Problem(
                        self.source.file,
                        node.start_mark.line + 1,
                        format_path(path),
                        None,
                        f"document expands to more than {MAX_NODES} values",
                        "remove YAML aliases that repeat large blocks",
                    )
                ],
                subject=self.source.file,
            )
        self.source.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, index)) for index, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value
        return self._constructor.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(
                    Problem(
                        self.source.file,
                        line,
                        format_path(path),
                        None,
                        "mapping keys must be plain strings",
                        "write the key as a plain word, not a list or mapping",
                    )
                )
                continue
            key = str(key_node.value)
            if key in result:
                self.problems.append(
                    Problem(
                        self.source.file,
                        line,
                        format_path((*path, key)),
                        key,
                        "duplicate key; YAML would silently keep only the last one",
                        "remove or merge the repeated key",
                    )
                )
                continue
            self.source.lines[(*path, key)] = line
            result[key] = self.convert(value_node, (*path, key))
        return result


def load_yaml_text(text: str, file: str) -> tuple[Any, SourceMap]:
    """Parse one YAML document, returning its data and the line of every value.

    Raises ``ValidationError`` for syntax errors, duplicate keys, several
    documents in one file and oversized input.
    """
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ValidationError(
            [Problem(file, None, "", None, f"file is larger than {MAX_BYTES} bytes", "split the roster into stacks")],
            subject=file,
        )
    try:
        node = yaml.compose(text, Loader=COMPOSE_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        message = f"invalid YAML: {error.problem or error.context}"
        raise ValidationError(
            [Problem(file, line, "", None, message, "correct the YAML syntax at that line")], subject=file
        ) from None
    except yaml.YAMLError as error:
        raise ValidationError(
            [Problem(file, None, "", None, f"invalid YAML: {error}", "correct the YAML syntax")], subject=file
        ) from None
    converter = _Converter(file)
    if node is None:
        return None, converter.source
    data = converter.convert(node, ())
    if converter.problems:
        raise ValidationError(converter.problems, subject=file)
    return data, converter.source


def load_yaml_file(path: Path, display_name: str | None = None) -> tuple[Any, SourceMap]:
    """Read and parse ``path``; see ``load_yaml_text``."""
    name = display_name or str(path)
    if path.is_dir():
        raise ValidationError(
            [Problem(name, None, "", None, "not a file: the path is a directory", "name the YAML file itself")],
            subject=name,
        )
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ValidationError(
                [Problem(name, None, "", size, f"file is larger than {MAX_BYTES} bytes", "split it across stacks")],
                subject=name,
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(
            [Problem(name, None, "", None, "file not found", "check the path")], subject=name
        ) from None
    except OSError as error:
        # PermissionError, a FIFO or socket, a broken mount: report it like any other bad input.
        reason = error.strerror or type(error).__name__
        problem = Problem(name, None, "", None, f"cannot read the file: {reason}", "check its path and permissions")
        raise ValidationError([problem], subject=name) from None
    except UnicodeDecodeError as error:
        raise ValidationError(
            [Problem(name, None, "", None, f"file is not UTF-8 text ({error.reason})", "save it as UTF-8")],
            subject=name,
        ) from None
    return load_yaml_text(text, name)

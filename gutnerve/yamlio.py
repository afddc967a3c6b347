"""Reading YAML safely, with line numbers, for the knowledge base and case files.

Only the safe subset of YAML is accepted: no Python tags, and no aliases
(an alias bomb would otherwise expand into gigabytes). Mappings remember the
line of each key so that validation messages can say `file:line`.
"""

from __future__ import annotations

from typing import Any

import yaml

try:  # the C parser is ~10x faster; fall back to pure Python where it is missing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class LineDict(dict[str, Any]):
    """A dict that knows the 1-based line of each of its keys."""

    lines: dict[str, int]
    line: int


class _Loader(_BaseLoader):
    def construct_object(self, node: Any, deep: bool = False) -> Any:
        # An alias (*name) is the same node met a second time. (Checked here, not
        # in compose_node, because the C parser composes nodes in C.)
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.YAMLError(f"line {node.start_mark.line + 1}: YAML aliases (*name) are not allowed in gutnerve files")
        return super().construct_object(node, deep)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.lines = {}
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.YAMLError(f"line {key_node.start_mark.line + 1}: a mapping key must be plain text")
        key = str(key)
        if key in result:
            raise yaml.YAMLError(f"line {key_node.start_mark.line + 1}: duplicate key '{key}'")
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str) -> Any:
    """Parse one YAML document. Raises yaml.YAMLError with a one-line message."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise yaml.YAMLError(_one_line(f"{where}{error.problem or error}")) from None
    except yaml.reader.ReaderError as error:  # a control character or similar: not a MarkedYAMLError
        line = text.count("\n", 0, error.position) + 1
        code = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "?")
        raise yaml.YAMLError(f"line {line}: unacceptable character #x{code:04x}: {error.reason}") from None
    except yaml.YAMLError as error:
        raise yaml.YAMLError(_one_line(str(error))) from None
    except RecursionError:
        raise yaml.YAMLError("nesting is too deep") from None


def _one_line(message: str) -> str:
    return " ".join(message.split())


def line_of(data: Any, key: str | None = None) -> int | None:
    """The line of `key` in a mapping read by parse_yaml, or of the mapping itself."""
    if isinstance(data, LineDict):
        if key is not None and key in data.lines:
            return data.lines[key]
        return data.line
    return None

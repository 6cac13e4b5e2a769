"""YAML and JSON loading for ROS templates: short-form tags, strict keys, bounded size.

Templates come from files users download and from the network, so the loader refuses
duplicate keys (a template that means two things), alias bombs and absurd nesting before any
other code walks the tree.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from rostray.core.strictjson import strict_hooks

MAX_TEMPLATE_BYTES = 524_288  # ROS's TemplateBody limit
MAX_DEPTH = 128
MAX_NODES = 1_000_000  # counted with multiplicity, so YAML aliases cannot hide a bomb


class LoadError(ValueError):
    """The document is not a well-formed template document; the message says where."""


_STRICT = strict_hooks(LoadError, lambda key: _clip(repr(key)))


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader with ROS short-form tags, no implicit dates, and duplicate-key errors."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        # Composition recurses once per nesting level; stop at the limit instead of letting a
        # 500 KB run of "[" recurse until RecursionError (seconds of CPU per request).
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 1:  # the document's top node is depth 0
                raise LoadError(f"document is nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1


# ROS compares the version as a string; YAML would turn 2015-09-01 into a date.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise LoadError(f"line {key_node.start_mark.line + 1}: mapping keys must be scalars")
        if key in result:
            line = key_node.start_mark.line + 1
            raise LoadError(f"line {line}: duplicate key {_clip(repr(key))}")
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _construct_short_tag(loader: _StrictLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = _construct_mapping(loader, node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [resource, attribute]}
    return {f"Fn::{suffix}": value}


def _construct_timestamp_text(loader: _StrictLoader, node: yaml.ScalarNode) -> str:
    """An explicit ``!!timestamp`` stays text, like the implicit dates above (PyYAML's own
    constructor crashes with AttributeError on text its regex does not match)."""
    return str(loader.construct_scalar(node))


def _construct_bool(loader: _StrictLoader, node: yaml.ScalarNode) -> bool:
    """PyYAML's raises KeyError for ``!!bool maybe``."""
    text = str(loader.construct_scalar(node))
    if text.lower() not in loader.bool_values:
        raise LoadError(f"line {node.start_mark.line + 1}: {text[:40]!r} is not a boolean")
    return loader.bool_values[text.lower()]


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_text)
_StrictLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
_StrictLoader.add_multi_constructor("!", _construct_short_tag)


class _CStrictLoader(_StrictLoader):
    """``_StrictLoader`` with libyaml's C scanner and parser underneath: about 5× faster on
    the bundled samples. Only the events come from C; composing and constructing stay in the
    Python classes above, so the depth guard, the short-form tags, duplicate-key errors and
    the date rule all still apply (``yaml.CSafeLoader`` whole would compose in C, past the
    depth guard)."""

    def __init__(self, stream: str) -> None:
        from yaml._yaml import CParser  # only where PyYAML was built with libyaml

        self._events = CParser(stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def check_event(self, *choices: Any) -> bool:
        return bool(self._events.check_event(*choices))

    def peek_event(self) -> Any:
        return self._events.peek_event()

    def get_event(self) -> Any:
        return self._events.get_event()

    def dispose(self) -> None:
        self._events.dispose()


_LOADER: type[_StrictLoader] = _CStrictLoader if yaml.__with_libyaml__ else _StrictLoader


def check_bounds(document: Any) -> None:
    """Walk the tree once, counting shared nodes every time they are reached."""
    stack: list[tuple[Any, int]] = [(document, 0)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise LoadError(f"document expands to more than {MAX_NODES:,} values")
        if depth > MAX_DEPTH:
            raise LoadError(f"document is nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


def load_document(data: str | bytes, *, max_bytes: int = MAX_TEMPLATE_BYTES) -> Any:
    """Parse JSON or YAML text into plain Python values (dict/list/str/int/float/bool/None)."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise LoadError(f"template is {len(raw):,} bytes; the limit is {max_bytes:,} bytes")
    if not raw.strip():
        raise LoadError("template is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"template is not UTF-8 text (byte {exc.start})") from None
    try:
        if text.lstrip().startswith("{"):
            document = _load_json(text)
        else:
            document = yaml.load(text, Loader=_LOADER)  # a strict SafeLoader subclass
    except LoadError:
        raise
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(getattr(exc, "problem", "")):
            # libyaml's own limit (1,000 levels) may trip first, while it scans ahead
            raise LoadError(f"document is nested deeper than {MAX_DEPTH} levels") from None
        raise LoadError(_yaml_error_text(exc)) from None
    except RecursionError:
        raise LoadError(f"document is nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # e.g. an integer longer than Python's 4,300-digit limit
        raise LoadError(_value_error_text(exc)) from None
    except (AttributeError, KeyError, TypeError, IndexError) as exc:
        # PyYAML's constructors for explicit tags (!!map, !!omap, …) assume well-formed nodes
        # and fail with these on hostile ones; found by fuzzing (tests/security, fuzz/).
        raise LoadError(f"invalid YAML value ({type(exc).__name__})") from None
    check_bounds(document)
    return document


def _load_json(text: str) -> Any:
    try:
        return json.loads(text, **_STRICT)
    except json.JSONDecodeError as exc:
        raise LoadError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


def _value_error_text(exc: ValueError) -> str:
    if "integer string conversion" in str(exc):
        return f"a number has more than {sys.get_int_max_str_digits():,} digits"
    return f"invalid value: {_clip(str(exc))}"


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _yaml_error_text(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = _clip(getattr(exc, "problem", None) or str(exc), 160)  # may quote the input
    if mark is not None:
        return f"invalid YAML at line {mark.line + 1} column {mark.column + 1}: {problem}"
    return f"invalid YAML: {problem}"

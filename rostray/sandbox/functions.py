"""ROS template functions for the sandbox: evaluation, conditions and a static reference scan.

Templates are untrusted input. Every function checks its argument shapes and raises the ROS
error (naming the function) rather than a Python exception; nesting, node count and output
sizes are bounded; the two small languages inside templates (Fn::Calculate arithmetic and the
Fn::Jq subset) have hand-written parsers, so nothing a template says ever reaches eval().
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeVar

from rostray.sandbox.errors import RosApiError, invalid_template, not_supported

MAX_DEPTH: Final = 150  # above the loader's 128, so any loadable template can be evaluated
MAX_NODES: Final = 1_000_000  # nodes visited per evaluation; stops YAML-alias amplification
MAX_STRING: Final = 1024 * 1024  # characters in one function result (Join, Sub, Replace, ...)
MAX_ITEMS: Final = 100_000  # items in one list a function builds
NO_VALUE_REF: Final = "ALIYUN::NoValue"

_T = TypeVar("_T")


class _NoValueType:
    """Type of NO_VALUE; copies and pickles stay the singleton so identity checks keep working."""

    _instance: _NoValueType | None = None

    def __new__(cls) -> _NoValueType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"

    def __copy__(self) -> _NoValueType:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _NoValueType:
        return self

    def __reduce__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Final = _NoValueType()


class Context(Protocol):
    """What evaluation needs from the stack: lookups the engine owns."""

    region: str
    mappings: Mapping[str, Any]

    def ref(self, name: str) -> Any: ...

    def get_att(self, resource: str, attribute: str) -> Any: ...

    def condition(self, name: str) -> bool: ...


@dataclass(frozen=True)
class References:
    """Names a subtree uses, found without evaluating it (for validation and dependencies)."""

    refs: frozenset[str]
    attributes: frozenset[tuple[str, str]]
    conditions: frozenset[str]


# --------------------------------------------------------------------------- public API


def evaluate(node: Any, ctx: Context) -> Any:
    """Resolve every function in ``node``; returns a new tree without NO_VALUE inside it."""
    return _guarded(lambda: _Evaluator(ctx).eval(node, 0))


def evaluate_condition(node: Any, ctx: Context) -> bool:
    """Evaluate one Conditions-section expression to a bool."""
    return _guarded(lambda: _Evaluator(ctx).condition(node, 0, "Condition"))


def find_references(node: Any) -> References:
    """Scan ``node`` statically for Ref, GetAtt, Sub variables and condition names.

    The walk is iterative and visits each shared container once, so neither deep nesting nor
    YAML aliases can make it slow or overflow the stack.
    """
    found = _Found(set(), set(), set())
    stack: list[Any] = [node]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if not isinstance(item, dict | list) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, list):
            stack.extend(item)
        elif len(item) == 1:
            key, value = next(iter(item.items()))
            found.scan_call(key, value, stack)
        else:
            stack.extend(item.values())
    return References(
        frozenset(found.refs), frozenset(found.attributes), frozenset(found.conditions)
    )


# --------------------------------------------------------------------------- shared helpers


def _guarded(run: Callable[[], _T]) -> _T:
    """Turn a Python stack overflow into a ROS error; the depth limits should make it rare."""
    try:
        return run()
    except RecursionError:
        raise invalid_template("Template nesting is too deep to evaluate") from None


def _function_name(node: dict[Any, Any]) -> str | None:
    """The function a one-key dict calls, or None for a plain mapping."""
    if len(node) != 1:
        return None
    key = next(iter(node))
    if isinstance(key, str) and (key == "Ref" or key.startswith("Fn::")):
        return key
    return None


def _brief(value: Any) -> str:
    """A short repr for error messages; template values can be huge."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _args(fn: str, value: Any, count: int | None = None, minimum: int | None = None) -> list[Any]:
    """Check that ``value`` is an argument list of the expected length."""
    if not isinstance(value, list):
        raise invalid_template(f"{fn}: arguments must be a list")
    if count is not None and len(value) != count:
        raise invalid_template(f"{fn}: expected {count} arguments, got {len(value)}")
    if minimum is not None and len(value) < minimum:
        raise invalid_template(f"{fn}: expected at least {minimum} arguments, got {len(value)}")
    return value


def _check_size(fn: str, text: str) -> str:
    if len(text) > MAX_STRING:
        raise invalid_template(f"{fn}: result is larger than {MAX_STRING} characters")
    return text


def _check_items(fn: str, items: list[Any]) -> list[Any]:
    if len(items) > MAX_ITEMS:
        raise invalid_template(f"{fn}: result has more than {MAX_ITEMS} items")
    return items


def _to_text(value: Any, fn: str) -> str:
    """Stringify a value the way ROS does inside strings: JSON spelling for non-strings."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict | list):
        try:
            return _check_size(fn, json.dumps(value, ensure_ascii=False))
        except (TypeError, ValueError):
            raise invalid_template(f"{fn}: value {_brief(value)} cannot be a string") from None
    raise invalid_template(f"{fn}: value {_brief(value)} cannot be a string")


_INT_TEXT = re.compile(r"[+-]?\d+")


def _to_number(value: Any, fn: str) -> int | float:
    """A template number: ints, finite floats, or strings that spell one (parameters often do)."""
    if isinstance(value, bool):
        raise invalid_template(f"{fn}: {_brief(value)} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _INT_TEXT.fullmatch(text) and len(text) <= 4300:
            return int(text)
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            return number
    raise invalid_template(f"{fn}: {_brief(value)} is not a number")


def _to_int(value: Any, fn: str, what: str) -> int:
    number = _to_number(value, fn)
    if isinstance(number, float):
        if not number.is_integer():
            raise invalid_template(f"{fn}: {what} must be an integer")
        return int(number)
    return number


def _values_equal(a: Any, b: Any) -> bool:
    """ROS-style equality, tolerant of the string/number/bool spellings parameters arrive in."""
    if isinstance(a, bool) or isinstance(b, bool):
        if isinstance(a, bool) and isinstance(b, bool):
            return a == b
        other, flag = (b, a) if isinstance(a, bool) else (a, b)
        return isinstance(other, str) and other.strip().lower() == ("true" if flag else "false")
    if isinstance(a, str) and isinstance(b, int | float):
        return _number_text_equal(a, b)
    if isinstance(b, str) and isinstance(a, int | float):
        return _number_text_equal(b, a)
    return bool(a == b)


def _number_text_equal(text: str, number: float) -> bool:
    try:
        return _to_number(text, "Fn::Equals") == number
    except RosApiError:
        return False


def _as_bool(value: Any, where: str) -> bool:
    """A condition result: a bool, or the strings true/false that Boolean parameters become."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise invalid_template(f"{where}: condition must evaluate to a boolean, got {_brief(value)}")


_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _sub_parts(template: str) -> Iterator[tuple[str, bool]]:
    """Split an Fn::Sub template into (text, is_variable) pieces; ${!X} is the literal ${X}."""
    position = 0
    for match in _SUB_VARIABLE.finditer(template):
        if match.start() > position:
            yield template[position : match.start()], False
        inner = match.group(1)
        if inner.startswith("!"):
            yield "${" + inner[1:] + "}", False
        else:
            yield inner.strip(), True
        position = match.end()
    if position < len(template):
        yield template[position:], False


@dataclass
class _Found:
    """Mutable accumulator behind find_references."""

    refs: set[str]
    attributes: set[tuple[str, str]]
    conditions: set[str]

    def scan_call(self, key: Any, value: Any, stack: list[Any]) -> None:
        """Record what one single-key dict names and queue what still needs scanning."""
        if key == "Ref" and isinstance(value, str):
            self.refs.add(value)
        elif key == "Condition" and isinstance(value, str):
            self.conditions.add(value)
        elif key == "Fn::GetAtt":
            self._scan_get_att(value, stack)
        elif key == "Fn::Sub":
            self._scan_sub(value, stack)
        elif key == "Fn::If" and isinstance(value, list) and value and isinstance(value[0], str):
            self.conditions.add(value[0])
            stack.extend(value[1:])
        else:
            stack.append(value)

    def _scan_get_att(self, value: Any, stack: list[Any]) -> None:
        if isinstance(value, str):
            resource, dot, attribute = value.partition(".")
            if dot and resource and attribute:
                self.attributes.add((resource, attribute))
            return
        if isinstance(value, list) and len(value) >= 2 and isinstance(value[0], str):
            if isinstance(value[1], str):
                self.attributes.add((value[0], value[1]))
            else:  # attribute chosen at run time: still a dependency on the resource
                self.refs.add(value[0])
            stack.extend(value[1:])
            return
        stack.append(value)

    def _scan_sub(self, value: Any, stack: list[Any]) -> None:
        template, variables = value, {}
        if isinstance(value, list) and len(value) == 2 and isinstance(value[1], dict):
            template, variables = value
            stack.extend(variables.values())
        if not isinstance(template, str):
            stack.append(template)
            return
        for text, is_variable in _sub_parts(template):
            if not is_variable or text in variables:
                continue
            resource, dot, attribute = text.partition(".")
            if dot and resource and attribute:
                self.attributes.add((resource, attribute))
            elif text:
                self.refs.add(text)


# --------------------------------------------------------------------------- the evaluator


class _Evaluator:
    """One evaluation run: the context plus the depth and node budget that bound it."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.nodes = 0

    def charge(self, depth: int) -> None:
        """Count one visited node; refuse absurd nesting or sizes with a ROS error."""
        if depth > MAX_DEPTH:
            raise invalid_template(f"Template nesting is deeper than {MAX_DEPTH} levels")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise invalid_template(f"Template is too large to evaluate (over {MAX_NODES} nodes)")

    def eval(self, node: Any, depth: int) -> Any:
        self.charge(depth)
        if isinstance(node, dict):
            name = _function_name(node)
            if name is not None:
                return self.call(name, node[name], depth + 1)
            return self._eval_dict(node, depth + 1)
        if isinstance(node, list):
            return self._eval_list(node, depth + 1)
        return node

    def _eval_dict(self, node: dict[Any, Any], depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key, value in node.items():
            evaluated = self.eval(value, depth)
            if evaluated is not NO_VALUE:
                result[key] = evaluated
        return result

    def _eval_list(self, node: list[Any], depth: int) -> list[Any]:
        result: list[Any] = []
        for item in node:
            evaluated = self.eval(item, depth)
            if evaluated is not NO_VALUE:
                result.append(evaluated)
        return result

    def call(self, name: str, raw: Any, depth: int) -> Any:
        """Apply one function; lazy ones see raw arguments, eager ones evaluated ones."""
        lazy = _LAZY.get(name)
        if lazy is not None:
            return lazy(self, raw, depth)
        eager = _EAGER.get(name)
        if eager is None:
            if name in _UNSUPPORTED:
                raise not_supported(f"{name} is not supported by the ROS sandbox")
            raise invalid_template(f"Unknown function {name}")
        return eager(self.eval(raw, depth), self)

    def condition(self, node: Any, depth: int, where: str) -> bool:
        """Evaluate a condition expression, where {"Condition": name} is also allowed."""
        self.charge(depth)
        if isinstance(node, dict) and len(node) == 1 and "Condition" in node:
            name = node["Condition"]
            if not isinstance(name, str):
                raise invalid_template(f"{where}: Condition must be a condition name")
            return bool(self.ctx.condition(name))
        return _as_bool(self.eval(node, depth + 1), where)


# --------------------------------------------------------------------------- lazy functions


def _fn_if(ev: _Evaluator, raw: Any, depth: int) -> Any:
    """Fn::If evaluates only the chosen branch, so the other may reference absent things."""
    condition, if_true, if_false = _args("Fn::If", raw, 3)
    depth += 1  # the argument list is a nesting level, as it is for eager functions
    if isinstance(condition, str):
        chosen = ev.ctx.condition(condition)
    else:
        chosen = ev.condition(condition, depth, "Fn::If")
    return ev.eval(if_true if chosen else if_false, depth)


def _fn_and(ev: _Evaluator, raw: Any, depth: int) -> bool:
    items = _args("Fn::And", raw, minimum=2)
    return all(ev.condition(item, depth + 1, "Fn::And") for item in items)


def _fn_or(ev: _Evaluator, raw: Any, depth: int) -> bool:
    items = _args("Fn::Or", raw, minimum=2)
    return any(ev.condition(item, depth + 1, "Fn::Or") for item in items)


def _fn_not(ev: _Evaluator, raw: Any, depth: int) -> bool:
    if isinstance(raw, list):
        (raw,) = _args("Fn::Not", raw, 1)
        depth += 1
    return not ev.condition(raw, depth, "Fn::Not")


# --------------------------------------------------------------------------- lookups


def _fn_ref(name: Any, ev: _Evaluator) -> Any:
    if not isinstance(name, str) or not name:
        raise invalid_template(f"Ref: the name must be a non-empty string, got {_brief(name)}")
    if name == NO_VALUE_REF:
        return NO_VALUE
    return copy.deepcopy(ev.ctx.ref(name))


def _split_get_att(value: Any) -> tuple[str, str]:
    """GetAtt takes [resource, attribute] or "resource.attribute" (the attribute may hold dots)."""
    if isinstance(value, str):
        resource, _, attribute = value.partition(".")
    elif isinstance(value, list) and len(value) == 2:
        resource, attribute = value
    else:
        resource = attribute = None
    if not (isinstance(resource, str) and isinstance(attribute, str) and resource and attribute):
        raise invalid_template(
            f"Fn::GetAtt: expected [resource, attribute] or 'resource.attribute', "
            f"got {_brief(value)}"
        )
    return resource, attribute


def _fn_get_att(value: Any, ev: _Evaluator) -> Any:
    resource, attribute = _split_get_att(value)
    return copy.deepcopy(ev.ctx.get_att(resource, attribute))


def _mapping_get(container: Any, key: Any) -> Any:
    """Look a key up as given, then as text (YAML may have made 80 an int key)."""
    if not isinstance(container, Mapping):
        raise KeyError(key)
    if key in container:
        return container[key]
    for candidate in container:
        if _to_text(candidate, "Fn::FindInMap") == _to_text(key, "Fn::FindInMap"):
            return container[candidate]
    raise KeyError(key)


def _fn_find_in_map(args: Any, ev: _Evaluator) -> Any:
    map_name, first, second = _args("Fn::FindInMap", args, 3)
    if not all(isinstance(key, str | int | float) for key in (map_name, first, second)):
        raise invalid_template("Fn::FindInMap: map name and keys must be strings")
    try:
        value = _mapping_get(_mapping_get(_mapping_get(ev.ctx.mappings, map_name), first), second)
    except KeyError:
        raise invalid_template(
            f"Fn::FindInMap: no value for [{map_name}, {first}, {second}] in Mappings"
        ) from None
    return copy.deepcopy(value)


_ZONES: Final[Mapping[str, tuple[str, ...]]] = {
    "cn-hangzhou": ("cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k"),
    "cn-shanghai": ("cn-shanghai-b", "cn-shanghai-e", "cn-shanghai-f", "cn-shanghai-g"),
    "cn-beijing": ("cn-beijing-a", "cn-beijing-c", "cn-beijing-f", "cn-beijing-g"),
    "cn-shenzhen": ("cn-shenzhen-a", "cn-shenzhen-d", "cn-shenzhen-e", "cn-shenzhen-f"),
    "cn-hongkong": ("cn-hongkong-b", "cn-hongkong-c", "cn-hongkong-d"),
    "ap-southeast-1": ("ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"),
    "us-west-1": ("us-west-1a", "us-west-1b"),
    "eu-central-1": ("eu-central-1a", "eu-central-1b", "eu-central-1c"),
}


def _fn_get_azs(region: Any, ev: _Evaluator) -> list[str]:
    """A fixed zone table: the sandbox has no cloud to ask, and tests need determinism."""
    if region is None or region == "":
        region = ev.ctx.region
    if not isinstance(region, str):
        raise invalid_template(f"Fn::GetAZs: region must be a string, got {_brief(region)}")
    return list(_ZONES.get(region, (f"{region}-a", f"{region}-b")))


# --------------------------------------------------------------------------- strings


def _fn_join(args: Any, ev: _Evaluator) -> str:
    delimiter, items = _args("Fn::Join", args, 2)
    if not isinstance(delimiter, str):
        raise invalid_template("Fn::Join: delimiter must be a string")
    if not isinstance(items, list):
        raise invalid_template("Fn::Join: values must be a list")
    texts = [_to_text(item, "Fn::Join") for item in items]
    total = sum(map(len, texts)) + len(delimiter) * max(len(texts) - 1, 0)
    if total > MAX_STRING:
        raise invalid_template(f"Fn::Join: result is larger than {MAX_STRING} characters")
    return delimiter.join(texts)


def _fn_sub(args: Any, ev: _Evaluator) -> str:
    if isinstance(args, str):
        template, variables = args, {}
    elif (
        isinstance(args, list)
        and len(args) == 2
        and isinstance(args[0], str)
        and isinstance(args[1], dict)
    ):
        template, variables = args
    else:
        raise invalid_template("Fn::Sub: expected a string or [string, {name: value}]")
    pieces: list[str] = []
    size = 0
    for text, is_variable in _sub_parts(template):
        piece = _sub_value(text, variables, ev) if is_variable else text
        size += len(piece)
        if size > MAX_STRING:
            raise invalid_template(f"Fn::Sub: result is larger than {MAX_STRING} characters")
        pieces.append(piece)
    return "".join(pieces)


def _sub_value(name: str, variables: Mapping[str, Any], ev: _Evaluator) -> str:
    """${Name}: the variable map first, then Res.Attr as GetAtt, then a Ref."""
    if not name:
        raise invalid_template("Fn::Sub: empty variable ${}")
    if name in variables:
        return _to_text(variables[name], "Fn::Sub")
    resource, dot, attribute = name.partition(".")
    if dot and resource and attribute:
        return _to_text(ev.ctx.get_att(resource, attribute), "Fn::Sub")
    if name == NO_VALUE_REF:
        return ""
    return _to_text(ev.ctx.ref(name), "Fn::Sub")


def _fn_split(args: Any, ev: _Evaluator) -> list[str]:
    delimiter, text = _args("Fn::Split", args, 2)
    if not isinstance(delimiter, str) or not delimiter:
        raise invalid_template("Fn::Split: delimiter must be a non-empty string")
    if not isinstance(text, str):
        raise invalid_template(f"Fn::Split: value must be a string, got {_brief(text)}")
    return _check_items("Fn::Split", text.split(delimiter))


def _fn_replace(args: Any, ev: _Evaluator) -> str:
    replacements, text = _args("Fn::Replace", args, 2)
    if not isinstance(replacements, dict):
        raise invalid_template("Fn::Replace: first argument must be a mapping {old: new}")
    if not isinstance(text, str):
        raise invalid_template(f"Fn::Replace: value must be a string, got {_brief(text)}")
    for old, new in replacements.items():
        old_text = _to_text(old, "Fn::Replace")
        if not old_text:
            raise invalid_template("Fn::Replace: the text to replace must not be empty")
        new_text = _to_text(new, "Fn::Replace")
        grown = text.count(old_text) * (len(new_text) - len(old_text))
        if len(text) + grown > MAX_STRING:
            raise invalid_template(f"Fn::Replace: result is larger than {MAX_STRING} characters")
        text = text.replace(old_text, new_text)
    return text


def _fn_str(value: Any, ev: _Evaluator) -> str:
    if isinstance(value, dict | list) or value is None:
        raise invalid_template(f"Fn::Str: value must be a number, got {_brief(value)}")
    return _to_text(value, "Fn::Str")


def _fn_base64_encode(value: Any, ev: _Evaluator) -> str:
    if isinstance(value, dict | list) or value is None:
        raise invalid_template(f"Fn::Base64Encode: value must be a string, got {_brief(value)}")
    raw = _to_text(value, "Fn::Base64Encode").encode("utf-8")
    # ROS's encoder ends its output with a newline; keep it so outputs compare byte for byte.
    return _check_size("Fn::Base64Encode", base64.b64encode(raw).decode("ascii") + "\n")


def _fn_base64_decode(value: Any, ev: _Evaluator) -> str:
    if not isinstance(value, str):
        raise invalid_template(f"Fn::Base64Decode: value must be a string, got {_brief(value)}")
    try:
        decoded = base64.b64decode(re.sub(r"\s+", "", value), validate=True)
        return decoded.decode("utf-8")
    except (binascii.Error, ValueError):
        raise invalid_template("Fn::Base64Decode: value is not base64-encoded UTF-8") from None


def _fn_length(value: Any, ev: _Evaluator) -> int:
    if not isinstance(value, str | list | dict):
        raise invalid_template(
            f"Fn::Length: value must be a string, list or mapping, got {_brief(value)}"
        )
    return len(value)


def _fn_match_pattern(args: Any, ev: _Evaluator) -> bool:
    pattern, value = _args("Fn::MatchPattern", args, 2)
    if not isinstance(pattern, str) or len(pattern) > 1024:
        raise invalid_template("Fn::MatchPattern: pattern must be a string of at most 1024 chars")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise invalid_template(f"Fn::MatchPattern: invalid pattern: {exc}") from None
    return compiled.fullmatch(_to_text(value, "Fn::MatchPattern")) is not None


# --------------------------------------------------------------------------- JSON values


def _parse_json(fn: str, value: Any) -> Any:
    """Functions that take "a JSON string" also take the already-parsed value."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise invalid_template(f"{fn}: value is not valid JSON: {_brief(value)}") from None


def _fn_get_json_value(args: Any, ev: _Evaluator) -> Any:
    key, document = _args("Fn::GetJsonValue", args, 2)
    if not isinstance(key, str):
        raise invalid_template("Fn::GetJsonValue: key must be a string")
    parsed = _parse_json("Fn::GetJsonValue", document)
    if not isinstance(parsed, dict):
        raise invalid_template("Fn::GetJsonValue: value must be a JSON object")
    if key not in parsed:
        raise invalid_template(f"Fn::GetJsonValue: key {key!r} not found")
    return parsed[key]


def _fn_jq(args: Any, ev: _Evaluator) -> Any:
    method, script, document = _args("Fn::Jq", args, 3)
    if method not in ("First", "All"):
        raise invalid_template(f"Fn::Jq: method must be First or All, got {_brief(method)}")
    if not isinstance(script, str):
        raise invalid_template("Fn::Jq: script must be a string")
    data = _parse_json("Fn::Jq", document)
    try:
        results = _jq_run(_JqParser(script).parse(), data)
    except _JqError as exc:
        raise invalid_template(f"Fn::Jq: {exc}") from None
    # Copy each result on its own: one deepcopy of the list would keep shared items shared.
    results = [copy.deepcopy(result) for result in results]
    if method == "First":
        return results[0] if results else None
    return results


# --------------------------------------------------------------------------- selection


def _fn_select(args: Any, ev: _Evaluator) -> Any:
    """Index, "start:stop[:step]" slice or key; a miss gives the default ("" unless given)."""
    items = _args("Fn::Select", args)
    if len(items) not in (2, 3):
        raise invalid_template(f"Fn::Select: expected 2 or 3 arguments, got {len(items)}")
    index, target = items[0], items[1]
    default = items[2] if len(items) == 3 else ""
    if isinstance(target, str):
        target = _parse_json("Fn::Select", target)
    if target is None:
        return default
    if isinstance(target, dict):
        return _select_key(target, index, default)
    if not isinstance(target, list):
        raise invalid_template(
            f"Fn::Select: can only select from a list or mapping, got {_brief(target)}"
        )
    if isinstance(index, str) and ":" in index:
        return target[_parse_slice(index)]
    position = _select_index(index)
    return target[position] if -len(target) <= position < len(target) else default


def _select_key(target: dict[Any, Any], key: Any, default: Any) -> Any:
    if not isinstance(key, str | int | float) or isinstance(key, bool):
        raise invalid_template("Fn::Select: key must be a string")
    try:
        return _mapping_get(target, key)
    except KeyError:
        return default


def _select_index(index: Any) -> int:
    if isinstance(index, int) and not isinstance(index, bool):
        return index
    if isinstance(index, str) and _INT_TEXT.fullmatch(index.strip()):
        return int(index)
    raise invalid_template("Fn::Select: index must be an integer or slice")


def _parse_slice(text: str) -> slice:
    parts = text.split(":")
    if len(parts) > 3 or not all(p.strip() == "" or _INT_TEXT.fullmatch(p.strip()) for p in parts):
        raise invalid_template("Fn::Select: index must be an integer or slice")
    bounds = [int(p) if p.strip() else None for p in parts]
    if len(bounds) == 3 and bounds[2] == 0:
        raise invalid_template("Fn::Select: slice step must not be zero")
    return slice(*bounds)


def _fn_index(args: Any, ev: _Evaluator) -> int | str:
    item, items = _args("Fn::Index", args, 2)
    if not isinstance(items, list):
        raise invalid_template("Fn::Index: second argument must be a list")
    for position, candidate in enumerate(items):
        if _values_equal(candidate, item):
            return position
    return ""


def _fn_select_map_list(args: Any, ev: _Evaluator) -> list[Any]:
    key, maps = _args("Fn::SelectMapList", args, 2)
    if not isinstance(maps, list) or not all(isinstance(m, dict) for m in maps):
        raise invalid_template("Fn::SelectMapList: second argument must be a list of mappings")
    return [m[key] for m in maps if key in m]


def _fn_contains(args: Any, ev: _Evaluator) -> bool:
    items, value = _args("Fn::Contains", args, 2)
    if not isinstance(items, list):
        raise invalid_template("Fn::Contains: first argument must be a list")
    return any(_values_equal(item, value) for item in items)


def _fn_each_member_in(args: Any, ev: _Evaluator) -> bool:
    members, allowed = _args("Fn::EachMemberIn", args, 2)
    if not isinstance(members, list) or not isinstance(allowed, list):
        raise invalid_template("Fn::EachMemberIn: both arguments must be lists")
    return all(any(_values_equal(m, a) for a in allowed) for m in members)


# --------------------------------------------------------------------------- collections


def _concat(fn: str, lists: list[list[Any]]) -> list[Any]:
    if sum(map(len, lists)) > MAX_ITEMS:
        raise invalid_template(f"{fn}: result has more than {MAX_ITEMS} items")
    return [item for part in lists for item in part]


def _fn_list_merge(args: Any, ev: _Evaluator) -> list[Any]:
    lists = _args("Fn::ListMerge", args)
    if not all(isinstance(item, list) for item in lists):
        raise invalid_template("Fn::ListMerge: every argument must be a list")
    return _concat("Fn::ListMerge", lists)


def _fn_merge_map_to_list(args: Any, ev: _Evaluator) -> list[dict[Any, Any]]:
    """Zip mappings of lists into a list of mappings, repeating the last value of short lists."""
    maps = _args("Fn::MergeMapToList", args)
    columns: dict[Any, list[Any]] = {}
    for mapping in maps:
        if not isinstance(mapping, dict):
            raise invalid_template("Fn::MergeMapToList: every argument must be a mapping")
        for key, values in mapping.items():
            if not isinstance(values, list) or not values:
                raise invalid_template(
                    f"Fn::MergeMapToList: value of {key!r} must be a non-empty list"
                )
            columns[key] = values
    rows = max((len(values) for values in columns.values()), default=0)
    if rows * max(len(columns), 1) > MAX_ITEMS:
        raise invalid_template(f"Fn::MergeMapToList: result has more than {MAX_ITEMS} items")
    return [
        {k: copy.deepcopy(v[min(i, len(v) - 1)]) for k, v in columns.items()} for i in range(rows)
    ]


def _fn_add(args: Any, ev: _Evaluator) -> Any:
    """Sum numbers, concatenate lists or merge mappings; all arguments share one kind."""
    items = _args("Fn::Add", args, minimum=2)
    if all(isinstance(i, int | float) and not isinstance(i, bool) for i in items):
        return sum(items)
    if all(isinstance(i, list) for i in items):
        return _concat("Fn::Add", items)
    if all(isinstance(i, dict) for i in items):
        merged: dict[Any, Any] = {}
        for item in items:
            merged.update(item)
        return merged
    raise invalid_template("Fn::Add: arguments must be all numbers, all lists or all mappings")


def _numbers(fn: str, value: Any) -> list[int | float]:
    if not isinstance(value, list) or not value:
        raise invalid_template(f"{fn}: expected a non-empty list of numbers")
    return [_to_number(item, fn) for item in value]


def _fn_max(args: Any, ev: _Evaluator) -> int | float:
    return max(_numbers("Fn::Max", args))


def _fn_min(args: Any, ev: _Evaluator) -> int | float:
    return min(_numbers("Fn::Min", args))


def _ndigits(fn: str, value: Any) -> int:
    digits = _to_int(value, fn, "decimal places")
    if not 0 <= digits <= 15:
        raise invalid_template(f"{fn}: decimal places must be between 0 and 15")
    return digits


def _fn_avg(args: Any, ev: _Evaluator) -> float:
    digits, values = _args("Fn::Avg", args, 2)
    numbers = _numbers("Fn::Avg", values)
    return round(math.fsum(numbers) / len(numbers), _ndigits("Fn::Avg", digits))


# --------------------------------------------------------------------------- Fn::Calculate


_CALC_TOKEN = re.compile(r"\s*(?:(\d+\.\d*|\.\d+|\d+)|\{\s*(\d+)\s*\}|(//|[-+*/%()]))")
_CALC_MAX_LENGTH = 4096
_CALC_MAX_NESTING = 32
_CALC_MAX_BITS = 4096  # plenty for templates; stops a product chain growing huge integers


def _fn_calculate(args: Any, ev: _Evaluator) -> int | float:
    """Arithmetic over + - * / // % and parentheses; int/int division floors, as in ROS."""
    items = _args("Fn::Calculate", args)
    if len(items) not in (2, 3):
        raise invalid_template(f"Fn::Calculate: expected 2 or 3 arguments, got {len(items)}")
    expression, digits = items[0], _ndigits("Fn::Calculate", items[1])
    values = items[2] if len(items) == 3 else []
    if not isinstance(expression, str) or len(expression) > _CALC_MAX_LENGTH:
        raise invalid_template(
            f"Fn::Calculate: expression must be a string of at most {_CALC_MAX_LENGTH} chars"
        )
    if not isinstance(values, list):
        raise invalid_template("Fn::Calculate: the numbers must be a list")
    numbers = [_to_number(v, "Fn::Calculate") for v in values]
    result = _CalcParser(_calc_tokens(expression, numbers)).parse()
    if isinstance(result, int):
        return result
    if not math.isfinite(result):
        raise invalid_template("Fn::Calculate: result is not a finite number")
    return round(result) if digits == 0 else round(result, digits)


def _calc_tokens(expression: str, numbers: list[int | float]) -> list[Any]:
    """Numbers (with {n} already substituted) and operator strings."""
    tokens: list[Any] = []
    position = 0
    while expression[position:].strip():
        match = _CALC_TOKEN.match(expression, position)
        if match is None:
            bad = expression[position:].lstrip()[:1]
            raise invalid_template(f"Fn::Calculate: unexpected character {bad!r} in expression")
        literal, placeholder, operator = match.groups()
        if literal is not None:
            tokens.append(float(literal) if "." in literal else int(literal))
        elif placeholder is not None:
            tokens.append(_placeholder(int(placeholder), numbers))
        else:
            tokens.append(operator)
        position = match.end()
    return tokens


def _placeholder(index: int, numbers: list[int | float]) -> int | float:
    if index >= len(numbers):
        raise invalid_template(f"Fn::Calculate: {{{index}}} has no number in the list")
    return numbers[index]


class _CalcParser:
    """Recursive descent over the token list; operator chains are folded in loops."""

    def __init__(self, tokens: list[Any]) -> None:
        self.tokens = tokens
        self.position = 0
        self.nesting = 0

    def parse(self) -> int | float:
        value = self.expression()
        if self.position != len(self.tokens):
            raise invalid_template(f"Fn::Calculate: unexpected {self.tokens[self.position]!r}")
        return value

    def peek(self) -> Any:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> Any:
        token = self.peek()
        self.position += 1
        return token

    def expression(self) -> int | float:
        value = self.term()
        while self.peek() in ("+", "-"):
            value = _calc_apply(self.take(), value, self.term())
        return value

    def term(self) -> int | float:
        value = self.unary()
        while self.peek() in ("*", "/", "//", "%"):
            value = _calc_apply(self.take(), value, self.unary())
        return value

    def unary(self) -> int | float:
        sign = 1
        while self.peek() in ("+", "-"):
            sign = -sign if self.take() == "-" else sign
        value = self.atom()
        return -value if sign < 0 else value

    def atom(self) -> int | float:
        token = self.take()
        if isinstance(token, int | float) and not isinstance(token, bool):
            return token
        if token != "(":
            found = "end of expression" if token is None else repr(token)
            raise invalid_template(f"Fn::Calculate: expected a number, found {found}")
        self.nesting += 1
        if self.nesting > _CALC_MAX_NESTING:
            raise invalid_template("Fn::Calculate: parentheses nested too deeply")
        value = self.expression()
        if self.take() != ")":
            raise invalid_template("Fn::Calculate: missing ')'")
        self.nesting -= 1
        return value


def _calc_apply(operator: str, left: int | float, right: int | float) -> int | float:
    if operator in ("/", "//", "%") and right == 0:
        raise invalid_template("Fn::Calculate: division by zero")
    result = _calc_operate(operator, left, right)
    if isinstance(result, int) and result.bit_length() > _CALC_MAX_BITS:
        raise invalid_template("Fn::Calculate: number too large")
    return result


def _calc_operate(operator: str, left: int | float, right: int | float) -> int | float:
    try:
        if operator == "+":
            return left + right
        if operator == "-":
            return left - right
        if operator == "*":
            return left * right
        if operator == "%":
            return left % right
        both_int = isinstance(left, int) and isinstance(right, int)
        return left // right if operator == "//" or both_int else left / right
    except OverflowError:
        raise invalid_template("Fn::Calculate: number too large") from None


# --------------------------------------------------------------------------- Fn::Jq subset


class _JqError(Exception):
    """A jq syntax or runtime error; reported as InvalidTemplate naming Fn::Jq."""


_JQ_MAX_SCRIPT = 4096
_JQ_MAX_NESTING = 16
_JQ_MAX_RESULTS = MAX_ITEMS
_JQ_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    | (?P<recurse>\.\.)
    | \.(?P<field>[A-Za-z_][A-Za-z0-9_]*)
    | \.(?P<qfield>"(?:[^"\\]|\\.)*")
    | (?P<dot>\.)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>==|!=|<=|>=|//|[<>|,()\[\]{}:;+\-*/%?])
    )""",
    re.VERBOSE,
)
_JQ_KEYWORDS = frozenset({"and", "or", "true", "false", "null"})


def _jq_tokens(script: str) -> list[tuple[str, Any]]:
    if len(script) > _JQ_MAX_SCRIPT:
        raise _JqError(f"script is longer than {_JQ_MAX_SCRIPT} characters")
    tokens: list[tuple[str, Any]] = []
    position = 0
    while script[position:].strip():
        match = _JQ_TOKEN.match(script, position)
        if match is None:
            bad = script[position:].lstrip()[:10]
            raise _JqError(f"unsupported syntax at {bad!r}")
        tokens.append(_jq_token(match))
        position = match.end()
    tokens.append(("end", None))
    return tokens


def _jq_token(match: re.Match[str]) -> tuple[str, Any]:
    kind = match.lastgroup or ""
    text = match.group(kind)
    if kind in ("string", "qfield"):
        try:
            value = json.loads(text)
        except ValueError:
            raise _JqError(f"unsupported string literal {text}") from None
        return ("string" if kind == "string" else "field", value)
    if kind == "number":
        return "number", float(text) if any(c in text for c in ".eE") else int(text)
    if kind == "recurse":
        raise _JqError("recursive descent '..' is not supported")
    if kind == "ident" and text in _JQ_KEYWORDS:
        return "keyword", text
    return kind, text


class _JqParser:
    """Parse the jq subset into tuples; precedence from low to high:
    ``|``, ``,``, ``//``, ``or``, ``and``, comparisons, ``+ -``, ``* / %``, postfix."""

    def __init__(self, script: str) -> None:
        self.tokens = _jq_tokens(script)
        self.position = 0
        self.nesting = 0

    def parse(self) -> tuple[Any, ...]:
        tree = self.pipe()
        if self.peek() != ("end", None):
            raise _JqError(f"unexpected {self.peek()[1]!r}")
        return tree

    def peek(self) -> tuple[str, Any]:
        return self.tokens[self.position]

    def accept(self, *values: str) -> str | None:
        kind, value = self.peek()
        if kind in ("op", "keyword") and value in values:
            self.position += 1
            return value
        return None

    def expect(self, value: str) -> None:
        if self.accept(value) is None:
            raise _JqError(f"expected {value!r}, found {self.peek()[1]!r}")

    def nested(self, parse: Callable[[], tuple[Any, ...]]) -> tuple[Any, ...]:
        self.nesting += 1
        if self.nesting > _JQ_MAX_NESTING:
            raise _JqError("script is nested too deeply")
        tree = parse()
        self.nesting -= 1
        return tree

    def pipe(self, allow_comma: bool = True) -> tuple[Any, ...]:
        stage = self.comma if allow_comma else self.alternative
        stages = [stage()]
        while self.accept("|"):
            stages.append(stage())
        return stages[0] if len(stages) == 1 else ("pipe", stages)

    def comma(self) -> tuple[Any, ...]:
        items = [self.alternative()]
        while self.accept(","):
            items.append(self.alternative())
        return items[0] if len(items) == 1 else ("comma", items)

    def alternative(self) -> tuple[Any, ...]:
        items = [self.boolean("or", self.conjunction)]
        while self.accept("//"):
            items.append(self.boolean("or", self.conjunction))
        return items[0] if len(items) == 1 else ("alt", items)

    def conjunction(self) -> tuple[Any, ...]:
        return self.boolean("and", self.comparison)

    def boolean(self, word: str, operand: Callable[[], tuple[Any, ...]]) -> tuple[Any, ...]:
        items = [operand()]
        while self.accept(word):
            items.append(operand())
        return items[0] if len(items) == 1 else (word, items)

    def comparison(self) -> tuple[Any, ...]:
        left = self.chain(self.product, ("+", "-"))
        operator = self.accept("==", "!=", "<", "<=", ">", ">=")
        if operator is None:
            return left
        return ("binop", left, [(operator, self.chain(self.product, ("+", "-")))])

    def product(self) -> tuple[Any, ...]:
        return self.chain(self.postfix, ("*", "/", "%"))

    def chain(
        self, operand: Callable[[], tuple[Any, ...]], ops: tuple[str, ...]
    ) -> tuple[Any, ...]:
        first = operand()
        rest = []
        while (operator := self.accept(*ops)) is not None:
            rest.append((operator, operand()))
        return ("binop", first, rest) if rest else first

    def postfix(self) -> tuple[Any, ...]:
        base = self.term()
        suffixes: list[tuple[Any, ...]] = []
        while True:
            kind, value = self.peek()
            if kind == "field":
                self.position += 1
                suffixes.append(("field", value))
            elif kind == "dot" and self.tokens[self.position + 1] == ("op", "["):
                self.position += 1
            elif self.accept("["):
                suffixes.append(self.bracket())
            elif self.accept("?"):
                suffixes.append(("try",))
            else:
                break
        return ("path", base, suffixes) if suffixes else base

    def bracket(self) -> tuple[Any, ...]:
        if self.accept("]"):
            return ("iterate",)
        index = self.nested(self.pipe)
        self.expect("]")
        return ("index", index)

    def term(self) -> tuple[Any, ...]:
        kind, value = self.peek()
        if kind == "end":
            raise _JqError("unexpected end of script")
        if kind == "field":  # ".a" starts a path on the input itself
            return ("identity",)
        self.position += 1
        if kind == "dot":
            return ("identity",)
        if kind in ("number", "string"):
            return ("literal", value)
        if kind == "keyword" and value in ("true", "false", "null"):
            return ("literal", {"true": True, "false": False, "null": None}[value])
        if kind == "ident":
            return self.call(value)
        if value == "(":
            tree = self.nested(self.pipe)
            self.expect(")")
            return tree
        if value == "[":
            return self.array()
        if value == "{":
            return self.nested(self.object)
        if value == "-":
            return ("neg", self.nested(self.postfix))
        raise _JqError(f"unexpected {value!r}")

    def array(self) -> tuple[Any, ...]:
        if self.accept("]"):
            return ("array", None)
        items = self.nested(self.pipe)
        self.expect("]")
        return ("array", items)

    def call(self, name: str) -> tuple[Any, ...]:
        arity = _JQ_BUILTINS.get(name)
        if arity is None:
            raise _JqError(f"{name} is not supported")
        args: list[tuple[Any, ...]] = []
        if arity:
            self.expect("(")
            args.append(self.nested(self.pipe))
            self.expect(")")
        return ("call", name, args)

    def object(self) -> tuple[Any, ...]:
        entries: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = []
        if self.accept("}"):
            return ("object", entries)
        while True:
            entries.append(self.entry())
            if self.accept("}"):
                return ("object", entries)
            self.expect(",")

    def entry(self) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        kind, value = self.peek()
        if kind == "end":
            raise _JqError("unexpected end of script in object")
        self.position += 1
        if kind in ("ident", "keyword", "string"):
            key: tuple[Any, ...] = ("literal", value)
        elif value == "(":
            key = self.pipe()
            self.expect(")")
        else:
            raise _JqError(f"unexpected {value!r} in object key")
        if self.accept(":") is None:  # {a} is short for {a: .a}
            if kind == "op":
                raise _JqError("computed object keys need a value")
            return key, ("path", ("identity",), [("field", value)])
        return key, self.pipe(allow_comma=False)


class _JqRun:
    """Evaluate a parsed script; every filter maps one input to a list of outputs."""

    def __init__(self) -> None:
        self.produced = 0

    def emit(self, values: list[Any]) -> list[Any]:
        self.produced += len(values)
        if self.produced > _JQ_MAX_RESULTS:
            raise _JqError(f"more than {_JQ_MAX_RESULTS} intermediate results")
        return values

    def run(self, tree: tuple[Any, ...], data: Any) -> list[Any]:
        return self.emit(getattr(self, "do_" + tree[0])(tree, data))

    def do_identity(self, tree: tuple[Any, ...], data: Any) -> list[Any]:
        return [data]

    def do_literal(self, tree: tuple[Any, ...], data: Any) -> list[Any]:
        return [tree[1]]

    def do_pipe(self, tree: tuple[Any, ...], data: Any) -> list[Any]:
        values = [data]
        for stage in tree[1]:
            values = [out for value in values for out in self.run(stage, value)]
        return values

    def do_comma(self, tree: tuple[Any, ...], data: Any) -> list[Any]:
        return [out for item in tree[1] for out in self.run(item, data)]

    def do_alt(self, tree: tuple[Any, ...], data: Any) -> list[Any]:
        for item in tree[1][:-1]:
            try:
                truthy = [v for v in self.run(item, data) if _jq_truthy(v)]
            except _JqError:
                truthy = []
            if truthy:
                return truthy
        return self.run(tree[1][-1], data)

    def do_and(self, tree: tuple[Any, ...], data: Any) -> list[Any]:
        return self._logic(tree[1], data, stop=False)

    def do_or(self, tree: tuple[Any, ...], data: Any) -> list[Any]:
        return self._logic(tree[1], data, stop=True)

    def _logic(self, items: list[tuple[Any, ...]], data: Any, stop: bool) -> list[Any]:
        """jq's and/or, left to right: a decided result stays, an undecided one runs the next."""
        results = [_jq_truthy(v) for v in self.run(items[0], data)]
        for item in items[1:]:
            decided: list[Any] = []
            for result in results:
                if result == stop:
                    decided.append(stop)
                else:
                    decided.extend(_jq_truthy(v) for v in self.run(item, data))
            results = self.emit(decided)
        return results

    def do_binop(self, tree: tuple[Any, ...], data: Any) -> list[Any]:
        values = self.run(tree[1], data)
        for operator, operand in tree[2]:
            rights = self.run(operand, data)
            values = self.emit(
                [_jq_binary(operator, left, right) for right in rights for left in values]
            )
        return values

    def do_neg(self, tree: tuple[Any, ...], data: Any) -> list[Any]:
        return [_jq_binary("-", 0, value) for value in self.run(tree[1], data)]

    def do_path(self, tree: tuple[Any, ...], data: Any) -> list[Any]:
        values = self.run(tree[1], data)
        suffixes = tree[2]
        for position, suffix in enumerate(suffixes):
            if suffix[0] == "try":
                continue
            optional = position + 1 < len(suffixes) and suffixes[position + 1][0] == "try"
            try:
                values = self.emit([out for v in values for out in self._suffix(suffix, v, data)])
            except _JqError:
                if not optional:
                    raise
                values = []
        return values

    def _suffix(self, suffix: tuple[Any, ...], value: Any, data: Any) -> list[Any]:
        if suffix[0] == "field":
            return [_jq_index(value, suffix[1])]
        if suffix[0] == "iterate":
            return _jq_iterate(value)
        return [_jq_index(value, key) for key in self.run(suffix[1], data)]

    def do_array(self, tree: tuple[Any, ...], data: Any) -> list[Any]:
        return [[] if tree[1] is None else self.run(tree[1], data)]

    def do_object(self, tree: tuple[Any, ...], data: Any) -> list[Any]:
        objects: list[dict[str, Any]] = [{}]
        for key_tree, value_tree in tree[1]:
            keys = self.run(key_tree, data)
            if not all(isinstance(k, str) for k in keys):
                raise _JqError("object keys must be strings")
            pairs = [(k, v) for k in keys for v in self.run(value_tree, data)]
            objects = self.emit([{**obj, k: v} for obj in objects for k, v in pairs])
        return objects

    def do_call(self, tree: tuple[Any, ...], data: Any) -> list[Any]:
        name, args = tree[1], tree[2]
        if name == "select":
            return [data for v in self.run(args[0], data) if _jq_truthy(v)]
        if name == "map":
            return [[out for item in _jq_iterate(data) for out in self.run(args[0], item)]]
        if name in ("has", "join", "split"):
            return [_JQ_UNARY_ARG[name](data, arg) for arg in self.run(args[0], data)]
        if name == "empty":
            return []
        if name == "values":
            return [] if data is None else [data]
        return [_JQ_SIMPLE[name](data)]


def _jq_run(tree: tuple[Any, ...], data: Any) -> list[Any]:
    return _JqRun().run(tree, data)


def _jq_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _jq_truthy(value: Any) -> bool:
    return value is not None and value is not False


def _jq_key(value: Any) -> tuple[Any, ...]:
    """jq's total order: null < false < true < numbers < strings < arrays < objects."""
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (2,) if value else (1,)
    if isinstance(value, int | float):
        return (3, value)
    if isinstance(value, str):
        return (4, value)
    if isinstance(value, list):
        return (5, tuple(_jq_key(v) for v in value))
    keys = sorted(value, key=str)
    return (6, tuple(map(str, keys)), tuple(_jq_key(value[k]) for k in keys))


def _jq_index(value: Any, key: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dict) and isinstance(key, str):
        return value.get(key)
    if isinstance(value, list) and isinstance(key, int | float) and not isinstance(key, bool):
        position = int(key)
        return value[position] if -len(value) <= position < len(value) else None
    raise _JqError(f"cannot index {_jq_type(value)} with {_jq_type(key)}")


def _jq_iterate(value: Any) -> list[Any]:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return list(value.values())
    raise _JqError(f"cannot iterate over {_jq_type(value)}")


def _jq_number(value: float) -> int | float:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _jq_binary(operator: str, left: Any, right: Any) -> Any:
    if operator in ("==", "!="):
        return (_jq_key(left) == _jq_key(right)) == (operator == "==")
    if operator in ("<", "<=", ">", ">="):
        a, b = _jq_key(left), _jq_key(right)
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[operator]
    if operator == "+":
        return _jq_add(left, right)
    numbers = all(_jq_type(v) == "number" for v in (left, right))
    if operator == "-" and isinstance(left, list) and isinstance(right, list):
        return [v for v in left if all(_jq_key(v) != _jq_key(r) for r in right)]
    if not numbers:
        raise _JqError(f"cannot apply {operator} to {_jq_type(left)} and {_jq_type(right)}")
    if (operator == "/" and right == 0) or (operator == "%" and int(right) == 0):
        raise _JqError("division by zero")
    try:
        return _jq_arithmetic(operator, left, right)
    except OverflowError:
        raise _JqError("number too large") from None


def _jq_arithmetic(operator: str, left: int | float, right: int | float) -> int | float:
    if operator == "-":
        return left - right
    if operator == "*":
        return left * right
    if operator == "%":
        return int(left) % int(right)
    return _jq_number(left / right)


def _jq_add(left: Any, right: Any) -> Any:
    if left is None:
        return right
    if right is None:
        return left
    kinds = (_jq_type(left), _jq_type(right))
    if kinds[0] != kinds[1] or kinds[0] == "boolean":
        raise _JqError(f"cannot add {kinds[0]} and {kinds[1]}")
    if kinds[0] == "object":
        return {**left, **right}
    return left + right


def _jq_length(value: Any) -> Any:
    if value is None:
        return 0
    if isinstance(value, bool):
        raise _JqError("boolean has no length")
    if isinstance(value, int | float):
        return abs(value)
    return len(value)


def _jq_keys(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return sorted(value, key=str)
    if isinstance(value, list):
        return list(range(len(value)))
    raise _JqError(f"{_jq_type(value)} has no keys")


def _jq_tostring(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _jq_tonumber(value: Any) -> Any:
    if _jq_type(value) == "number":
        return value
    if isinstance(value, str):
        try:
            return _to_number(value, "Fn::Jq")
        except RosApiError:
            pass
    raise _JqError(f"cannot parse {_brief(value)} as a number")


def _jq_fromjson(value: Any) -> Any:
    if not isinstance(value, str):
        raise _JqError(f"{_jq_type(value)} cannot be parsed as JSON")
    try:
        return json.loads(value)
    except ValueError:
        raise _JqError(f"{_brief(value)} is not valid JSON") from None


def _jq_has(value: Any, key: Any) -> bool:
    if isinstance(value, dict) and isinstance(key, str):
        return key in value
    if isinstance(value, list) and _jq_type(key) == "number":
        return 0 <= key < len(value)
    raise _JqError(f"cannot check whether {_jq_type(value)} has a {_jq_type(key)} key")


def _jq_join(value: Any, separator: Any) -> str:
    if not isinstance(value, list) or not isinstance(separator, str):
        raise _JqError("join needs an array input and a string separator")
    parts = []
    for item in value:
        if isinstance(item, dict | list):
            raise _JqError(f"cannot join {_jq_type(item)}")
        parts.append("" if item is None else _jq_tostring(item))
    return _check_size("Fn::Jq", separator.join(parts))


def _jq_split(value: Any, separator: Any) -> list[str]:
    if not isinstance(value, str) or not isinstance(separator, str) or not separator:
        raise _JqError("split needs a string input and a non-empty string separator")
    return value.split(separator)


def _jq_add_all(value: Any) -> Any:
    result = None
    for item in _jq_iterate(value):
        result = _jq_add(result, item)
    return result


def _jq_sort(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _JqError(f"{_jq_type(value)} cannot be sorted")
    return sorted(value, key=_jq_key)


def _jq_to_entries(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, dict):
        raise _JqError(f"{_jq_type(value)} has no entries")
    return [{"key": k, "value": v} for k, v in value.items()]


_JQ_UNARY_ARG: Final[Mapping[str, Callable[[Any, Any], Any]]] = {
    "has": _jq_has,
    "join": _jq_join,
    "split": _jq_split,
}
_JQ_SIMPLE: Final[Mapping[str, Callable[[Any], Any]]] = {
    "length": _jq_length,
    "keys": _jq_keys,
    "tostring": _jq_tostring,
    "tonumber": _jq_tonumber,
    "not": lambda v: not _jq_truthy(v),
    "type": _jq_type,
    "add": _jq_add_all,
    "first": lambda v: _jq_index(v, 0),
    "last": lambda v: _jq_index(v, -1),
    "to_entries": _jq_to_entries,
    "sort": _jq_sort,
    "fromjson": _jq_fromjson,
    "tojson": lambda v: json.dumps(v, separators=(",", ":"), ensure_ascii=False),
}
# Builtins the parser accepts, by number of arguments (generators handled in _JqRun.do_call).
_JQ_BUILTINS: Final[Mapping[str, int]] = {
    **dict.fromkeys([*_JQ_SIMPLE, "empty", "values"], 0),
    **dict.fromkeys([*_JQ_UNARY_ARG, "map", "select"], 1),
}


# --------------------------------------------------------------------------- registry


def _fn_equals(args: Any, ev: _Evaluator) -> bool:
    left, right = _args("Fn::Equals", args, 2)
    return _values_equal(left, right)


_LAZY: Final[Mapping[str, Callable[[_Evaluator, Any, int], Any]]] = {
    "Fn::If": _fn_if,
    "Fn::And": _fn_and,
    "Fn::Or": _fn_or,
    "Fn::Not": _fn_not,
}

_EAGER: Final[Mapping[str, Callable[[Any, _Evaluator], Any]]] = {
    "Ref": _fn_ref,
    "Fn::GetAtt": _fn_get_att,
    "Fn::Join": _fn_join,
    "Fn::Sub": _fn_sub,
    "Fn::Select": _fn_select,
    "Fn::Split": _fn_split,
    "Fn::Equals": _fn_equals,
    "Fn::FindInMap": _fn_find_in_map,
    "Fn::Base64Encode": _fn_base64_encode,
    "Fn::Base64Decode": _fn_base64_decode,
    "Fn::Str": _fn_str,
    "Fn::Replace": _fn_replace,
    "Fn::Length": _fn_length,
    "Fn::Jq": _fn_jq,
    "Fn::GetJsonValue": _fn_get_json_value,
    "Fn::Calculate": _fn_calculate,
    "Fn::Contains": _fn_contains,
    "Fn::ListMerge": _fn_list_merge,
    "Fn::GetAZs": _fn_get_azs,
    "Fn::Index": _fn_index,
    "Fn::Add": _fn_add,
    "Fn::Avg": _fn_avg,
    "Fn::Max": _fn_max,
    "Fn::Min": _fn_min,
    "Fn::MergeMapToList": _fn_merge_map_to_list,
    "Fn::SelectMapList": _fn_select_map_list,
    "Fn::EachMemberIn": _fn_each_member_in,
    "Fn::MatchPattern": _fn_match_pattern,
}

# Real ROS functions the sandbox does not model: a clearer error than "unknown".
_UNSUPPORTED: Final = frozenset(
    {
        "Fn::GetStackOutput",
        "Fn::Indent",
        "Fn::FormatTime",
        "Fn::MarketplaceImage",
        "Fn::Cidr",
        "Fn::Any",
        "Fn::MergeMap",
        "Fn::TransformNamespace",
    }
)

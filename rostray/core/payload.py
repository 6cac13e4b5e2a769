"""Parse the JSON body ROS POSTs to a stack's NotificationURLs.

The POST is unsigned and arrives from the internet through a tunnel, so the parser is strict
about shape (it must look like ROS's ``{StackId, Status, StackName, Outputs}``) and bounded in
what it accepts, yet tolerant of fields ROS may add later. The result is only a hint: the
tracker confirms it with an authenticated GetStack. Error messages go to logs and to the HTTP
answer, so they are short and never echo large parts of the input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from json.decoder import WHITESPACE
from typing import Any, NamedTuple

from rostray.core.strictjson import strict_hooks
from rostray.core.text import scrub_surrogates

DEFAULT_DESCRIPTION = "No description given"  # what ROS (and Heat) send for an empty one
MAX_DEPTH = 64
MAX_OUTPUTS = 200  # bounds the work one callback can cause
MAX_STACK_NAME = 255  # ROS's StackName limit
MAX_OUTPUT_KEY = 255

_STACK_ID = re.compile(r"[A-Za-z0-9-]{1,128}")
_STATUS = re.compile(r"[A-Z_]{3,64}")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Decoded UTF-8 holds no surrogates; only a \u escape of one (\uD800-\uDFFF) can put one in.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_KNOWN_KEYS = frozenset({"StackId", "Status", "StackName", "Outputs"})
_BOM = b"\xef\xbb\xbf"
_NO_EXTRA_KEYS: frozenset[str] = frozenset()


class PayloadError(ValueError):
    """The body is not a ROS stack notification; the message is short and safe to log."""


# One decoder for every callback: building one per call was 14 % of the receiver's loop time.
_DECODER = json.JSONDecoder(**strict_hooks(PayloadError, lambda key: repr(_clip(key))))
_SCAN_ONCE = _DECODER.scan_once


class _OutputFields(NamedTuple):
    key: str
    value: Any
    description: str


class Output(_OutputFields):
    """One stack output; ``value`` is the JSON value as sent (ROS may send non-strings).

    Lone surrogates (legal JSON escapes, not Unicode) become U+FFFD here, at the boundary,
    because outputs also come from GetStack, where a wait-condition signal can put any
    ``"\\udXXX"`` escape, and every consumer downstream (terminal, JSON lines, files) would
    fail on them. ``Output._make`` skips that, for text already checked (``parse_payload``
    refuses lone surrogates in the whole body).

    A named tuple, like ``CallbackPayload``: immutable, and cheap to build once per output of
    every callback: 2,600 instructions by ``_make``, 7,900 with the scrub, where the frozen
    dataclass took 12,100 (bench/fixes.md, session 7).
    """

    __slots__ = ()

    def __new__(cls, key: str, value: Any, description: str) -> Output:
        return super().__new__(
            cls, scrub_surrogates(key), scrub_surrogates(value), scrub_surrogates(description)
        )


# An Output of text this module has checked: the named tuple's own constructor, no scrub.
_make_output = Output._make


class CallbackPayload(NamedTuple):
    """What the POST claims; ``extra_keys`` names top-level fields we do not interpret."""

    stack_id: str
    status: str
    stack_name: str | None
    outputs: tuple[Output, ...]
    extra_keys: frozenset[str]


def parse_payload(body: bytes) -> CallbackPayload:
    """Decode and validate one notification body; raise PayloadError for anything else.

    A notification of the usual shape is taken in one pass (``_usual``); anything else goes
    through every check in turn, each failing field to its helper for the exact message. Per
    callback this is most of the receiver's own work (bench/fixes.md, sessions 7 and 8)."""
    document, text = _decode_json(body)
    if not _SURROGATE_ESCAPE.search(text) and (usual := _usual(document)) is not None:
        return usual
    return _checked(document, text)


def _checked(document: Any, text: str) -> CallbackPayload:
    """Every check in turn (nesting and surrogates first), with the first failure's message."""
    _check_tree(document, text)
    if type(document) is not dict:
        raise PayloadError(f"expected a JSON object, got {_json_type(document)}")
    stack_id = document.get("StackId")
    if not (type(stack_id) is str and _STACK_ID.fullmatch(stack_id)):
        _reject_wrong_case(document)
        stack_id = _stack_id(document)
    status = document.get("Status")
    if not (type(status) is str and _STATUS.fullmatch(status)):
        _reject_wrong_case(document)
        status = _status(document)
    stack_name = document.get("StackName")
    if stack_name is not None and not (
        type(stack_name) is str and len(stack_name) <= MAX_STACK_NAME
    ):
        stack_name = _stack_name(document)
    keys = document.keys()
    return CallbackPayload(
        stack_id,
        status,
        stack_name,
        _outputs(document.get("Outputs")),
        _NO_EXTRA_KEYS if keys <= _KNOWN_KEYS else frozenset(keys - _KNOWN_KEYS),
    )


def _usual(document: Any) -> CallbackPayload | None:
    """The payload of a notification exactly as ROS sends one, or None for anything else
    (which the full checks then take): only the known keys, valid fields, and outputs of
    ``OutputKey``, ``Description`` text and a scalar ``OutputValue``. That shape is three
    levels deep, so the nesting bound holds without walking the document again (the walk,
    ``_is_shallow``, was 5,700 instructions of 60,000)."""
    if type(document) is not dict or not document.keys() <= _KNOWN_KEYS:
        return None
    stack_id, status = document.get("StackId"), document.get("Status")
    stack_name, entries = document.get("StackName"), document.get("Outputs")
    if not (
        type(stack_id) is str
        and _STACK_ID.fullmatch(stack_id)
        and type(status) is str
        and _STATUS.fullmatch(status)
        and (stack_name is None or (type(stack_name) is str and len(stack_name) <= MAX_STACK_NAME))
    ):
        return None
    if entries is None:
        return CallbackPayload(stack_id, status, stack_name, (), _NO_EXTRA_KEYS)
    if type(entries) is not list or len(entries) > MAX_OUTPUTS:
        return None
    outputs = []
    for entry in entries:
        if type(entry) is not dict:
            return None
        key, value, description = (
            entry.get("OutputKey"), entry.get("OutputValue"), entry.get("Description")
        )  # fmt: skip
        if not (
            type(key) is str
            and len(key) <= MAX_OUTPUT_KEY
            and type(description) is str
            and type(value) is not dict
            and type(value) is not list
            and len(entry) == 2 + ("OutputValue" in entry)  # no other key, no other level
        ):
            return None
        outputs.append(_make_output((key, value, description)))
    return CallbackPayload(stack_id, status, stack_name, tuple(outputs), _NO_EXTRA_KEYS)


# --- JSON decoding -------------------------------------------------------------------------


def _decode_json(body: bytes) -> tuple[Any, str]:
    """Strict JSON: UTF-8 only, no duplicate keys, no NaN/Infinity. The document and its text;
    nesting and lone surrogates are ``_check_tree``'s (``_usual`` rules both out on its own)."""
    raw = body if type(body) is bytes else bytes(body)
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    if not raw or raw.isspace():  # isspace stops at the first "{"; strip() copied the body
        raise PayloadError("body is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"body is not valid UTF-8 (byte {exc.start})") from None
    try:
        document = _json_value(text)
    except PayloadError:
        raise
    except json.JSONDecodeError as exc:
        raise PayloadError(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise PayloadError(f"JSON is nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # e.g. an integer longer than Python's digit limit
        raise PayloadError(f"invalid JSON value: {_clip(str(exc))}") from None
    return document, text


def _json_value(text: str) -> Any:
    """``_DECODER.decode(text)`` without its two Python layers (6,000 instructions of 32,000
    for a typical callback): the same scanner, whitespace and errors."""
    start = 0 if text[0] == "{" else WHITESPACE.match(text).end()
    try:
        document, end = _SCAN_ONCE(text, start)
    except StopIteration as exc:
        raise json.JSONDecodeError("Expecting value", text, exc.value) from None
    if end != len(text):
        end = WHITESPACE.match(text, end).end()
        if end != len(text):
            raise json.JSONDecodeError("Extra data", text, end)
    return document


def _check_tree(document: Any, text: str) -> None:
    """Bound the nesting and refuse unpaired surrogates (``"\\ud800"`` is legal JSON but cannot
    be stored as UTF-8 later). Iterative, so a deep document cannot exhaust the stack here.

    Only documents ``_usual`` did not take get here. The walk is skipped when both are ruled
    out without it: no surrogate without a surrogate escape in the text, and nesting no deeper
    than the notification's own shape, or failing that than the number of opening brackets."""
    if not _SURROGATE_ESCAPE.search(text) and (
        _is_shallow(document) or text.count("{") + text.count("[") <= MAX_DEPTH
    ):
        return
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            _check_text(node)
        elif isinstance(node, dict | list) and depth > MAX_DEPTH:
            raise PayloadError(f"JSON is nested deeper than {MAX_DEPTH} levels")
        elif isinstance(node, dict):
            for key in node:
                _check_text(key)
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


def _is_shallow(document: Any) -> bool:
    """Three levels at most: an object whose values are scalars or lists of scalars and of
    objects with scalar values, as in ``{"Outputs": [{"OutputValue": "x"}]}`` (e.g. one with
    an extra key). ~5,500 instructions for a 521-byte body, where counting brackets took 10,000."""
    if type(document) is not dict:
        return False
    for value in document.values():
        if type(value) is list:
            for item in value:
                if type(item) is dict:
                    for leaf in item.values():
                        if type(leaf) is dict or type(leaf) is list:
                            return False
                elif type(item) is list:
                    return False
        elif type(value) is dict:
            return False
    return True


def _check_text(text: str) -> None:
    if _SURROGATE.search(text):
        raise PayloadError("JSON contains an unpaired surrogate escape (not valid Unicode)")


# --- fields ----------------------------------------------------------------------------------


def _reject_wrong_case(document: Mapping[str, Any]) -> None:
    """CloudMonitor's Stack:StatusChange event uses camelCase keys; say so instead of "missing"."""
    if "StackId" in document and "Status" in document:
        return
    inner = document.get("content", document.get("Content"))
    candidates = list(document)
    if isinstance(inner, dict):
        candidates.extend(inner)
    for key in candidates:
        for wanted in ("StackId", "Status"):
            if isinstance(key, str) and key != wanted and key.lower() == wanted.lower():
                raise PayloadError(
                    f"key {key!r} should be {wanted!r}: ROS notifications use PascalCase; "
                    "camelCase keys come from CloudMonitor events, a different product"
                )


def _stack_id(document: Mapping[str, Any]) -> str:
    value = _required_string(document, "StackId")
    if not _STACK_ID.fullmatch(value):
        raise PayloadError(
            f"StackId {_clip(value)!r} is not 1-128 characters of letters, digits and '-'"
        )
    return value


def _status(document: Mapping[str, Any]) -> str:
    value = _required_string(document, "Status")
    if not _STATUS.fullmatch(value):
        raise PayloadError(f"Status {_clip(value)!r} is not 3-64 characters of A-Z and '_'")
    return value


def _stack_name(document: Mapping[str, Any]) -> str | None:
    value = document.get("StackName")
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError(f"StackName must be a string, got {_json_type(value)}")
    if len(value) > MAX_STACK_NAME:
        raise PayloadError(f"StackName is longer than {MAX_STACK_NAME} characters")
    return value


def _required_string(document: Mapping[str, Any], key: str) -> str:
    if key not in document:
        raise PayloadError(f"{key} is missing")
    value = document[key]
    if not isinstance(value, str):
        raise PayloadError(f"{key} must be a string, got {_json_type(value)}")
    return value


def _outputs(value: Any) -> tuple[Output, ...]:
    """ROS always sends a list (maybe empty); missing or null means no outputs."""
    if value is None:
        return ()
    if type(value) is not list:
        raise PayloadError(f"Outputs must be a list, got {_json_type(value)}")
    if len(value) > MAX_OUTPUTS:
        raise PayloadError(f"Outputs has {len(value)} entries; the limit is {MAX_OUTPUTS}")
    outputs = []
    for index, entry in enumerate(value):
        if type(entry) is dict:
            key, description = entry.get("OutputKey"), entry.get("Description")
            if type(key) is str and len(key) <= MAX_OUTPUT_KEY and type(description) is str:
                outputs.append(_make_output((key, entry.get("OutputValue"), description)))
                continue
        outputs.append(_output(index, entry))
    return tuple(outputs)


def _output(index: int, entry: Any) -> Output:
    """One entry the inline test in ``_outputs`` did not pass: find what is wrong, if anything."""
    if not isinstance(entry, dict):
        raise PayloadError(f"Outputs[{index}] must be an object, got {_json_type(entry)}")
    if "OutputKey" not in entry:
        raise PayloadError(f"Outputs[{index}].OutputKey is missing")
    key = entry["OutputKey"]
    if not isinstance(key, str):
        raise PayloadError(f"Outputs[{index}].OutputKey must be a string, got {_json_type(key)}")
    if len(key) > MAX_OUTPUT_KEY:
        raise PayloadError(f"Outputs[{index}].OutputKey is longer than {MAX_OUTPUT_KEY} characters")
    return _make_output((key, entry.get("OutputValue"), _description(entry)))


def _description(entry: Mapping[str, Any]) -> str:
    """Text as sent; a non-string (e.g. an {en, zh-cn} dict) is kept as compact JSON text
    rather than losing the whole callback over a cosmetic field."""
    value = entry.get("Description")
    if value is None:
        return DEFAULT_DESCRIPTION
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --- messages --------------------------------------------------------------------------------


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _clip(text: str, limit: int = 40) -> str:
    """Keep messages one short line, whatever the sender put in the body."""
    text = text.replace("\n", " ").replace("\r", " ")
    return text if len(text) <= limit else text[:limit] + "…"

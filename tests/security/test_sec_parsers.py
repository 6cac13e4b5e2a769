"""Hostile input for the pure parsers: the callback payload, the template loader and the config
file. Every input ends in a value or the module's own error type, quickly; never another
exception, never a hang. (The live receiver is covered in test_sec_receiver.py, coverage-guided
fuzzing in fuzz/.)"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rostray.config import ConfigError, settings_from_dict
from rostray.core.payload import CallbackPayload, PayloadError, parse_payload
from rostray.core.templates import TemplateError, load_template
from rostray.core.yamlload import MAX_NODES, LoadError, load_document

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW_LIMIT = 3.0  # seconds; anything slower on one input counts as a hang

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
statuses = st.sampled_from(
    ["CREATE_COMPLETE", "UPDATE_FAILED", "DELETE_COMPLETE", "CREATE_IN_PROGRESS", "x", ""]
)


def payload_documents() -> st.SearchStrategy[dict[str, Any]]:
    """Bodies shaped like ROS's, with any field possibly wrong."""
    output = st.fixed_dictionaries(
        {},
        optional={
            "OutputKey": st.text(max_size=20) | json_values,
            "OutputValue": json_values,
            "Description": st.text(max_size=20) | json_values,
        },
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "StackId": st.uuids().map(str) | st.text(max_size=140) | json_values,
            "Status": statuses | st.text(max_size=70) | json_values,
            "StackName": st.text(max_size=300) | json_values,
            "Outputs": st.lists(output | json_values, max_size=3) | json_values,
            "Extra": json_values,
        },
    )


def check_payload(body: bytes) -> CallbackPayload | None:
    started = time.perf_counter()
    try:
        result: CallbackPayload | None = parse_payload(body)
    except PayloadError as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 300, message
        result = None
    assert time.perf_counter() - started < SLOW_LIMIT
    return result


# --- the callback payload -----------------------------------------------------------------


@FAST
@given(st.binary(max_size=4096))
@example(b"\xef\xbb\xbf")
@example(b"\xed\xa0\x80")  # a UTF-8-encoded surrogate: invalid UTF-8
@example(b'{"StackId":"a","Status":"CREATE_COMPLETE","Outputs":[{"OutputKey":"\\ud800"}]}')
def test_payload_random_bytes(body: bytes) -> None:
    check_payload(body)


@FAST
@given(payload_documents())
def test_payload_structured(document: dict[str, Any]) -> None:
    result = check_payload(json.dumps(document).encode())
    if result is not None:
        assert result.stack_id == document["StackId"]
        assert result.status == document["Status"]
        for output in result.outputs:  # lone surrogates never survive into an Output
            json.dumps(output.value, ensure_ascii=False).encode("utf-8")


@FAST
@given(payload_documents(), st.integers(min_value=0, max_value=4096))
def test_payload_mutated_bytes(document: dict[str, Any], position: int) -> None:
    """Valid-ish JSON with one byte flipped: the parser's error paths, not just JSON's."""
    body = bytearray(json.dumps(document).encode())
    if body:
        body[position % len(body)] ^= 0x80 | (position & 0x7F)
    check_payload(bytes(body))


@pytest.mark.parametrize("depth", [63, 64, 65, 1_000, 100_000])
@pytest.mark.parametrize("opener", [b"[", b'{"a":'])
def test_payload_deep_nesting(depth: int, opener: bytes) -> None:
    closer = b"]" if opener == b"[" else b"}"
    inner = opener * depth + b"1" + closer * depth
    check_payload(b'{"StackId": "s-1", "Status": "CREATE_COMPLETE", "Extra": ' + inner + b"}")


@pytest.mark.parametrize(
    "number",
    [b"1" * 4300, b"1" * 4301, b"9" * 100_000, b"1e999", b"-1e999", b"1e-999", b"0." + b"0" * 5000],
)
def test_payload_huge_numbers(number: bytes) -> None:
    body = b'{"StackId":"s-1","Status":"CREATE_COMPLETE","Outputs":[{"OutputKey":"N",'
    check_payload(body + b'"OutputValue":' + number + b"}]}")


@pytest.mark.parametrize(
    "body",
    [
        b'{"StackId":"a","StackId":"b","Status":"CREATE_COMPLETE"}',
        b'{"StackId":"a","Status":"CREATE_COMPLETE","Outputs":[{"OutputKey":"k","OutputKey":"j"}]}',
        b'{"StackId":"a","Status":"CREATE_COMPLETE","Extra":{"x":1,"x":2}}',
    ],
)
def test_payload_duplicate_keys_are_refused(body: bytes) -> None:
    with pytest.raises(PayloadError, match="duplicate key"):
        parse_payload(body)


# --- templates --------------------------------------------------------------------------------


def check_template(data: str | bytes) -> None:
    started = time.perf_counter()
    try:
        load_template(data)
    except TemplateError as exc:
        assert exc.code and exc.message and len(exc.message) < 400, exc.message
    assert time.perf_counter() - started < SLOW_LIMIT


yaml_tokens = st.sampled_from(
    [
        "a", "1", "-1", "1e400", "!Ref x", "!GetAtt a.b", "!!python/object:os.system", "!!binary",
        "&x", "*x", "<<:", "? ", ": ", "- ", "[", "]", "{", "}", ",", "\n", "  ", "'", '"', "#",
        "---", "...", "|", ">", "%YAML 1.1", "!!set", "!!timestamp 2001-12-14", ".nan", ".inf",
        "ROSTemplateFormatVersion: '2015-09-01'", "Parameters:", "Type: Number", "\t", "\\u0000",
        "Default: ", "9" * 5000,
    ]
)  # fmt: skip


@FAST
@given(st.lists(yaml_tokens, max_size=60).map("".join))
def test_template_yaml_token_soup(text: str) -> None:
    check_template(text)


@FAST
@given(st.binary(max_size=2048) | st.text(max_size=2048))
def test_template_random_input(data: bytes | str) -> None:
    check_template(data)


@FAST
@given(json_values)
def test_template_json_documents(document: Any) -> None:
    check_template(json.dumps({"ROSTemplateFormatVersion": "2015-09-01", "Parameters": document}))


def laughs(levels: int, breadth: int) -> str:
    lines = ["a0: &a0 [lol]"]
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * breadth)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines)


BOMBS = {
    "billion laughs": (laughs(9, 10), "expands to more than"),
    "wide laughs": (laughs(3, 400), "expands to more than"),
    "recursive alias": ("a: &x [*x]", "recursive"),
    "recursive mapping alias": ("a: &x {b: *x}", "recursive"),
    "deep flow sequence": ("a: " + "[" * 200_000, "nested deeper"),
    "deep flow mapping": ("a: " + "{b: " * 100_000, "nested deeper"),
    "deep json": ('{"a": ' + "[" * 200_000, "nested deeper"),
    "huge document": ("a: '" + "x" * 600_000 + "'", "the limit is 524,288 bytes"),
    "many small keys": ("".join(f"k{i}: {i}\n" for i in range(60_000)), "the limit is"),
    "huge integer": ("a: " + "1" * 10_000, "more than 4,300 digits"),
    "huge json integer": ('{"a": ' + "1" * 10_000 + "}", "more than 4,300 digits"),
    "python object": ("a: !!python/object/apply:os.system ['true']", "could not determine"),
    "duplicate keys": ("a: 1\na: 2", "duplicate key"),
    "utf-16": ("a: 1".encode("utf-16"), "not UTF-8"),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_template_bombs_are_refused_clearly(name: str) -> None:
    data, expected = BOMBS[name]
    started = time.perf_counter()
    with pytest.raises(TemplateError) as info:
        load_template(data)
    assert time.perf_counter() - started < SLOW_LIMIT
    assert info.value.code == "InvalidTemplate"
    assert expected in info.value.message


def test_node_budget_counts_aliases_with_multiplicity() -> None:
    with pytest.raises(LoadError, match=f"{MAX_NODES:,}"):
        load_document(laughs(6, 10))  # 10**6 leaves from a ~200-byte file


# --- the config file --------------------------------------------------------------------------


@FAST
@given(
    st.dictionaries(
        st.sampled_from(["ros", "receiver", "tunnel", "token", "x"]) | st.text(max_size=8),
        json_values
        | st.dictionaries(
            st.sampled_from(["port", "host", "mode", "public_url", "secret", "region"])
            | st.text(max_size=8),
            json_values,
            max_size=4,
        ),
        max_size=4,
    )
)
def test_config_documents(document: dict[str, Any]) -> None:
    try:
        settings_from_dict(document)
    except ConfigError as exc:
        assert str(exc).startswith("config.toml")

"""parse_payload: ROS notification bodies in, a validated CallbackPayload or a PayloadError out."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rostray.core.payload import (
    DEFAULT_DESCRIPTION,
    MAX_DEPTH,
    MAX_OUTPUTS,
    CallbackPayload,
    Output,
    PayloadError,
    parse_payload,
)

# ros-api.md §2: the single documented sample, byte for byte.
ROS_SAMPLE = (
    b'{"Outputs": [{"Description": "No description given", "OutputKey": "Url", '
    b'"OutputValue": "http://203.0.113.9"}],\n'
    b' "StackId": "6f3c2b1e-0000-4000-8000-2c1a9d0e7b55", "StackName": "demo", '
    b'"Status": "CREATE_COMPLETE"}'
)

# seed.md: what the 2022 tutorial received from the old Webhook parameter (same shape).
SEED_CURL = (
    "curl -i -X POST -H 'Content-Type: application/json' -H 'Accept: application/json' "
    "-H 'x-acs-region-id: cn-beijing' http://100.100.100.110/waitcondition?stackname="
    "test-web-hook\\&stackid=80bd6b6c-e888-4573-ae3b-93d29144911d\\&resource="
    "WaitConditionHandle\\&expire=1650000000\\&signature=0123abcd"
)
SEED_BODY = json.dumps(
    {
        "Outputs": [
            {
                "Description": "No description given",
                "OutputKey": "CurlCli",
                "OutputValue": SEED_CURL,
            }
        ],
        "StackId": "80bd6b6c-e888-4573-ae3b-93d29144911d",
        "StackName": "test-web-hook",
        "Status": "CREATE_COMPLETE",
    },
    indent=4,
    sort_keys=True,
).encode()

STACK_ID = "6f3c2b1e-0000-4000-8000-2c1a9d0e7b55"


def body(**fields: Any) -> bytes:
    """A minimal valid notification with fields overridden (``None`` values are kept)."""
    doc: dict[str, Any] = {"StackId": STACK_ID, "Status": "CREATE_COMPLETE"}
    doc.update(fields)
    return json.dumps(doc).encode()


def without(*keys: str) -> bytes:
    doc = json.loads(body())
    for key in keys:
        doc.pop(key)
    return json.dumps(doc).encode()


def rejected(raw: bytes) -> str:
    with pytest.raises(PayloadError) as info:
        parse_payload(raw)
    return str(info.value)


# --- accepted bodies -------------------------------------------------------------------------


def test_ros_documented_sample() -> None:
    assert parse_payload(ROS_SAMPLE) == CallbackPayload(
        stack_id=STACK_ID,
        status="CREATE_COMPLETE",
        stack_name="demo",
        outputs=(Output("Url", "http://203.0.113.9", "No description given"),),
        extra_keys=frozenset(),
    )


def test_seed_webhook_body() -> None:
    payload = parse_payload(SEED_BODY)
    assert payload.stack_id == "80bd6b6c-e888-4573-ae3b-93d29144911d"
    assert payload.stack_name == "test-web-hook"
    assert payload.status == "CREATE_COMPLETE"
    (output,) = payload.outputs
    assert output.key == "CurlCli"
    assert output.value == SEED_CURL  # backslash-escaped ampersands survive intact
    assert output.description == DEFAULT_DESCRIPTION


def test_utf8_bom_is_tolerated() -> None:
    assert parse_payload(b"\xef\xbb\xbf" + ROS_SAMPLE).stack_name == "demo"


def test_unknown_keys_are_kept_by_name() -> None:
    payload = parse_payload(
        body(StatusReason="Stack CREATE completed successfully", RegionId="cn-hangzhou")
    )
    assert payload.extra_keys == frozenset({"StatusReason", "RegionId"})
    assert payload.status == "CREATE_COMPLETE"


@pytest.mark.parametrize("raw", [without(), body(Outputs=None), body(Outputs=[])])
def test_missing_null_or_empty_outputs(raw: bytes) -> None:
    assert parse_payload(raw).outputs == ()


def test_stack_name_is_optional() -> None:
    assert parse_payload(body()).stack_name is None
    assert parse_payload(body(StackName=None)).stack_name is None


@pytest.mark.parametrize(
    "value",
    [42, 3.5, -1, True, None, "", ["a", 1, None], {"ip": "203.0.113.9", "ports": [80, 443]}],
)
def test_output_value_keeps_any_json_value(value: Any) -> None:
    payload = parse_payload(body(Outputs=[{"OutputKey": "K", "OutputValue": value}]))
    assert payload.outputs[0].value == value
    assert type(payload.outputs[0].value) is type(value)


def test_output_defaults_and_extra_fields() -> None:
    payload = parse_payload(
        body(Outputs=[{"OutputKey": "A"}, {"OutputKey": "B", "Description": None, "Label": "x"}])
    )
    assert payload.outputs == (
        Output("A", None, DEFAULT_DESCRIPTION),
        Output("B", None, DEFAULT_DESCRIPTION),
    )


def test_non_string_description_is_kept_as_text() -> None:
    desc = {"en": "Web URL", "zh-cn": "网址"}
    payload = parse_payload(body(Outputs=[{"OutputKey": "U", "Description": desc}]))
    assert json.loads(payload.outputs[0].description) == desc


def test_every_documented_status_shape() -> None:
    for status in ("CREATE_ROLLBACK_COMPLETE", "DELETE_FAILED", "IMPORT_UPDATE_ROLLBACK_FAILED"):
        assert parse_payload(body(Status=status)).status == status


def test_outputs_up_to_the_cap() -> None:
    outputs = [{"OutputKey": f"K{i}", "OutputValue": i} for i in range(MAX_OUTPUTS)]
    assert len(parse_payload(body(Outputs=outputs)).outputs) == MAX_OUTPUTS


def test_nesting_limit_counts_containers() -> None:
    value: Any = "leaf"
    for _ in range(MAX_DEPTH - 3):  # plus the top object, Outputs and its entry: 64 levels
        value = [value]
    assert parse_payload(body(Outputs=[{"OutputKey": "K", "OutputValue": value}])).outputs
    too_deep = body(Outputs=[{"OutputKey": "K", "OutputValue": [value]}])
    assert rejected(too_deep) == f"JSON is nested deeper than {MAX_DEPTH} levels"


@pytest.mark.parametrize(
    "where",
    [
        "OutputValue",
        "OutputValue object",
        "Description",
        "entry's other key",
        "top-level other key",
        "StackName",
    ],
)
def test_nesting_limit_wherever_the_depth_hides(where: str) -> None:
    """Too deep is too deep in every place of an otherwise valid notification."""
    deep: Any = "leaf"
    for _ in range(MAX_DEPTH):
        deep = {"k": deep} if where in ("Description", "OutputValue object") else [deep]
    entry = {"OutputKey": "K", "OutputValue": "v", "Description": "d"}
    fields: dict[str, Any] = {"Outputs": [entry]}
    if where in ("OutputValue", "OutputValue object", "Description"):
        entry[where.split()[0]] = deep
    elif where == "entry's other key":
        entry["Other"] = deep
    elif where == "top-level other key":
        fields["Other"] = deep
    else:
        fields["StackName"] = deep
    assert rejected(body(**fields)) == f"JSON is nested deeper than {MAX_DEPTH} levels"


# --- rejections -------------------------------------------------------------------------------


def test_invalid_utf8() -> None:
    assert "not valid UTF-8 (byte 13)" in rejected(b'{"StackId": "\xff\xfe"}')


def test_utf16_is_not_utf8() -> None:
    assert "UTF-8" in rejected(ROS_SAMPLE.decode().encode("utf-16"))


@pytest.mark.parametrize(
    ("raw", "what"),
    [
        (b"[" + ROS_SAMPLE + b"]", "an array"),
        (b'"CREATE_COMPLETE"', "a string"),
        (b"42", "a number"),
        (b"null", "null"),
        (b"true", "a boolean"),
    ],
)
def test_top_level_must_be_an_object(raw: bytes, what: str) -> None:
    assert rejected(raw) == f"expected a JSON object, got {what}"


@pytest.mark.parametrize("raw", [b"", b"   \r\n", b"\xef\xbb\xbf"])
def test_empty_body(raw: bytes) -> None:
    assert rejected(raw) == "body is empty"


def test_not_json() -> None:
    assert rejected(b"StackId=abc&Status=CREATE_COMPLETE").startswith("invalid JSON at line 1")
    assert rejected(b'{"StackId": "abc",}').startswith("invalid JSON at line 1")


def test_duplicate_keys() -> None:
    raw = b'{"StackId": "a1", "StackId": "b2", "Status": "CREATE_COMPLETE"}'
    assert rejected(raw) == "duplicate key 'StackId'"


def test_duplicate_keys_nested() -> None:
    raw = body(Outputs=[{"OutputKey": "K"}]).replace(b'"OutputKey"', b'"X": 1, "X"', 1)
    assert rejected(raw) == "duplicate key 'X'"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers(constant: str) -> None:
    raw = body(Outputs=[{"OutputKey": "K", "OutputValue": 0}]).replace(
        b"0}", constant.encode() + b"}"
    )
    assert rejected(raw) == f"{constant} is not valid JSON"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 100_000])
def test_deep_nesting(depth: int) -> None:
    raw = b'{"StackId": "a", "Status": "ABC", "X": ' + b"[" * depth + b"]" * depth + b"}"
    assert rejected(raw) == f"JSON is nested deeper than {MAX_DEPTH} levels"


def test_unclosed_deep_nesting() -> None:
    assert rejected(b"[" * 200_000) == f"JSON is nested deeper than {MAX_DEPTH} levels"


def test_huge_integer() -> None:
    assert rejected(body(X=0).replace(b"0}", b"9" * 5000 + b"}")).startswith("invalid JSON value")


def test_unpaired_surrogate() -> None:
    assert "surrogate" in rejected(body(StackName="x").replace(b'"x"', b'"\\ud800"'))


@pytest.mark.parametrize("escape", [b"\\ud800", b"\\uDFFF", b"\\uDbFf", b"\\udc00"])
@pytest.mark.parametrize("where", ["key", "value"])
def test_unpaired_surrogate_any_case_key_or_value(escape: bytes, where: str) -> None:
    """The surrogate check is skipped for text without a surrogate escape: every spelling of
    one (hex digits in either case), in a key as in a value, must still reach it."""
    raw = body(Outputs=[{"OutputKey": "K", "OutputValue": "v"}])
    text = b'"' + escape + b'"'
    raw = raw.replace(b'"v"', b'"v", ' + text + b": 1" if where == "key" else text)
    assert "surrogate" in rejected(raw)


def test_paired_surrogate_escapes_are_one_character() -> None:
    raw = body(StackName="x").replace(b'"x"', b'"\\ud83d\\ude00 \\\\ud800"')
    assert parse_payload(raw).stack_name == "\U0001f600 \\ud800"


def test_duplicate_key_named_is_the_first_repeated() -> None:
    raw = b'{"A": 1, "B": 2, "B": 3, "A": 4, "StackId": "a1", "Status": "CREATE_COMPLETE"}'
    assert rejected(raw) == "duplicate key 'B'"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (without("StackId"), "StackId is missing"),
        (without("Status"), "Status is missing"),
        (body(StackId=None), "StackId must be a string, got null"),
        (body(StackId=123), "StackId must be a string, got a number"),
        (body(Status=["CREATE_COMPLETE"]), "Status must be a string, got an array"),
        (body(StackName=7), "StackName must be a string, got a number"),
        (body(StackName="s" * 256), "StackName is longer than 255 characters"),
    ],
)
def test_missing_or_mistyped_fields(raw: bytes, message: str) -> None:
    assert rejected(raw) == message


@pytest.mark.parametrize(
    "stack_id", ["", "a" * 129, "abc def", "abc/../x", "abc\n", "ａｂｃ", "6f3c_2b1e", "<script>"]
)
def test_invalid_stack_id(stack_id: str) -> None:
    assert "is not 1-128 characters of letters, digits and '-'" in rejected(body(StackId=stack_id))


def test_stack_id_bounds() -> None:
    assert parse_payload(body(StackId="a" * 128)).stack_id == "a" * 128
    assert parse_payload(body(StackId="A")).stack_id == "A"


@pytest.mark.parametrize(
    "status", ["", "OK", "create_complete", "CREATE-COMPLETE", "X" * 65, "CREATE_COMPLETE\n"]
)
def test_invalid_status(status: str) -> None:
    assert "is not 3-64 characters of A-Z and '_'" in rejected(body(Status=status))


def test_long_values_are_clipped_in_messages() -> None:
    message = rejected(body(StackId="x" * 10_000 + " "))
    assert len(message) < 120
    assert "…" in message


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        ({"OutputKey": "K"}, "Outputs must be a list, got an object"),
        ("K=V", "Outputs must be a list, got a string"),
        (["K"], "Outputs[0] must be an object, got a string"),
        ([{"OutputKey": "A"}, None], "Outputs[1] must be an object, got null"),
        ([{"OutputValue": 1}], "Outputs[0].OutputKey is missing"),
        ([{"OutputKey": 5}], "Outputs[0].OutputKey must be a string, got a number"),
        ([{"OutputKey": None}], "Outputs[0].OutputKey must be a string, got null"),
        ([{"outputKey": "K"}], "Outputs[0].OutputKey is missing"),
        ([{"OutputKey": "k" * 256}], "Outputs[0].OutputKey is longer than 255 characters"),
    ],
)
def test_bad_outputs(outputs: Any, message: str) -> None:
    assert rejected(body(Outputs=outputs)) == message


def test_too_many_outputs() -> None:
    outputs = [{"OutputKey": f"K{i}"} for i in range(MAX_OUTPUTS + 1)]
    assert rejected(body(Outputs=outputs)) == (
        f"Outputs has {MAX_OUTPUTS + 1} entries; the limit is {MAX_OUTPUTS}"
    )


def test_cloudmonitor_event_is_named() -> None:
    """CloudMonitor's Stack:StatusChange event: camelCase inside ``content``."""
    event = {
        "product": "ROS",
        "name": "Stack:StatusChange",
        "content": {"stackId": STACK_ID, "status": "CREATE_COMPLETE", "statusReason": "ok"},
    }
    message = rejected(json.dumps(event).encode())
    assert "'stackId' should be 'StackId'" in message
    assert "CloudMonitor" in message


@pytest.mark.parametrize(
    "doc",
    [
        {"stackId": STACK_ID, "status": "CREATE_COMPLETE"},
        {"StackId": STACK_ID, "status": "CREATE_COMPLETE"},
        {"STACKID": STACK_ID, "Status": "CREATE_COMPLETE"},
    ],
)
def test_wrong_case_keys(doc: dict[str, Any]) -> None:
    message = rejected(json.dumps(doc).encode())
    assert "ROS notifications use PascalCase" in message


# --- properties -------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)

ros_keys = st.sampled_from(
    ["StackId", "Status", "StackName", "Outputs", "OutputKey", "OutputValue", "Description"]
)
ros_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.just(STACK_ID),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(ros_keys | st.text(max_size=5), children, max_size=5)
    ),
    max_leaves=25,
)


def _parses_or_payload_error(raw: bytes) -> None:
    try:
        result = parse_payload(raw)
    except PayloadError as exc:
        assert len(str(exc)) < 300
    else:
        assert isinstance(result, CallbackPayload)


@given(st.binary(max_size=2048))
def test_arbitrary_bytes_only_raise_payload_error(raw: bytes) -> None:
    _parses_or_payload_error(raw)


@given(json_values)
def test_arbitrary_json_only_raises_payload_error(value: Any) -> None:
    _parses_or_payload_error(json.dumps(value).encode())


@settings(max_examples=300)
@given(ros_like)
def test_ros_shaped_json_only_raises_payload_error(value: Any) -> None:
    _parses_or_payload_error(json.dumps(value).encode())


@given(
    st.dictionaries(st.sampled_from(["Outputs", "StackName", "Extra"]), ros_like, max_size=3).map(
        lambda d: {"StackId": STACK_ID, "Status": "UPDATE_COMPLETE", **d}
    )
)
def test_valid_header_with_arbitrary_rest(value: dict[str, Any]) -> None:
    _parses_or_payload_error(json.dumps(value, ensure_ascii=False).encode("utf-8", "replace"))


_scalar = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
_nested = st.lists(_scalar, max_size=2) | st.dictionaries(st.text(max_size=3), _scalar, max_size=2)
_any = _scalar | _nested
_entry = (
    st.fixed_dictionaries(
        {},
        optional={
            "OutputKey": st.text(max_size=8) | _any,
            "OutputValue": _any,
            "Description": st.text(max_size=8) | _any,
            "Extra": _any,
        },
    )
    | _any
)
_near_usual = (
    st.fixed_dictionaries(
        {},
        optional={
            "StackId": st.just(STACK_ID) | st.text(max_size=5) | _any,
            "Status": st.sampled_from(["CREATE_COMPLETE", "x"]) | _any,
            "StackName": st.none() | st.text(max_size=8) | st.integers(),
            "Outputs": st.none() | st.lists(_entry, max_size=3) | _any,
            "Other": _any,
        },
    )
    | _any
)


@settings(max_examples=500)
@given(_near_usual)
def test_the_one_pass_path_agrees_with_every_check(document: Any) -> None:
    """``_usual`` takes only what the full checks accept, and gives the same payload."""
    from rostray.core import payload

    usual = payload._usual(document)
    try:
        full = payload._checked(document, json.dumps(document))
    except PayloadError:
        assert usual is None
        return
    if usual is not None:
        assert usual == full
        assert [type(o) for o in usual.outputs] == [Output] * len(usual.outputs)


def test_a_notification_as_ros_sends_it_takes_the_one_pass_path() -> None:
    from rostray.core import payload

    document = json.loads(body(StackName="web", Outputs=[{"OutputKey": "K", "OutputValue": 1,
                                                          "Description": "d"}]))  # fmt: skip
    assert payload._usual(document) == parse_payload(json.dumps(document).encode())

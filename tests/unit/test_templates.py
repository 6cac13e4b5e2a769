"""Unit tests for the template model: the YAML/JSON loader (rostray.core.yamlload) and the
parameter model shared by the sandbox, the CLI and the launch form (rostray.core.templates)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from rostray.core import yamlload
from rostray.core.templates import (
    MASK,
    ParameterError,
    ParameterErrors,
    ParameterSpec,
    TemplateError,
    coerce_parameter,
    format_value,
    load_template,
    masked_parameters,
    parse_template,
    pick_text,
    resolve_parameters,
)
from rostray.core.yamlload import MAX_DEPTH, MAX_TEMPLATE_BYTES, LoadError, load_document

VERSION = "ROSTemplateFormatVersion: '2015-09-01'\n"


def template(**parameters: dict[str, Any]) -> Any:
    return parse_template({"ROSTemplateFormatVersion": "2015-09-01", "Parameters": parameters})


def spec(**definition: Any) -> ParameterSpec:
    return ParameterSpec.from_definition("P", {"Type": "String", **definition})


# --- yamlload: short-form tags ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!Ref Name", {"Ref": "Name"}),
        ("!Condition IsProd", {"Condition": "IsProd"}),
        ("!Sub '${A}-x'", {"Fn::Sub": "${A}-x"}),
        ("!Sub ['${A}', {A: 1}]", {"Fn::Sub": ["${A}", {"A": 1}]}),
        ("!GetAtt Vpc.VpcId", {"Fn::GetAtt": ["Vpc", "VpcId"]}),
        ("!GetAtt Res.Outputs.Key", {"Fn::GetAtt": ["Res", "Outputs.Key"]}),
        ("!GetAtt [Vpc, VpcId]", {"Fn::GetAtt": ["Vpc", "VpcId"]}),
        ("!Join ['-', [a, !Ref B]]", {"Fn::Join": ["-", ["a", {"Ref": "B"}]]}),
        ("!If [C, 1, !Ref ALIYUN::NoValue]", {"Fn::If": ["C", 1, {"Ref": "ALIYUN::NoValue"}]}),
        ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
        ("!Base64Encode hello", {"Fn::Base64Encode": "hello"}),
        ("!Str 42", {"Fn::Str": "42"}),  # a scalar tag keeps the text; Fn::Str handles it
        ("!Equals [!Ref A, prod]", {"Fn::Equals": [{"Ref": "A"}, "prod"]}),
        ("!Jq {a: 1}", {"Fn::Jq": {"a": 1}}),
    ],
)
def test_short_tags_become_function_dicts(text: str, expected: Any) -> None:
    assert load_document(f"value: {text}") == {"value": expected}


def test_short_tag_may_not_wrap_another_directly() -> None:
    with pytest.raises(LoadError, match="invalid YAML at line 1"):
        load_document("value: !Base64Encode !Sub x")


def test_short_tags_inside_block_structures() -> None:
    text = VERSION + (
        "Outputs:\n"
        "  Url:\n"
        "    Value: !Sub\n"
        "      - 'http://${Ip}'\n"
        "      - Ip: !GetAtt Server.PublicIp\n"
    )
    document = load_document(text)
    assert document["Outputs"]["Url"]["Value"] == {
        "Fn::Sub": ["http://${Ip}", {"Ip": {"Fn::GetAtt": ["Server", "PublicIp"]}}]
    }


# --- yamlload: scalars, strictness and bounds ---------------------------------------------------


@pytest.mark.parametrize(
    "text", ["v: 2015-09-01", "v: 2024-01-31T10:00:00Z", "v: 2001-12-14 21:59:43.10 -5"]
)
def test_dates_stay_strings(text: str) -> None:
    value = load_document(text)["v"]
    assert isinstance(value, str) and value == text.split(": ", 1)[1]


def test_unquoted_version_is_accepted() -> None:
    assert load_template("ROSTemplateFormatVersion: 2015-09-01\nResources: {}\n").document[
        "ROSTemplateFormatVersion"
    ] == ("2015-09-01")


def test_ordinary_yaml_scalars_keep_their_types() -> None:
    document = load_document("a: 1\nb: 1.5\nc: true\nd: null\ne: '1'\nf: 0x10")
    assert document == {"a": 1, "b": 1.5, "c": True, "d": None, "e": "1", "f": 16}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", "line 3: duplicate key 'a'"),
        ("outer:\n  x: 1\n  x: 2\n", "line 3: duplicate key 'x'"),
        ('{"a": 1, "b": {"c": 1, "c": 2}}', "duplicate key 'c'"),
        ('{"a": 1, "a": 1}', "duplicate key 'a'"),
    ],
    ids=["yaml", "yaml-nested", "json-nested", "json-same-value"],
)
def test_duplicate_keys_are_refused(text: str, message: str) -> None:
    with pytest.raises(LoadError) as info:
        load_document(text)
    assert str(info.value) == message


def test_json_is_parsed_as_json() -> None:
    # YAML would accept a trailing comma's absence of quotes differently; JSON is strict.
    with pytest.raises(LoadError, match=r"invalid JSON at line 1 column 10"):
        load_document('{"a": 1, }')
    with pytest.raises(LoadError, match="NaN is not valid JSON"):
        load_document('{"a": NaN}')
    with pytest.raises(LoadError, match="Infinity is not valid JSON"):
        load_document('{"a": -Infinity}')


def test_non_scalar_keys_are_refused() -> None:
    with pytest.raises(LoadError, match="line 1: mapping keys must be scalars"):
        load_document("? [a, b]\n: 1\n")


def test_python_tags_are_refused() -> None:
    with pytest.raises(LoadError, match="invalid YAML"):
        load_document("a: !!python/object/apply:os.system ['touch /tmp/rostray-pwned']")


def billion_laughs(levels: int = 9) -> str:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, levels + 1):
        refs = ", ".join([f"*l{n - 1}"] * 10)
        lines.append(f"l{n}: &l{n} [{refs}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(LoadError, match="document expands to more than 1,000,000 values"):
        load_document(billion_laughs())
    assert time.monotonic() - started < 5


def test_modest_alias_reuse_is_fine() -> None:
    document = load_document("base: &b {x: 1}\ncopy: *b\nmerged:\n  <<: *b\n  y: 2\n")
    assert document == {"base": {"x": 1}, "copy": {"x": 1}, "merged": {"x": 1, "y": 2}}


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5),
        "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "x",
        '{"a": ' + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "}",
        '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "a: " + "[" * 20_000 + "]" * 20_000,
    ],
    ids=["yaml-flow", "yaml-block", "json", "json-recursion", "yaml-recursion"],
)
def test_deep_nesting_is_refused(text: str) -> None:
    started = time.monotonic()
    with pytest.raises(LoadError, match=f"document is nested deeper than {MAX_DEPTH} levels"):
        load_document(text)
    assert time.monotonic() - started < 10


def test_nesting_up_to_the_limit_is_fine() -> None:
    depth = MAX_DEPTH - 1  # the top-level mapping is depth 0
    document = load_document('{"a": ' + "[" * depth + "]" * depth + "}")
    assert isinstance(document["a"], list)


def test_size_limit_is_in_bytes() -> None:
    assert MAX_TEMPLATE_BYTES == 524_288
    prefix = "a: '"
    fits = prefix + "x" * (MAX_TEMPLATE_BYTES - len(prefix) - 1) + "'"
    assert len(fits.encode()) == MAX_TEMPLATE_BYTES
    assert len(load_document(fits)["a"]) == MAX_TEMPLATE_BYTES - 5
    with pytest.raises(LoadError) as info:
        load_document(fits + " ")
    assert str(info.value) == "template is 524,289 bytes; the limit is 524,288 bytes"
    wide = "a: '" + "模" * (MAX_TEMPLATE_BYTES // 3) + "'"  # fewer characters, more bytes
    with pytest.raises(LoadError, match="the limit is 524,288 bytes"):
        load_document(wide)
    with pytest.raises(LoadError, match="template is 11 bytes; the limit is 10 bytes"):
        load_document("a: 'xxxxxx'", max_bytes=10)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a: '\xff\xfe'", "template is not UTF-8 text (byte 4)"),
        (b"\xc3(", "template is not UTF-8 text (byte 0)"),
        (b"", "template is empty"),
        ("", "template is empty"),
        (b" \n\t\n", "template is empty"),
    ],
    ids=["invalid-bytes", "truncated-sequence", "empty-bytes", "empty-str", "blank"],
)
def test_unreadable_input(data: bytes | str, message: str) -> None:
    with pytest.raises(LoadError) as info:
        load_document(data)
    assert str(info.value) == message


def test_utf8_bom_and_bytes_are_accepted() -> None:
    assert load_document("\ufeffa: 模板".encode()) == {"a": "模板"}


def test_load_errors_become_invalid_template() -> None:
    with pytest.raises(TemplateError) as info:
        load_template("a: 1\na: 2\n")
    assert info.value.code == "InvalidTemplate"
    assert info.value.message == "Template format error: line 2: duplicate key 'a'"


# --- templates: outline ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "code", "message"),
    [
        ([1, 2], "InvalidTemplate", "The template must be a JSON or YAML mapping"),
        ({}, "InvalidTemplateVersion", "ROSTemplateFormatVersion is missing"),
        ({"ROSTemplateFormatVersion": "2016-01-01"}, "InvalidTemplateVersion", '"2016-01-01"'),
        (
            {"ROSTemplateFormatVersion": "2015-09-01", "Outputz": {}},
            "InvalidTemplateSection",
            "The template section is invalid: Outputz",
        ),
        (
            {"ROSTemplateFormatVersion": "2015-09-01", "Parameters": []},
            "InvalidTemplateSection",
            "The template section is invalid: Parameters",
        ),
    ],
)
def test_template_outline_errors(document: Any, code: str, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        parse_template(document)
    assert info.value.code == code
    assert message in info.value.message


# --- templates: pick_text ----------------------------------------------------------------------

BILINGUAL = {"en": "Network", "zh-cn": "网络"}


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        (None, "en", ""),
        ("plain", "zh-cn", "plain"),
        (42, "en", "42"),
        (BILINGUAL, "en", "Network"),
        (BILINGUAL, "zh-cn", "网络"),
        (BILINGUAL, "zh_CN", "网络"),
        (BILINGUAL, "ZH-CN", "网络"),
        (BILINGUAL, "zh", "网络"),  # bare zh prefers zh-cn
        (BILINGUAL, "en-US", "Network"),  # the language part of a locale
        (BILINGUAL, "ja", "Network"),  # then English
        ({"zh-cn": "只有中文"}, "en", "只有中文"),  # then any value
        ({"EN": "Upper"}, "en", "Upper"),  # keys compare case-insensitively
        ({"en": "", "zh-cn": "中文"}, "en", "中文"),  # empty texts are skipped
        ({"en": None, "ja": "日本語"}, "en", "日本語"),
        ({"default": "Fallback", "en": "English"}, "en", "English"),
        ({"default": "Fallback", "en": "English"}, "ja", "Fallback"),
        ({}, "en", ""),
        ({"en": ""}, "en", ""),
    ],
)
def test_pick_text(value: Any, language: str, expected: str) -> None:
    assert pick_text(value, language) == expected


# --- templates: ParameterSpec ------------------------------------------------------------------


def test_parameter_spec_from_a_full_definition() -> None:
    definition = {
        "Type": "String",
        "Default": "abc",
        "AllowedValues": ["abc", "def"],
        "AllowedPattern": "[a-z]+",
        "MinLength": "2",
        "MaxLength": 8.0,
        "Label": BILINGUAL,
        "Description": {"en": "Describe", "zh-cn": "描述"},
        "ConstraintDescription": "Lowercase",
        "NoEcho": "True",
        "Confirm": "true",
        "TextArea": False,
        "AssociationProperty": "ALIYUN::ECS::Instance::ZoneId",
        "AssociationPropertyMetadata": {"RegionId": "${RegionId}"},
    }
    parsed = ParameterSpec.from_definition("Zone", definition)
    assert parsed.key == "Zone" and parsed.type == "String"
    assert (parsed.default, parsed.has_default) == ("abc", True)
    assert parsed.allowed_values == ("abc", "def")
    assert parsed.allowed_pattern == "[a-z]+"
    assert (parsed.min_length, parsed.max_length) == (2, 8)
    assert (parsed.no_echo, parsed.confirm, parsed.text_area) == (True, True, False)
    assert parsed.label_text("en") == "Network" and parsed.label_text("zh-cn") == "网络"
    assert parsed.description_text("zh-cn") == "描述"
    assert parsed.association_property == "ALIYUN::ECS::Instance::ZoneId"
    assert parsed.association_metadata == {"RegionId": "${RegionId}"}


def test_parameter_spec_defaults() -> None:
    parsed = ParameterSpec.from_definition("Plain", {"Type": "Number", "MinValue": "1.5"})
    assert parsed.has_default is False and parsed.default is None
    assert parsed.min_value == 1.5 and parsed.max_value is None
    assert parsed.label_text() == "Plain"  # Label defaults to the key
    assert parsed.no_echo is False
    assert parsed.display_default() == ""


@pytest.mark.parametrize(
    ("definition", "shown"),
    [
        ({"Type": "Json", "Default": {"a": [1, 2]}}, '{"a":[1,2]}'),
        ({"Type": "CommaDelimitedList", "Default": ["a", "b"]}, "a,b"),
        ({"Type": "CommaDelimitedList", "Default": "a,b"}, "a,b"),
        ({"Type": "Boolean", "Default": True}, "true"),
        ({"Type": "Number", "Default": 5.0}, "5"),
        ({"Type": "String", "Default": None}, ""),
    ],
)
def test_display_default(definition: dict, shown: str) -> None:
    assert ParameterSpec.from_definition("P", definition).display_default() == shown


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ("String", "Parameter P must be a mapping"),
        ({}, "Parameter P: Type None is not one of"),
        ({"Type": "Text"}, "Parameter P: Type 'Text' is not one of"),
        ({"Type": "String", "AllowedValues": "a,b"}, "AllowedValues must be a list"),
        ({"Type": "String", "AllowedPattern": "[a-"}, "AllowedPattern is not a valid regex"),
        ({"Type": "String", "MinLength": "two"}, "MinLength must be a number, not 'two'"),
        ({"Type": "Number", "MaxValue": "inf"}, "MaxValue must be finite"),
    ],
)
def test_bad_parameter_definitions(definition: Any, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        ParameterSpec.from_definition("P", definition)
    assert info.value.code == "InvalidSchema"
    assert message in info.value.message


# --- templates: parameter groups ----------------------------------------------------------------

GROUPED = {
    "ROSTemplateFormatVersion": "2015-09-01",
    "Parameters": {
        "A": {"Type": "String"},
        "B": {"Type": "String"},
        "C": {"Type": "String"},
        "D": {"Type": "String"},
        "Loose": {"Type": "String"},
    },
    "Metadata": {
        "ALIYUN::ROS::Interface": {
            "ParameterGroups": [
                {"Parameters": ["A"], "Label": {"default": "Plain default"}},
                {"Parameters": ["B"], "Label": {"default": {"en": "Nested", "zh-cn": "嵌套"}}},
                {"Parameters": ["C", "Missing"], "Label": {"en": "Bare", "zh-cn": "直接"}},
                {"Parameters": ["Missing"], "Label": {"default": "Empty group"}},
                {"Parameters": "D", "Label": {"default": "Not a list: ignored"}},
                "not a group",
            ]
        }
    },
}


def test_grouped_parameters_accept_all_three_label_shapes() -> None:
    groups = parse_template(GROUPED).grouped_parameters()
    shape = [
        (
            group.label_text("en") if group else None,
            group.label_text("zh-cn") if group else None,
            [s.key for s in specs],
        )
        for group, specs in groups
    ]
    assert shape == [
        ("Plain default", "Plain default", ["A"]),
        ("Nested", "嵌套", ["B"]),
        ("Bare", "直接", ["C"]),
        (None, None, ["D", "Loose"]),  # ungrouped parameters last, in template order
    ]


@pytest.mark.parametrize(
    "metadata",
    [None, "text", {}, {"ALIYUN::ROS::Interface": []}, {"ALIYUN::ROS::Interface": {}}],
)
def test_templates_without_groups_have_one_ungrouped_section(metadata: Any) -> None:
    document = {**GROUPED, "Metadata": metadata}
    if metadata is None or isinstance(metadata, str):
        del document["Metadata"]
    groups = parse_template(document).grouped_parameters()
    assert [(g, [s.key for s in specs]) for g, specs in groups] == [
        (None, ["A", "B", "C", "D", "Loose"])
    ]


def test_no_parameters_means_no_sections() -> None:
    assert parse_template({"ROSTemplateFormatVersion": "2015-09-01"}).grouped_parameters() == []


# --- templates: resolving values ------------------------------------------------------------------


def test_values_are_typed() -> None:
    tmpl = template(
        S={"Type": "String"},
        N={"Type": "Number"},
        F={"Type": "Number"},
        B={"Type": "Boolean"},
        L={"Type": "CommaDelimitedList"},
        E={"Type": "CommaDelimitedList"},
        J={"Type": "Json"},
        Optional={"Type": "String", "Default": None},
        Defaulted={"Type": "Json", "Default": {"k": "v"}},
    )
    values = resolve_parameters(
        tmpl,
        {"S": "text", "N": " 3 ", "F": "2.5", "B": "TRUE", "L": "a, b ,c", "E": "", "J": "[1]"},
    )
    assert values == {
        "S": "text",
        "N": 3,
        "F": 2.5,
        "B": True,
        "L": ["a", "b", "c"],
        "E": [],
        "J": [1],
        "Optional": None,  # Default: null is "empty", never validated
        "Defaulted": {"k": "v"},
    }


RESOLVE_ERRORS = [
    ({"Type": "Number"}, "x1", "StackValidationFailed", '"x1" is not a number'),
    ({"Type": "Number"}, "1e400", "StackValidationFailed", '"1e400" is not a finite number'),
    ({"Type": "Number"}, "nan", "StackValidationFailed", '"nan" is not a finite number'),
    ({"Type": "Boolean"}, "1", "StackValidationFailed", '"1" is not a boolean (true or false)'),
    ({"Type": "Json"}, "{", "StackValidationFailed", "the value is not valid JSON"),
    ({"Type": "Json"}, '"s"', "StackValidationFailed", "the value must be a JSON object or array"),
    (
        {"Type": "String", "AllowedValues": ["b", "a"]},
        "c",
        "StackValidationFailed",
        '"c" is not an allowed value [a, b]',
    ),
    (
        {"Type": "Boolean", "AllowedValues": ["true"]},
        "False",
        "StackValidationFailed",
        '"false" is not an allowed value [true]',
    ),
    (
        {"Type": "String", "AllowedPattern": "\\d+"},
        "12a",
        "StackValidationFailed",
        '"12a" does not match pattern "\\d+"',
    ),
    (
        {"Type": "String", "MinLength": 2},
        "a",
        "StackValidationFailed",
        "length (1) is out of range (min: 2, max: None)",
    ),
    (
        {"Type": "Json", "MaxLength": 1},
        '{"a": 1, "b": 2}',
        "StackValidationFailed",
        "length (2) is out of range (min: None, max: 1)",
    ),
    (
        {"Type": "Number", "MinValue": 0, "MaxValue": 1.5},
        "2",
        "StackValidationFailed",
        "2 is out of range (min: 0, max: 1.5)",
    ),
    (
        {"Type": "Number", "MinValue": 0},
        "-0.5",
        "StackValidationFailed",
        "-0.5 is out of range (min: 0, max: None)",
    ),
]


@pytest.mark.parametrize(("definition", "value", "code", "reason"), RESOLVE_ERRORS)
def test_resolve_errors(definition: dict, value: str, code: str, reason: str) -> None:
    with pytest.raises(ParameterError) as info:
        resolve_parameters(template(P=definition), {"P": value})
    assert info.value.code == code
    assert info.value.key == "P"
    assert info.value.message == f"Parameter 'P' is invalid: {reason}"


def test_unknown_and_missing_parameters() -> None:
    tmpl = template(Needed={"Type": "String"})
    with pytest.raises(ParameterError) as info:
        resolve_parameters(tmpl, {"Needed": "x", "Extra": "y"})
    assert (info.value.code, info.value.key, info.value.message) == (
        "UnknownUserParameter",
        "Extra",
        "The Parameter (Extra) was not defined in template.",
    )
    with pytest.raises(ParameterError) as info:
        resolve_parameters(tmpl, {})
    assert (info.value.code, info.value.key, info.value.message) == (
        "UserParameterMissing",
        "Needed",
        "The Parameter Needed was not provided.",
    )


def test_constraint_description_replaces_the_reason_in_the_chosen_language() -> None:
    described = spec(AllowedPattern="[a-z]+", ConstraintDescription={"en": "lowercase only"})
    with pytest.raises(ParameterError) as info:
        coerce_parameter(described, "ABC")
    assert info.value.message == "Parameter 'P' is invalid: lowercase only"


def test_a_default_is_checked_like_a_given_value() -> None:
    tmpl = template(Size={"Type": "Number", "Default": 9, "MaxValue": 5})
    with pytest.raises(ParameterError, match="9 is out of range"):
        resolve_parameters(tmpl, {})
    assert resolve_parameters(tmpl, {"Size": "4"}) == {"Size": 4}


SECRET = "Sup3r-Secret-Value"


@pytest.mark.parametrize(
    "definition",
    [
        {"Type": "String", "AllowedValues": ["a"]},
        {"Type": "String", "AllowedPattern": "[a-z]+"},
        {"Type": "String", "MaxLength": 3},
        {"Type": "Number"},
        {"Type": "Boolean"},
        {"Type": "CommaDelimitedList", "AllowedValues": ["a"]},
        {"Type": "Json"},
    ],
)
def test_no_echo_values_are_never_echoed(definition: dict) -> None:
    tmpl = template(P={**definition, "NoEcho": True})
    with pytest.raises(ParameterError) as info:
        resolve_parameters(tmpl, {"P": SECRET})
    assert SECRET not in info.value.message
    assert SECRET not in str(info.value)
    with pytest.raises(ParameterErrors) as collected:
        resolve_parameters(tmpl, {"P": SECRET}, collect=True)
    assert SECRET not in str(collected.value)


def test_no_echo_number_out_of_range_is_not_echoed() -> None:
    tmpl = template(P={"Type": "Number", "NoEcho": "true", "MaxValue": 10})
    with pytest.raises(ParameterError) as info:
        resolve_parameters(tmpl, {"P": "987654"})
    assert info.value.message == (
        "Parameter 'P' is invalid: the value is out of range (min: None, max: 10)"
    )


def test_collect_returns_every_error() -> None:
    tmpl = template(
        Needed={"Type": "String"},
        Size={"Type": "Number", "MaxValue": 3},
        Env={"Type": "String", "AllowedValues": ["dev"]},
        Fine={"Type": "String", "Default": "ok"},
    )
    given = {"Size": "4", "Env": "prod", "Extra": "x"}
    with pytest.raises(ParameterErrors) as info:
        resolve_parameters(tmpl, given, collect=True)
    errors = info.value.errors
    assert [(e.key, e.code) for e in errors] == [
        ("Extra", "UnknownUserParameter"),
        ("Needed", "UserParameterMissing"),
        ("Size", "StackValidationFailed"),
        ("Env", "StackValidationFailed"),
    ]
    assert info.value.code == "UnknownUserParameter"
    assert info.value.message == "; ".join(e.message for e in errors)
    with pytest.raises(ParameterError) as first:
        resolve_parameters(tmpl, given)
    assert first.value.key == "Extra"  # without collect, the first error alone


def test_masked_parameters() -> None:
    tmpl = template(
        Password={"Type": "String", "NoEcho": True},
        Name={"Type": "String"},
        Ports={"Type": "CommaDelimitedList"},
        Tags={"Type": "Json"},
        Flag={"Type": "Boolean"},
        Count={"Type": "Number"},
        Optional={"Type": "String", "Default": None},
    )
    values = resolve_parameters(
        tmpl,
        {
            "Password": SECRET,
            "Name": "web",
            "Ports": "80,443",
            "Tags": '{"a": "b"}',
            "Flag": "True",
            "Count": "2",
        },
    )
    assert masked_parameters(tmpl, values) == {
        "Password": MASK,
        "Name": "web",
        "Ports": "80,443",
        "Tags": '{"a":"b"}',
        "Flag": "true",
        "Count": "2",
        "Optional": "",
    }
    assert masked_parameters(tmpl, {"Undeclared": [1, 2]}) == {"Undeclared": "[1,2]"}
    assert MASK == "****"


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (True, "String", "true"),
        (False, "Boolean", "false"),
        (["a", "b"], "CommaDelimitedList", "a,b"),
        (["a", "b"], "Json", '["a","b"]'),
        ({"k": "模"}, "Json", '{"k":"模"}'),
        (3.0, "Number", "3"),
        (2.5, "Number", "2.5"),
        ("x", "String", "x"),
    ],
)
def test_format_value(value: Any, kind: str, text: str) -> None:
    assert format_value(value, kind) == text


def test_a_json_document_and_its_yaml_twin_load_alike() -> None:
    yaml_text = VERSION + (
        "Parameters:\n"
        "  Name: {Type: String, Default: web, Label: {en: Name, zh-cn: 名称}}\n"
        "Resources:\n"
        "  Vpc: {Type: 'ALIYUN::ECS::VPC', Properties: {VpcName: !Ref Name}}\n"
        "Outputs:\n"
        "  Id: {Value: !GetAtt Vpc.VpcId}\n"
    )
    twin = {
        "ROSTemplateFormatVersion": "2015-09-01",
        "Parameters": {
            "Name": {"Type": "String", "Default": "web", "Label": {"en": "Name", "zh-cn": "名称"}}
        },
        "Resources": {
            "Vpc": {"Type": "ALIYUN::ECS::VPC", "Properties": {"VpcName": {"Ref": "Name"}}}
        },
        "Outputs": {"Id": {"Value": {"Fn::GetAtt": ["Vpc", "VpcId"]}}},
    }
    assert load_template(yaml_text).document == load_template(json.dumps(twin)).document == twin


BUNDLED = sorted(
    (Path(__file__).parents[2] / "resources" / "templates").glob("*.yaml"), key=lambda p: p.name
)


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_c_parser_gives_the_pure_python_loaders_document(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert yamlload._LOADER is yamlload._CStrictLoader
    assert load_document(text) == yaml.load(text, Loader=yamlload._StrictLoader)


def test_bundled_yaml_samples_exist() -> None:
    assert len(BUNDLED) >= 3

"""Unit tests for the ROS function evaluator: hand-computed values, edge cases and errors."""

from __future__ import annotations

import copy
import pickle
from dataclasses import dataclass, field
from typing import Any

import pytest

from rostray.sandbox.errors import RosApiError
from rostray.sandbox.functions import (
    MAX_DEPTH,
    MAX_STRING,
    NO_VALUE,
    References,
    evaluate,
    evaluate_condition,
    find_references,
)


def _unknown(name: str) -> RosApiError:
    return RosApiError("InvalidTemplateReference", f"unknown {name}")


@dataclass
class FakeContext:
    """The smallest Context: dictionaries, plus a log of every lookup made."""

    region: str = "cn-hangzhou"
    mappings: dict[str, Any] = field(
        default_factory=lambda: {
            "RegionMap": {"cn-hangzhou": {"Image": "m-hz", "Size": 40}, "80": {"Port": "http"}},
        }
    )
    params: dict[str, Any] = field(
        default_factory=lambda: {
            "Name": "web",
            "Count": 3,
            "Zones": ["z1", "z2"],
            "Flag": "True",
            "Doc": '{"a": 1, "b": [1, 2]}',
            "ALIYUN::StackName": "demo",
            "ALIYUN::Region": "cn-beijing",
            "Server": "i-123",
        }
    )
    attributes: dict[tuple[str, str], Any] = field(
        default_factory=lambda: {
            ("Server", "PublicIp"): "1.2.3.4",
            ("Server", "Tags.Env"): "prod",
            ("Wait", "Data"): '{"id": "1", "data": "ok"}',
        }
    )
    conditions: dict[str, bool] = field(default_factory=lambda: {"IsProd": True, "IsDev": False})
    lookups: list[str] = field(default_factory=list)

    def ref(self, name: str) -> Any:
        self.lookups.append(name)
        if name not in self.params:
            raise _unknown(name)
        return self.params[name]

    def get_att(self, resource: str, attribute: str) -> Any:
        self.lookups.append(f"{resource}.{attribute}")
        if (resource, attribute) not in self.attributes:
            raise _unknown(f"{resource}.{attribute}")
        return self.attributes[(resource, attribute)]

    def condition(self, name: str) -> bool:
        self.lookups.append(f"condition:{name}")
        if name not in self.conditions:
            raise _unknown(name)
        return self.conditions[name]


@pytest.fixture
def ctx() -> FakeContext:
    return FakeContext()


def run(node: Any, ctx: FakeContext | None = None) -> Any:
    return evaluate(node, ctx or FakeContext())


def fails(node: Any, ctx: FakeContext | None = None) -> RosApiError:
    with pytest.raises(RosApiError) as caught:
        run(node, ctx)
    return caught.value


# --------------------------------------------------------------------------- plain trees


@pytest.mark.parametrize(
    "node",
    ["text", 7, 1.5, True, None, [], {}, {"a": [1, {"b": None}]}, {"Ref": "x", "Other": 1}],
)
def test_plain_values_come_back_equal(node: Any) -> None:
    assert run(node) == node


def test_result_is_a_new_tree(ctx: FakeContext) -> None:
    node = {"a": [1, 2], "b": {"Ref": "Zones"}}
    result = run(node, ctx)
    result["a"].append(3)
    result["b"].append("z3")
    assert node == {"a": [1, 2], "b": {"Ref": "Zones"}}
    assert ctx.params["Zones"] == ["z1", "z2"]


# --------------------------------------------------------------------------- Ref and NoValue


def test_ref_parameter_and_pseudo_parameter(ctx: FakeContext) -> None:
    assert run({"Ref": "Name"}, ctx) == "web"
    assert run({"Ref": "ALIYUN::StackName"}, ctx) == "demo"


def test_ref_unknown_name_propagates_context_error(ctx: FakeContext) -> None:
    assert fails({"Ref": "Nope"}, ctx).code == "InvalidTemplateReference"


def test_ref_novalue_is_handled_without_the_context(ctx: FakeContext) -> None:
    assert run({"Ref": "ALIYUN::NoValue"}, ctx) is NO_VALUE
    assert ctx.lookups == []


def test_novalue_is_dropped_from_mappings_and_lists(ctx: FakeContext) -> None:
    node = {
        "Keep": 1,
        "Drop": {"Ref": "ALIYUN::NoValue"},
        "List": ["a", {"Ref": "ALIYUN::NoValue"}, "b"],
        "ViaIf": {"Fn::If": ["IsProd", {"Ref": "ALIYUN::NoValue"}, "dev"]},
    }
    assert run(node, ctx) == {"Keep": 1, "List": ["a", "b"]}


def test_novalue_survives_copy_and_pickle() -> None:
    assert copy.deepcopy(NO_VALUE) is NO_VALUE
    assert copy.copy(NO_VALUE) is NO_VALUE
    assert pickle.loads(pickle.dumps(NO_VALUE)) is NO_VALUE


# --------------------------------------------------------------------------- Fn::GetAtt


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"Fn::GetAtt": ["Server", "PublicIp"]}, "1.2.3.4"),
        ({"Fn::GetAtt": "Server.PublicIp"}, "1.2.3.4"),
        ({"Fn::GetAtt": "Server.Tags.Env"}, "prod"),  # only the first dot splits
        ({"Fn::GetAtt": [{"Ref": "Server"}, "PublicIp"]}, KeyError),
    ],
)
def test_get_att(ctx: FakeContext, node: Any, expected: Any) -> None:
    if expected is KeyError:  # Ref gives the physical id, which is not a logical name
        assert fails(node, ctx).code == "InvalidTemplateReference"
    else:
        assert run(node, ctx) == expected


@pytest.mark.parametrize(
    "arg", ["NoDot", ".Attr", "Res.", ["OnlyOne"], ["A", "B", "C"], [1, "x"], 5]
)
def test_get_att_bad_shapes(arg: Any) -> None:
    error = fails({"Fn::GetAtt": arg})
    assert error.code == "InvalidTemplate"
    assert "Fn::GetAtt" in error.message


# --------------------------------------------------------------------------- Fn::Join


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"Fn::Join": [",", ["a", "b", "c"]]}, "a,b,c"),
        ({"Fn::Join": ["", []]}, ""),
        ({"Fn::Join": ["-", [1, 2.5, True, False, None]]}, "1-2.5-true-false-"),
        ({"Fn::Join": ["|", [{"k": "v"}, [1, 2]]]}, '{"k": "v"}|[1, 2]'),
        ({"Fn::Join": [":", ["a", {"Ref": "ALIYUN::NoValue"}, "b"]]}, "a:b"),
        ({"Fn::Join": ["/", [{"Ref": "Name"}, {"Fn::GetAtt": "Server.PublicIp"}]]}, "web/1.2.3.4"),
        ({"Fn::Join": [",", {"Ref": "Zones"}]}, "z1,z2"),
    ],
)
def test_join(ctx: FakeContext, node: Any, expected: str) -> None:
    assert run(node, ctx) == expected


@pytest.mark.parametrize("arg", ["a,b", [","], [1, ["a"]], [",", "ab"], [",", ["a"], "x"]])
def test_join_bad_shapes(arg: Any) -> None:
    error = fails({"Fn::Join": arg})
    assert error.code == "InvalidTemplate"
    assert "Fn::Join" in error.message


def test_join_refuses_results_over_one_mib() -> None:
    chunk = "x" * (MAX_STRING // 2)
    error = fails({"Fn::Join": ["", [chunk, chunk, "y"]]})
    assert "Fn::Join" in error.message
    assert "larger" in error.message


# --------------------------------------------------------------------------- Fn::Sub


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"Fn::Sub": "plain"}, "plain"),
        ({"Fn::Sub": "${Name}-${Count}"}, "web-3"),
        ({"Fn::Sub": "ip=${Server.PublicIp}"}, "ip=1.2.3.4"),
        ({"Fn::Sub": "${Server.Tags.Env}"}, "prod"),
        ({"Fn::Sub": "${ALIYUN::StackName}/${ALIYUN::Region}"}, "demo/cn-beijing"),
        ({"Fn::Sub": "${!Literal} and ${!Name}"}, "${Literal} and ${Name}"),
        ({"Fn::Sub": "${ Name }"}, "web"),
        ({"Fn::Sub": "cost: $5 {x} ${Name"}, "cost: $5 {x} ${Name"),
        ({"Fn::Sub": ["${Var}-${Name}", {"Var": {"Ref": "Count"}}]}, "3-web"),
        ({"Fn::Sub": ["${Name}", {"Name": "shadowed"}]}, "shadowed"),
        ({"Fn::Sub": ["${List}", {"List": [1, "a"]}]}, '[1, "a"]'),
        ({"Fn::Sub": ["${B}", {"B": False}]}, "false"),
    ],
)
def test_sub(ctx: FakeContext, node: Any, expected: str) -> None:
    assert run(node, ctx) == expected


@pytest.mark.parametrize("arg", [5, ["a"], ["a", "b"], [1, {}], ["a", {}, "extra"], "${}"])
def test_sub_bad_shapes(arg: Any) -> None:
    error = fails({"Fn::Sub": arg})
    assert error.code == "InvalidTemplate"
    assert "Fn::Sub" in error.message


def test_sub_unknown_variable_goes_to_the_context(ctx: FakeContext) -> None:
    assert fails({"Fn::Sub": "${Missing}"}, ctx).code == "InvalidTemplateReference"
    assert ctx.lookups == ["Missing"]


def test_sub_refuses_results_over_one_mib(ctx: FakeContext) -> None:
    ctx.params["Big"] = "x" * (MAX_STRING // 2 + 1)
    error = fails({"Fn::Sub": "${Big}${Big}"}, ctx)
    assert "Fn::Sub" in error.message


# --------------------------------------------------------------------------- Fn::Select


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"Fn::Select": [1, ["a", "b", "c"]]}, "b"),
        ({"Fn::Select": ["0", ["a", "b", "c"]]}, "a"),
        ({"Fn::Select": [-1, ["a", "b", "c"]]}, "c"),
        ({"Fn::Select": [3, ["a", "b", "c"]]}, ""),
        ({"Fn::Select": [-4, ["a", "b", "c"]]}, ""),
        ({"Fn::Select": [9, ["a"], "fallback"]}, "fallback"),
        ({"Fn::Select": ["1:3", [0, 1, 2, 3]]}, [1, 2]),
        ({"Fn::Select": [":2", [0, 1, 2, 3]]}, [0, 1]),
        ({"Fn::Select": ["2:", [0, 1, 2, 3]]}, [2, 3]),
        ({"Fn::Select": ["::2", [0, 1, 2, 3]]}, [0, 2]),
        ({"Fn::Select": ["3:0:-1", [0, 1, 2, 3]]}, [3, 2, 1]),
        ({"Fn::Select": ["5:9", [0, 1]]}, []),
        ({"Fn::Select": ["key", {"key": "v", "other": 1}]}, "v"),
        ({"Fn::Select": ["gone", {"key": "v"}]}, ""),
        ({"Fn::Select": ["gone", {"key": "v"}, "dflt"]}, "dflt"),
        ({"Fn::Select": [80, {"80": "http"}]}, "http"),
        ({"Fn::Select": ["b", '{"a": 1, "b": 2}']}, 2),
        ({"Fn::Select": [1, {"Ref": "Zones"}]}, "z2"),
        ({"Fn::Select": [0, {"Fn::GetAZs": ""}]}, "cn-hangzhou-h"),
        ({"Fn::Select": [0, None]}, ""),
    ],
)
def test_select(ctx: FakeContext, node: Any, expected: Any) -> None:
    assert run(node, ctx) == expected


@pytest.mark.parametrize(
    ("arg", "fragment"),
    [
        (["x", [1, 2]], "index must be an integer or slice"),
        ([1.5, [1, 2]], "index must be an integer or slice"),
        ([True, [1, 2]], "index must be an integer or slice"),
        (["1:2:3:4", [1, 2]], "index must be an integer or slice"),
        (["a:b", [1, 2]], "index must be an integer or slice"),
        (["::0", [1, 2]], "step must not be zero"),
        ([0, 5], "list or mapping"),
        ([0, "not json"], "not valid JSON"),
        ([[1], {"a": 1}], "key must be a string"),
        ([0], "expected 2 or 3 arguments"),
        ("0", "arguments must be a list"),
    ],
)
def test_select_errors(arg: Any, fragment: str) -> None:
    error = fails({"Fn::Select": arg})
    assert error.code == "InvalidTemplate"
    assert error.message.startswith("Fn::Select: ")
    assert fragment in error.message


# --------------------------------------------------------------------------- Fn::Split


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"Fn::Split": [",", "a,b,,c"]}, ["a", "b", "", "c"]),
        ({"Fn::Split": [",", ""]}, [""]),
        ({"Fn::Split": ["::", "x::y"]}, ["x", "y"]),
        ({"Fn::Split": [",", {"Fn::Join": [",", ["p", "q"]]}]}, ["p", "q"]),
    ],
)
def test_split(node: Any, expected: list[str]) -> None:
    assert run(node) == expected


@pytest.mark.parametrize("arg", [[",", 5], ["", "abc"], [1, "a"], ["a"], "a,b"])
def test_split_errors(arg: Any) -> None:
    assert "Fn::Split" in fails({"Fn::Split": arg}).message


# --------------------------------------------------------------------------- Fn::If


def test_if_picks_branches(ctx: FakeContext) -> None:
    assert run({"Fn::If": ["IsProd", "p", "d"]}, ctx) == "p"
    assert run({"Fn::If": ["IsDev", "p", "d"]}, ctx) == "d"


def test_if_never_evaluates_the_other_branch(ctx: FakeContext) -> None:
    poisoned = {"Fn::Join": [{"Ref": "Nope"}, {"Fn::Unknown": 1}]}
    assert run({"Fn::If": ["IsProd", {"Ref": "Name"}, poisoned]}, ctx) == "web"
    assert run({"Fn::If": ["IsDev", poisoned, {"Ref": "Name"}]}, ctx) == "web"
    assert "Nope" not in ctx.lookups


def test_if_with_inline_condition_expression(ctx: FakeContext) -> None:
    node = {"Fn::If": [{"Fn::Equals": [{"Ref": "Name"}, "web"]}, "same", "other"]}
    assert run(node, ctx) == "same"


def test_if_nested_in_lists_and_values(ctx: FakeContext) -> None:
    node = {
        "Size": {"Fn::If": ["IsDev", 20, {"Fn::FindInMap": ["RegionMap", "cn-hangzhou", "Size"]}]},
        "Zones": [{"Fn::If": ["IsDev", "z-dev", {"Ref": "ALIYUN::NoValue"}]}, "z-all"],
    }
    assert run(node, ctx) == {"Size": 40, "Zones": ["z-all"]}


@pytest.mark.parametrize("arg", [["IsProd", "a"], "IsProd", ["IsProd", "a", "b", "c"]])
def test_if_bad_shapes(arg: Any) -> None:
    assert "Fn::If" in fails({"Fn::If": arg}).message


def test_if_unknown_condition_propagates(ctx: FakeContext) -> None:
    assert fails({"Fn::If": ["Missing", 1, 2]}, ctx).code == "InvalidTemplateReference"


# --------------------------------------------------------------------------- conditions


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("False", False),
        ({"Condition": "IsProd"}, True),
        ({"Fn::Equals": ["a", "a"]}, True),
        ({"Fn::Equals": ["a", "b"]}, False),
        ({"Fn::Equals": [{"Ref": "Count"}, "3"]}, True),
        ({"Fn::Equals": [3, 3.0]}, True),
        ({"Fn::Equals": [{"Ref": "Flag"}, True]}, True),
        ({"Fn::Equals": ["yes", True]}, False),
        ({"Fn::Equals": [1, True]}, False),
        ({"Fn::Equals": [["a", 1], ["a", 1]]}, True),
        ({"Fn::Not": [{"Condition": "IsDev"}]}, True),
        ({"Fn::Not": [{"Fn::Equals": [1, 1]}]}, False),
        ({"Fn::And": [{"Condition": "IsProd"}, {"Fn::Equals": [1, 1]}]}, True),
        ({"Fn::And": [{"Condition": "IsProd"}, {"Condition": "IsDev"}]}, False),
        ({"Fn::Or": [{"Condition": "IsDev"}, {"Fn::Equals": [1, 1]}]}, True),
        ({"Fn::Or": [{"Condition": "IsDev"}, False]}, False),
        ({"Ref": "Flag"}, True),
        ({"Fn::If": ["IsDev", False, True]}, True),
    ],
)
def test_evaluate_condition(ctx: FakeContext, node: Any, expected: bool) -> None:
    assert evaluate_condition(node, ctx) is expected


def test_and_or_short_circuit(ctx: FakeContext) -> None:
    assert evaluate_condition({"Fn::And": [False, {"Condition": "Missing"}]}, ctx) is False
    assert evaluate_condition({"Fn::Or": [True, {"Condition": "Missing"}]}, ctx) is True


@pytest.mark.parametrize(
    ("node", "fragment"),
    [
        ("maybe", "boolean"),
        (1, "boolean"),
        ({"Ref": "Name"}, "boolean"),
        ({"Condition": 5}, "condition name"),
        ({"Fn::And": [True]}, "Fn::And: expected at least 2"),
        ({"Fn::Or": True}, "Fn::Or: arguments must be a list"),
        ({"Fn::Not": [True, False]}, "Fn::Not: expected 1"),
        ({"Fn::Not": ["x"]}, "Fn::Not"),
        ({"Fn::Equals": ["a"]}, "Fn::Equals: expected 2"),
    ],
)
def test_condition_errors(ctx: FakeContext, node: Any, fragment: str) -> None:
    with pytest.raises(RosApiError) as caught:
        evaluate_condition(node, ctx)
    assert caught.value.code == "InvalidTemplate"
    assert fragment in caught.value.message


def test_boolean_functions_also_work_in_evaluate(ctx: FakeContext) -> None:
    assert run({"Out": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Name"}, "db"]}]}}, ctx) == {
        "Out": True
    }


# --------------------------------------------------------------------------- Fn::FindInMap


def test_find_in_map(ctx: FakeContext) -> None:
    assert run({"Fn::FindInMap": ["RegionMap", "cn-hangzhou", "Image"]}, ctx) == "m-hz"
    assert run({"Fn::FindInMap": ["RegionMap", 80, "Port"]}, ctx) == "http"
    ctx.params["ALIYUN::Region"] = "cn-hangzhou"
    node = {"Fn::FindInMap": ["RegionMap", {"Ref": "ALIYUN::Region"}, "Size"]}
    assert run(node, ctx) == 40


@pytest.mark.parametrize(
    ("arg", "fragment"),
    [
        (["Nope", "cn-hangzhou", "Image"], "no value"),
        (["RegionMap", "cn-shanghai", "Image"], "no value"),
        (["RegionMap", "cn-hangzhou", "Nope"], "no value"),
        (["RegionMap", "cn-hangzhou"], "expected 3 arguments"),
        (["RegionMap", ["x"], "Image"], "must be strings"),
    ],
)
def test_find_in_map_errors(ctx: FakeContext, arg: Any, fragment: str) -> None:
    error = fails({"Fn::FindInMap": arg}, ctx)
    assert error.message.startswith("Fn::FindInMap: ")
    assert fragment in error.message


# --------------------------------------------------------------------------- strings


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"Fn::Base64Encode": "hello"}, "aGVsbG8=\n"),
        ({"Fn::Base64Encode": ""}, "\n"),
        ({"Fn::Base64Encode": "中文"}, "5Lit5paH\n"),
        ({"Fn::Base64Encode": 42}, "NDI=\n"),
        ({"Fn::Base64Decode": "aGVsbG8="}, "hello"),
        ({"Fn::Base64Decode": "aGVsbG8=\n"}, "hello"),
        ({"Fn::Base64Decode": "aGVs\nbG8=\n"}, "hello"),
        ({"Fn::Base64Decode": {"Fn::Base64Encode": "round trip"}}, "round trip"),
        ({"Fn::Str": 123456}, "123456"),
        ({"Fn::Str": 1.5}, "1.5"),
        ({"Fn::Str": True}, "true"),
        ({"Fn::Str": "already"}, "already"),
        ({"Fn::Replace": [{"print": "echo"}, "print hi; print bye"]}, "echo hi; echo bye"),
        ({"Fn::Replace": [{"a": "b", "b": "c"}, "ab"]}, "cc"),
        ({"Fn::Replace": [{"$N": 5}, "n=$N"]}, "n=5"),
        ({"Fn::Replace": [{}, "same"]}, "same"),
        ({"Fn::Length": "aaaaaa"}, 6),
        ({"Fn::Length": [1, 2, 3]}, 3),
        ({"Fn::Length": {"k1": "v1", "k2": "v2"}}, 2),
        ({"Fn::Length": [1, {"Ref": "ALIYUN::NoValue"}]}, 1),
        ({"Fn::Length": {"Ref": "Zones"}}, 2),
    ],
)
def test_string_functions(ctx: FakeContext, node: Any, expected: Any) -> None:
    assert run(node, ctx) == expected


@pytest.mark.parametrize(
    ("node", "name"),
    [
        ({"Fn::Base64Encode": ["a"]}, "Fn::Base64Encode"),
        ({"Fn::Base64Encode": None}, "Fn::Base64Encode"),
        ({"Fn::Base64Decode": "not base64!"}, "Fn::Base64Decode"),
        ({"Fn::Base64Decode": "//79"}, "Fn::Base64Decode"),  # bytes, but not UTF-8
        ({"Fn::Base64Decode": 12}, "Fn::Base64Decode"),
        ({"Fn::Str": [1]}, "Fn::Str"),
        ({"Fn::Str": {"a": 1}}, "Fn::Str"),
        ({"Fn::Replace": ["a", "b"]}, "Fn::Replace"),
        ({"Fn::Replace": [{"a": "b"}, 5]}, "Fn::Replace"),
        ({"Fn::Replace": [{"": "b"}, "abc"]}, "Fn::Replace"),
        ({"Fn::Replace": [{"a": "b"}]}, "Fn::Replace"),
        ({"Fn::Length": 5}, "Fn::Length"),
        ({"Fn::Length": None}, "Fn::Length"),
    ],
)
def test_string_function_errors(node: Any, name: str) -> None:
    error = fails(node)
    assert error.code == "InvalidTemplate"
    assert error.message.startswith(name + ":")


def test_replace_refuses_results_over_one_mib() -> None:
    text = "a" * 1000
    error = fails({"Fn::Replace": [{"a": "b" * 2000}, text]})
    assert "Fn::Replace" in error.message


# --------------------------------------------------------------------------- Fn::GetJsonValue


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"Fn::GetJsonValue": ["id", '{"id": "1", "data": ["x"]}']}, "1"),
        ({"Fn::GetJsonValue": ["data", '{"id": "1", "data": ["x"]}']}, ["x"]),
        ({"Fn::GetJsonValue": ["k", {"k": {"n": 1}}]}, {"n": 1}),
        ({"Fn::GetJsonValue": ["data", {"Fn::GetAtt": ["Wait", "Data"]}]}, "ok"),
    ],
)
def test_get_json_value(ctx: FakeContext, node: Any, expected: Any) -> None:
    assert run(node, ctx) == expected


@pytest.mark.parametrize(
    ("arg", "fragment"),
    [
        (["k", "{broken"], "not valid JSON"),
        (["k", "[1, 2]"], "JSON object"),
        (["missing", '{"k": 1}'], "not found"),
        ([1, '{"k": 1}'], "key must be a string"),
        (["k"], "expected 2 arguments"),
    ],
)
def test_get_json_value_errors(arg: Any, fragment: str) -> None:
    error = fails({"Fn::GetJsonValue": arg})
    assert error.message.startswith("Fn::GetJsonValue: ")
    assert fragment in error.message


# --------------------------------------------------------------------------- Fn::Calculate


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        # The four examples of the ROS documentation: int/int division floors.
        (["(2+3)/2*3-1", 1], 5),
        (["(2.0+3)/2*3-1", 1], 6.5),
        (["({1}+3)/2*3-1", 1, [3, 5, 6]], 11),
        (["({0}+{1})%3", 0, [5, 6]], 2),
        (["1+2*3", 0], 7),
        (["(1+2)*3", 0], 9),
        (["10-2-3", 0], 5),
        (["2*-3", 0], -6),
        (["-(2+3)", 0], -5),
        (["--4", 0], 4),
        (["-7/2", 0], -4),
        (["7//2", 0], 3),
        (["7.0//2", 0], 3),
        (["7%3", 0], 1),
        (["10/4.0", 0], 2),  # 2.5 rounds half to even, as Python's round does
        (["1/3.0", 2], 0.33),
        (["2/3.0", 3], 0.667),
        (["{0}*{1}", 2, ["1.5", 2]], 3.0),
        (["{0} + {1}", 0, ["3", "4"]], 7),
        ([" 1 +\t2 ", 0], 3),
        (["{ 0 }*2", 0, [21]], 42),
    ],
)
def test_calculate(arg: list[Any], expected: float) -> None:
    result = run({"Fn::Calculate": arg})
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("arg", "fragment"),
    [
        (["__import__('os').system('id')", 0], "unexpected character"),
        (["().__class__", 0], "unexpected character"),
        (["2**10", 0], "expected a number"),
        (["abs(-1)", 0], "unexpected character"),
        (["1e5", 0], "unexpected character"),
        (["1/0", 0], "division by zero"),
        (["1%0", 0], "division by zero"),
        (["1.0/0.0", 0], "division by zero"),
        (["(1+2", 0], "missing ')'"),
        (["1+", 0], "expected a number"),
        (["1 2", 0], "unexpected 2"),
        (["", 0], "expected a number"),
        (["{3}", 0, [1]], "{3} has no number"),
        (["{0}", 0, ["abc"]], "is not a number"),
        (["{0}", 0, [True]], "is not a number"),
        (["1", -1], "decimal places"),
        (["1", "x"], "is not a number"),
        (["1", 1.5], "decimal places must be an integer"),
        ([1, 0], "expression must be a string"),
        (["1", 0, "5"], "numbers must be a list"),
        (["1"], "expected 2 or 3 arguments"),
        (["(" * 40 + "1" + ")" * 40, 0], "nested too deeply"),
        (["*".join(["99999999999999999999"] * 150), 0], "number too large"),
        (["1" * 5000, 0], "at most"),
    ],
)
def test_calculate_errors(arg: list[Any], fragment: str) -> None:
    error = fails({"Fn::Calculate": arg})
    assert error.code == "InvalidTemplate"
    assert error.message.startswith("Fn::Calculate: ")
    assert fragment in error.message


def test_calculate_non_finite_float_result() -> None:
    error = fails({"Fn::Calculate": ["{0}*{0}", 1, [1e200]]})
    assert "finite" in error.message


# --------------------------------------------------------------------------- Fn::Jq


PARAMETERS_DOC = {
    "changeSet": {"items": [], "kind": "git"},
    "id": "2013-12-27_00-09-37",
    "parameters": [
        {"name": "PKG_TAG_NAME", "value": "trunk"},
        {"name": "GIT_COMMIT", "value": "master"},
        {"name": "TRIGGERED_JOB", "value": "trunk-buildall"},
    ],
}
PEOPLE = [
    {"name": "ann", "age": 31, "tags": ["a"]},
    {"name": "bob", "age": 17, "tags": []},
    {"name": "cid", "age": 45, "tags": ["a", "b"]},
]


@pytest.mark.parametrize(
    ("method", "script", "data", "expected"),
    [
        # The two examples of the ROS documentation.
        ("First", ".test", '{"test":"test"}', "test"),
        (
            "All",
            '.parameters[] | {"param_name": .name, "param_type":.type}',
            PARAMETERS_DOC,
            [
                {"param_name": "PKG_TAG_NAME", "param_type": None},
                {"param_name": "GIT_COMMIT", "param_type": None},
                {"param_name": "TRIGGERED_JOB", "param_type": None},
            ],
        ),
        ("First", ".", {"a": 1}, {"a": 1}),
        ("First", ".missing", {"a": 1}, None),
        ("All", ".missing", {"a": 1}, [None]),
        ("First", ".a.b.c", {"a": {"b": {"c": 7}}}, 7),
        ("First", '."a b"', {"a b": 1}, 1),
        ("First", '.["key"]', {"key": 2}, 2),
        ("First", ".[1]", [10, 20, 30], 20),
        ("First", ".[-1]", [10, 20, 30], 30),
        ("First", ".[5]", [10], None),
        ("First", ".a[0].b", {"a": [{"b": "x"}]}, "x"),
        ("First", ".a.[0]", {"a": [4]}, 4),
        ("All", ".[]", [1, 2, 3], [1, 2, 3]),
        ("All", ".[]", {"x": 1, "y": 2}, [1, 2]),
        ("All", ".[] | .name", PEOPLE, ["ann", "bob", "cid"]),
        ("First", "map(.age)", PEOPLE, [31, 17, 45]),
        ("All", ".[] | select(.age >= 18) | .name", PEOPLE, ["ann", "cid"]),
        ("All", '.[] | select(.name == "bob") | .age', PEOPLE, [17]),
        ("All", '.[] | select(.name != "bob" and .age < 40) | .name', PEOPLE, ["ann"]),
        ("All", ".[] | select(.age > 40 or .age < 18) | .name", PEOPLE, ["bob", "cid"]),
        ("All", ".[] | select(.tags | length > 0 | not) | .name", PEOPLE, ["bob"]),
        ("First", "[.[] | select(.age > 18) | .name]", PEOPLE, ["ann", "cid"]),
        ("First", "{n: .name, a: .age}", PEOPLE[0], {"n": "ann", "a": 31}),
        ("First", "{name}", PEOPLE[0], {"name": "ann"}),
        ("First", '{("k" + "1"): 1}', {}, {"k1": 1}),
        ("All", "{a: (1, 2)}", {}, [{"a": 1}, {"a": 2}]),
        ("First", "[.a, .b]", {"a": 1, "b": 2}, [1, 2]),
        ("First", "[]", {}, []),
        ("First", "keys", {"b": 1, "a": 2}, ["a", "b"]),
        ("First", "keys", ["x", "y"], [0, 1]),
        ("First", "length", '"hello"', 5),
        ("First", "length", {"a": 1}, 1),
        ("First", "length", None, 0),
        ("First", ".n | tostring", {"n": 5}, "5"),
        ("First", "tostring", {"a": [1]}, '{"a":[1]}'),
        ("First", ".s | tonumber", {"s": "42"}, 42),
        ("First", ".s | tonumber", {"s": "1.5"}, 1.5),
        ("First", '"lit"', None, "lit"),
        ("First", "12", None, 12),
        ("First", "true", None, True),
        ("First", "null", {}, None),
        ("First", ".a + .b", {"a": 1, "b": 2}, 3),
        ("First", '.a + "-" + .b', {"a": "x", "b": "y"}, "x-y"),
        ("First", ".a - 1", {"a": 5}, 4),
        ("First", ".a * 2 + 1", {"a": 5}, 11),
        ("First", ".a / 2", {"a": 5}, 2.5),
        ("First", ".a / 5", {"a": 10}, 2),
        ("First", ".a % 3", {"a": 10}, 1),
        ("First", "-.a", {"a": 10}, -10),
        ("First", '.a // "dflt"', {}, "dflt"),
        ("First", '.a // "dflt"', {"a": "set"}, "set"),
        ("First", 'has("a")', {"a": None}, True),
        ("First", 'join(",")', ["a", 1, None], "a,1,"),
        ("First", 'split(",")', '"a,b"', ["a", "b"]),
        ("First", "type", [], "array"),
        ("First", "add", [1, 2, 3], 6),
        ("First", "add", [[1], [2]], [1, 2]),
        ("First", "first", [7, 8], 7),
        ("First", "last", [7, 8], 8),
        ("First", "to_entries", {"k": "v"}, [{"key": "k", "value": "v"}]),
        ("First", "sort", [3, "a", None, 1], [None, 1, 3, "a"]),
        ("First", ".data | fromjson | .id", {"data": '{"id": 9}'}, 9),
        ("First", "tojson", [1, "a"], '[1,"a"]'),
        ("All", ".[] | values", [1, None, 2], [1, 2]),
        ("All", "empty", {}, []),
        ("First", "empty", {}, None),
        ("All", ".a, .b", {"a": 1, "b": 2}, [1, 2]),
        ("All", ".[]?", 5, []),
        ("First", ".a.b?", {"a": "str"}, None),
        ("First", "1 == 1.0", None, True),
        ("First", "1 == true", None, False),
        ("First", '"a" < "b"', None, True),
        ("First", "null < false", None, True),
        ("First", "[1, 2] == [1, 2]", None, True),
        ("First", "(1 + 2) * 3", None, 9),
        ("First", ".[] | select(.) ", [None, False, 0], 0),
    ],
)
def test_jq(method: str, script: str, data: Any, expected: Any) -> None:
    assert run({"Fn::Jq": [method, script, data]}) == expected


def test_jq_reads_json_strings_from_functions(ctx: FakeContext) -> None:
    node = {"Fn::Jq": ["First", ".data", {"Fn::GetAtt": ["Wait", "Data"]}]}
    assert run(node, ctx) == "ok"


def test_jq_all_results_are_independent_copies() -> None:
    result = run({"Fn::Jq": ["All", ".a, .a", {"a": {"x": 1}}]})
    result[0]["x"] = 2
    assert result[1] == {"x": 1}


@pytest.mark.parametrize(
    ("arg", "fragment"),
    [
        (["Some", ".", {}], "method must be First or All"),
        (["First", 5, {}], "script must be a string"),
        (["First", ".", "{not json"], "not valid JSON"),
        (["First", ".a", [1]], "cannot index array with string"),
        (["First", ".[0]", {"a": 1}], "cannot index object with number"),
        (["First", ".[]", 5], "cannot iterate over number"),
        (["First", "..", {}], "'..' is not supported"),
        (["First", "$__loc__", {}], "unsupported syntax"),
        (["First", "if . then 1 else 2 end", {}], "if is not supported"),
        (["First", "env", {}], "env is not supported"),
        (["First", "input", {}], "input is not supported"),
        (["First", ".a |", {}], "unexpected end of script"),
        (["First", "(.a", {}], "expected ')'"),
        (["First", ".a )", {}], "unexpected ')'"),
        (["First", "{a: 1", {}], "expected ','"),
        (["First", "{(1): 2}", {}], "object keys must be strings"),
        (["First", "map", {}], "expected '('"),
        (["First", '"\\(.a)"', {}], "unsupported string literal"),
        (["First", ". + 1", '"a"'], "cannot add string and number"),
        (["First", ". / 0", 1], "division by zero"),
        (["First", "length", True], "boolean has no length"),
        (["First", "tonumber", '"abc"'], "cannot parse"),
        (["First", "keys", 1], "number has no keys"),
        (["First", "(" * 20 + "." + ")" * 20, {}], "nested too deeply"),
        (["First", "-" * 40 + "1", {}], "nested too deeply"),
        (["First", "." * 5000, {}], "longer than"),
        (["First", ".a", {}, "extra"], "expected 3 arguments"),
    ],
)
def test_jq_errors(arg: list[Any], fragment: str) -> None:
    error = fails({"Fn::Jq": arg})
    assert error.code == "InvalidTemplate"
    assert error.message.startswith("Fn::Jq: ")
    assert fragment in error.message


def test_jq_result_explosion_is_bounded() -> None:
    data = list(range(400))  # {a: .[], b: .[]} would build 160 000 objects
    error = fails({"Fn::Jq": ["All", "{a: .[], b: .[]}", data]})
    assert "Fn::Jq" in error.message
    assert "results" in error.message


# --------------------------------------------------------------------------- lists and rules


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"Fn::Contains": [[1, 2, 3], 3]}, True),
        ({"Fn::Contains": [[1, 2, 3], 4]}, False),
        ({"Fn::Contains": [["a", "b"], {"Ref": "Name"}]}, False),
        ({"Fn::Contains": [["1", "2"], 2]}, True),
        ({"Fn::Contains": [[], "x"]}, False),
        ({"Fn::EachMemberIn": [[1, 2, 3], [1, 2, 3, 3, 4]]}, True),
        ({"Fn::EachMemberIn": [[1, 2, 3], [1, 2, 4]]}, False),
        ({"Fn::EachMemberIn": [[], [1]]}, True),
        ({"Fn::MatchPattern": ["[a-z]+", "adb"]}, True),
        ({"Fn::MatchPattern": ["[a-z]+", "12b"]}, False),
        ({"Fn::MatchPattern": ["[a-z]+", "ab1"]}, False),
        ({"Fn::MatchPattern": ["\\d+", 123]}, True),
        ({"Fn::ListMerge": [[1, 2], [3], []]}, [1, 2, 3]),
        ({"Fn::ListMerge": [{"Ref": "Zones"}, ["z3"]]}, ["z1", "z2", "z3"]),
        ({"Fn::ListMerge": []}, []),
        ({"Fn::Index": ["cn-beijing-b", ["cn-beijing-a", "cn-beijing-b"]]}, 1),
        ({"Fn::Index": ["x", ["a"]]}, ""),
        ({"Fn::Add": [1, 2, 3]}, 6),
        ({"Fn::Add": [1.5, 2]}, 3.5),
        ({"Fn::Add": [["a"], ["b", "c"]]}, ["a", "b", "c"]),
        ({"Fn::Add": [{"k1": 1, "k": 0}, {"k2": 2, "k": 9}]}, {"k1": 1, "k": 9, "k2": 2}),
        ({"Fn::Avg": [1, [1, 2, 6]]}, 3.0),
        ({"Fn::Avg": [1, [1, 2, 6.0]]}, 3.0),
        ({"Fn::Avg": [2, [1, 2]]}, 1.5),
        ({"Fn::Avg": [2, ["1", "2", "2"]]}, 1.67),
        ({"Fn::Max": [1.1, 2, 3]}, 3),
        ({"Fn::Max": ["10", 9]}, 10),
        ({"Fn::Min": [1.1, 2, 3]}, 1.1),
        ({"Fn::Min": [{"Ref": "Count"}, 5]}, 3),
        (
            {
                "Fn::SelectMapList": [
                    "key2",
                    [
                        {"key1": "value1-1", "key3": "value1-3"},
                        {"key1": "value2-1", "key2": "value2-2"},
                        {"key1": "value3-1", "key2": "value3-2"},
                    ],
                ]
            },
            ["value2-2", "value3-2"],
        ),
        (
            {
                "Fn::MergeMapToList": [
                    {"key_1": ["key_1_item_1", "key_1_item_2"]},
                    {"key_2": ["key_2_item_1", "key_2_item_2"]},
                ]
            },
            [
                {"key_1": "key_1_item_1", "key_2": "key_2_item_1"},
                {"key_1": "key_1_item_2", "key_2": "key_2_item_2"},
            ],
        ),
        (
            {"Fn::MergeMapToList": [{"a": [1, 2, 3]}, {"b": ["x"]}, {"c": ["p", "q"]}]},
            [
                {"a": 1, "b": "x", "c": "p"},
                {"a": 2, "b": "x", "c": "q"},
                {"a": 3, "b": "x", "c": "q"},
            ],
        ),
        ({"Fn::MergeMapToList": []}, []),
    ],
)
def test_list_and_rule_functions(ctx: FakeContext, node: Any, expected: Any) -> None:
    assert run(node, ctx) == expected


@pytest.mark.parametrize(
    ("node", "name"),
    [
        ({"Fn::Contains": ["abc", "a"]}, "Fn::Contains"),
        ({"Fn::Contains": [[1]]}, "Fn::Contains"),
        ({"Fn::EachMemberIn": [[1], 1]}, "Fn::EachMemberIn"),
        ({"Fn::MatchPattern": ["(", "x"]}, "Fn::MatchPattern"),
        ({"Fn::MatchPattern": [5, "x"]}, "Fn::MatchPattern"),
        ({"Fn::MatchPattern": ["x" * 2000, "x"]}, "Fn::MatchPattern"),
        ({"Fn::ListMerge": [[1], "a"]}, "Fn::ListMerge"),
        ({"Fn::ListMerge": {"a": 1}}, "Fn::ListMerge"),
        ({"Fn::Index": ["a", "abc"]}, "Fn::Index"),
        ({"Fn::Add": [1]}, "Fn::Add"),
        ({"Fn::Add": [1, [2]]}, "Fn::Add"),
        ({"Fn::Add": [True, 1]}, "Fn::Add"),
        ({"Fn::Avg": [1, []]}, "Fn::Avg"),
        ({"Fn::Avg": [1, ["x"]]}, "Fn::Avg"),
        ({"Fn::Avg": [-1, [1]]}, "Fn::Avg"),
        ({"Fn::Max": []}, "Fn::Max"),
        ({"Fn::Max": [1, "two"]}, "Fn::Max"),
        ({"Fn::Min": "1,2"}, "Fn::Min"),
        ({"Fn::SelectMapList": ["k", [{"k": 1}, "x"]]}, "Fn::SelectMapList"),
        ({"Fn::MergeMapToList": [{"a": []}]}, "Fn::MergeMapToList"),
        ({"Fn::MergeMapToList": [{"a": "x"}]}, "Fn::MergeMapToList"),
        ({"Fn::MergeMapToList": [["a"]]}, "Fn::MergeMapToList"),
    ],
)
def test_list_and_rule_function_errors(node: Any, name: str) -> None:
    error = fails(node)
    assert error.code == "InvalidTemplate"
    assert error.message.startswith(name + ":")


def test_list_merge_refuses_huge_results() -> None:
    big = list(range(60_000))
    assert "Fn::ListMerge" in fails({"Fn::ListMerge": [big, big]}).message


# --------------------------------------------------------------------------- Fn::GetAZs


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        ("cn-hangzhou", ["cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k"]),
        ("xx-nowhere-1", ["xx-nowhere-1-a", "xx-nowhere-1-b"]),
        ("", ["cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k"]),
        (None, ["cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k"]),
        (
            {"Ref": "ALIYUN::Region"},
            ["cn-beijing-a", "cn-beijing-c", "cn-beijing-f", "cn-beijing-g"],
        ),
    ],
)
def test_get_azs(ctx: FakeContext, arg: Any, expected: list[str]) -> None:
    assert run({"Fn::GetAZs": arg}, ctx) == expected


def test_get_azs_is_deterministic(ctx: FakeContext) -> None:
    assert run({"Fn::GetAZs": "cn-shanghai"}, ctx) == run({"Fn::GetAZs": "cn-shanghai"}, ctx)


def test_get_azs_rejects_non_string() -> None:
    assert fails({"Fn::GetAZs": ["cn-hangzhou"]}).message.startswith("Fn::GetAZs:")


# --------------------------------------------------------------------------- unknown and limits


def test_unknown_function_is_invalid_template() -> None:
    error = fails({"Fn::Xyz": [1]})
    assert error.code == "InvalidTemplate"
    assert "Unknown function Fn::Xyz" in error.message


def test_real_but_unmodelled_function_is_not_supported() -> None:
    error = fails({"Fn::Cidr": ["10.0.0.0/16", 2, 8]})
    assert error.code == "NotSupported"
    assert "Fn::Cidr" in error.message


def test_fn_prefixed_key_in_a_larger_mapping_is_plain_data() -> None:
    node = {"Fn::Join": "not a call", "Other": 1}
    assert run(node) == node


def _nested_joins(depth: int) -> Any:
    node: Any = "x"
    for _ in range(depth):
        node = {"Fn::Join": ["", [node]]}
    return node


def test_reasonable_nesting_evaluates() -> None:
    assert run(_nested_joins(30)) == "x"
    node: Any = "leaf"
    for _ in range(MAX_DEPTH - 1):
        node = [node]
    assert run(node) is not None


@pytest.mark.parametrize("depth", [MAX_DEPTH + 5, 5_000, 100_000])
def test_deep_nesting_is_a_clear_error_not_recursion_error(depth: int) -> None:
    node: Any = "leaf"
    for _ in range(depth):
        node = {"k": [node]}
    error = fails(node)
    assert error.code == "InvalidTemplate"
    assert "nesting" in error.message


def test_deep_function_nesting_is_a_clear_error() -> None:
    error = fails(_nested_joins(5_000))
    assert error.code == "InvalidTemplate"
    assert "nesting" in error.message


def test_deep_condition_nesting_is_a_clear_error(ctx: FakeContext) -> None:
    node: Any = True
    for _ in range(5_000):
        node = {"Fn::Not": [node]}
    with pytest.raises(RosApiError) as caught:
        evaluate_condition(node, ctx)
    assert "nesting" in caught.value.message


def test_alias_bomb_is_bounded() -> None:
    layer: Any = ["lol"] * 10
    for _ in range(8):  # 10**8 leaves reachable through shared lists
        layer = [layer] * 10
    error = fails({"Bomb": layer})
    assert error.code == "InvalidTemplate"
    assert "too large" in error.message


# --------------------------------------------------------------------------- find_references


def test_find_references_collects_everything() -> None:
    node = {
        "A": {"Ref": "Param"},
        "B": {"Fn::GetAtt": ["Server", "PublicIp"]},
        "C": {"Fn::GetAtt": "Db.ConnectionString.Port"},
        "D": {"Fn::Sub": "${Name}-${Vpc.VpcId}-${!Skip}-${ALIYUN::StackName}"},
        "E": {"Fn::If": ["IsProd", {"Ref": "ProdOnly"}, {"Ref": "ALIYUN::NoValue"}]},
        "F": {"Fn::And": [{"Condition": "C1"}, {"Fn::Not": [{"Condition": "C2"}]}]},
        "G": [{"Fn::Join": ["", [{"Fn::Select": [0, {"Ref": "Zones"}]}]]}],
    }
    assert find_references(node) == References(
        refs=frozenset(
            {"Param", "Name", "ALIYUN::StackName", "ProdOnly", "ALIYUN::NoValue", "Zones"}
        ),
        attributes=frozenset(
            {("Server", "PublicIp"), ("Db", "ConnectionString.Port"), ("Vpc", "VpcId")}
        ),
        conditions=frozenset({"IsProd", "C1", "C2"}),
    )


def test_find_references_sub_with_variable_map() -> None:
    node = {"Fn::Sub": ["${Local}.${Outer}.${Res.Attr}", {"Local": {"Ref": "Inner"}}]}
    found = find_references(node)
    assert found.refs == {"Outer", "Inner"}
    assert found.attributes == {("Res", "Attr")}


def test_find_references_dynamic_attribute_still_depends_on_resource() -> None:
    found = find_references({"Fn::GetAtt": ["Server", {"Ref": "AttrName"}]})
    assert found.refs == {"Server", "AttrName"}
    assert found.attributes == frozenset()


def test_find_references_does_not_evaluate() -> None:
    node = {"Fn::Unknown": [{"Ref": "X"}], "Bad": {"Fn::Calculate": ["1/0", 0]}}
    assert find_references(node).refs == {"X"}


def test_find_references_handles_plain_data_and_odd_shapes() -> None:
    assert find_references("text") == References(frozenset(), frozenset(), frozenset())
    odd = [{"Ref": 5}, {"Fn::GetAtt": 5}, {"Fn::Sub": 5}, {"Fn::If": "x"}, {"Fn::Sub": "${}"}]
    assert find_references(odd) == References(frozenset(), frozenset(), frozenset())


def test_find_references_is_iterative_and_alias_safe() -> None:
    node: Any = {"Ref": "Deep"}
    for _ in range(50_000):
        node = {"k": [node]}
    assert find_references(node).refs == {"Deep"}
    layer: Any = [{"Ref": "Shared"}]
    for _ in range(60):  # 2**60 paths, one object per level
        layer = [layer, layer]
    assert find_references(layer).refs == {"Shared"}

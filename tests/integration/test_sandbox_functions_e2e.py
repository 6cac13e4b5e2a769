"""Intrinsic functions end to end: one template, written once in JSON and once in YAML with
short-form tags, launched with CreateStack; the outputs GetStack returns are compared with
values worked out by hand from the ROS function reference."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aliyunsdkros.request.v20190910 import ListStackResourcesRequest
from sandbox_helpers import (
    create,
    delete_and_wait,
    outputs_of,
    parameters_of,
    resource_attributes,
    template_json,
    wait_terminal,
)

from rostray.core.templates import load_template

NO_VALUE = {"Ref": "ALIYUN::NoValue"}


def fn(name: str, *args: Any) -> dict[str, Any]:
    """``fn("Join", "-", [...])`` → ``{"Fn::Join": ["-", [...]]}``; one argument stays bare."""
    return {f"Fn::{name}": args[0] if len(args) == 1 else list(args)}


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def out(value: Any, **extra: Any) -> dict[str, Any]:
    return {"Value": value, **extra}


JSON_DOCUMENT: dict[str, Any] = {
    "Parameters": {
        "Name": {"Type": "String", "Default": "web"},
        "Count": {"Type": "Number", "Default": 3},
        "Env": {"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "prod"},
        "Items": {"Type": "CommaDelimitedList", "Default": "a,b,c"},
        "Doc": {"Type": "Json", "Default": {"k": "v", "n": [1, 2]}},
        "Flag": {"Type": "Boolean", "Default": True},
    },
    "Mappings": {
        "Sizes": {
            "prod": {"Spec": "ecs.c6.xlarge"},
            "dev": {"Spec": "ecs.t6.small"},
        }
    },
    "Conditions": {
        "IsProd": fn("Equals", ref("Env"), "prod"),
        "IsDev": fn("Not", [{"Condition": "IsProd"}]),
        "Both": fn("And", {"Condition": "IsProd"}, fn("Equals", ref("Flag"), True)),
        "Either": fn("Or", {"Condition": "IsDev"}, fn("Equals", ref("Name"), "nope")),
        "HasB": fn("Contains", ref("Items"), "b"),
    },
    "Resources": {
        "Vpc": {
            "Type": "ALIYUN::ECS::VPC",
            "Properties": {
                "CidrBlock": "192.168.0.0/16",
                "VpcName": fn("Sub", "${ALIYUN::StackName}-vpc"),
                "Description": fn("If", "IsDev", "dev vpc", NO_VALUE),
            },
        },
        "Handle": {"Type": "ALIYUN::ROS::WaitConditionHandle"},
        "Pause": {
            "Type": "ALIYUN::ROS::Sleep",
            "DependsOn": "Vpc",
            # The wrong branch of either If would fail the Sleep (create or delete).
            "Properties": {
                "CreateDuration": fn("If", "IsProd", 1, "not a number"),
                "DeleteDuration": fn("If", "IsDev", "not a number", NO_VALUE),
            },
        },
        "DevOnly": {"Type": "ALIYUN::ROS::Sleep", "Condition": "IsDev"},
    },
    "Outputs": {
        "Name": out(ref("Name")),
        "StackName": out(ref("ALIYUN::StackName")),
        "StackId": out(ref("ALIYUN::StackId")),
        "Region": out(ref("ALIYUN::Region")),
        "AccountId": out(ref("ALIYUN::AccountId")),
        "TenantId": out(ref("ALIYUN::TenantId")),
        "VpcRef": out(ref("Vpc")),
        "VpcAtt": out(fn("GetAtt", "Vpc", "VpcId")),
        "HandleUrl": out(fn("GetAtt", "Handle", "URL")),
        "Joined": out(fn("Join", "-", [ref("Name"), ref("ALIYUN::Region"), "end"])),
        "Subbed": out(
            fn("Sub", "${Name}/${Count}/${ALIYUN::Region}/${Vpc.VpcId}/${!Literal}/${Env}")
        ),
        "SubVars": out(fn("Sub", "${A}-${B}", {"A": "x", "B": ref("Name")})),
        "Selected": out(fn("Select", "1", ref("Items"))),
        "SelectedKey": out(fn("Select", "k", ref("Doc"))),
        "SelectMissing": out(fn("Select", "9", ["only"])),
        "Split": out(fn("Split", ",", "x,y,z")),
        "SplitSelect": out(fn("Select", 1, fn("Split", ".", "ecs.g7.large"))),
        "IfTrue": out(fn("If", "IsProd", "big", "small")),
        "IfFalse": out(fn("If", "Either", "yes", "no")),
        "Flags": out(
            fn(
                "Join",
                "",
                [
                    fn("If", "IsProd", "T", "F"),
                    fn("If", "IsDev", "T", "F"),
                    fn("If", "Both", "T", "F"),
                    fn("If", "Either", "T", "F"),
                    fn("If", "HasB", "T", "F"),
                ],
            )
        ),
        "Spec": out(fn("FindInMap", "Sizes", ref("Env"), "Spec")),
        "Encoded": out(fn("Base64Encode", "hello rostray")),
        "Decoded": out(fn("Base64Decode", "aGVsbG8gcm9zdHJheQ==")),
        "RoundTrip": out(fn("Base64Decode", fn("Base64Encode", fn("Sub", "${Name}!")))),
        "Str": out(fn("Str", 42)),
        "Replaced": out(fn("Replace", {"$name": ref("Name"), "$env": ref("Env")}, "$name.$env")),
        "Length": out(fn("Length", ref("Items"))),
        "JqFirst": out(fn("Jq", "First", ".n[1]", ref("Doc"))),
        "JqAll": out(fn("Jq", "All", ".n[]", ref("Doc"))),
        "JsonValue": out(fn("GetJsonValue", "k", '{"k": "from json", "other": 1}')),
        "Calculated": out(fn("Calculate", "({0}+{1})*2-{2}", 0, [ref("Count"), 4, 5])),
        "CalculatedFloat": out(fn("Calculate", "{0}*1.5", 1, [3])),
        "Merged": out(fn("ListMerge", ref("Items"), ["d"])),
        "Zones": out(fn("GetAZs", ref("ALIYUN::Region"))),
        "FirstZone": out(fn("Select", "0", fn("GetAZs", ref("ALIYUN::Region")))),
        "ListWithoutNoValue": out(["keep", fn("If", "IsDev", "dropped?", NO_VALUE)]),
        "MapWithoutNoValue": out({"a": "1", "b": fn("If", "IsDev", "2", NO_VALUE)}),
        "ProdOnly": out("shown", Condition="IsProd"),
        "DevOnly": out("hidden", Condition="IsDev"),
    },
}

YAML_TEMPLATE = r"""
ROSTemplateFormatVersion: '2015-09-01'
Parameters:
  Name: {Type: String, Default: web}
  Count: {Type: Number, Default: 3}
  Env:
    Type: String
    AllowedValues: [dev, prod]
    Default: prod
  Items: {Type: CommaDelimitedList, Default: 'a,b,c'}
  Doc:
    Type: Json
    Default:
      k: v
      n: [1, 2]
  Flag: {Type: Boolean, Default: true}
Mappings:
  Sizes:
    prod: {Spec: ecs.c6.xlarge}
    dev: {Spec: ecs.t6.small}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [!Ref Flag, true]]
  Either: !Or [!Condition IsDev, !Equals [!Ref Name, nope]]
  HasB: !Contains [!Ref Items, b]
Resources:
  Vpc:
    Type: ALIYUN::ECS::VPC
    Properties:
      CidrBlock: 192.168.0.0/16
      VpcName: !Sub '${ALIYUN::StackName}-vpc'
      Description: !If [IsDev, dev vpc, !Ref ALIYUN::NoValue]
  Handle:
    Type: ALIYUN::ROS::WaitConditionHandle
  Pause:
    Type: ALIYUN::ROS::Sleep
    DependsOn: Vpc
    Properties:
      CreateDuration: !If [IsProd, 1, not a number]
      DeleteDuration: !If [IsDev, not a number, !Ref ALIYUN::NoValue]
  DevOnly:
    Type: ALIYUN::ROS::Sleep
    Condition: IsDev
Outputs:
  Name: {Value: !Ref Name}
  StackName: {Value: !Ref ALIYUN::StackName}
  StackId: {Value: !Ref ALIYUN::StackId}
  Region: {Value: !Ref ALIYUN::Region}
  AccountId: {Value: !Ref ALIYUN::AccountId}
  TenantId: {Value: !Ref ALIYUN::TenantId}
  VpcRef: {Value: !Ref Vpc}
  VpcAtt: {Value: !GetAtt Vpc.VpcId}
  HandleUrl: {Value: !GetAtt [Handle, URL]}
  Joined:
    Value: !Join ['-', [!Ref Name, !Ref ALIYUN::Region, end]]
  Subbed:
    Value: !Sub '${Name}/${Count}/${ALIYUN::Region}/${Vpc.VpcId}/${!Literal}/${Env}'
  SubVars:
    Value: !Sub
      - '${A}-${B}'
      - A: x
        B: !Ref Name
  Selected: {Value: !Select ['1', !Ref Items]}
  SelectedKey: {Value: !Select [k, !Ref Doc]}
  SelectMissing: {Value: !Select ['9', [only]]}
  Split: {Value: !Split [',', 'x,y,z']}
  SplitSelect: {Value: !Select [1, !Split [., ecs.g7.large]]}
  IfTrue: {Value: !If [IsProd, big, small]}
  IfFalse: {Value: !If [Either, 'yes', 'no']}
  Flags:
    Value: !Join
      - ''
      - - !If [IsProd, T, F]
        - !If [IsDev, T, F]
        - !If [Both, T, F]
        - !If [Either, T, F]
        - !If [HasB, T, F]
  Spec: {Value: !FindInMap [Sizes, !Ref Env, Spec]}
  Encoded: {Value: !Base64Encode hello rostray}
  Decoded: {Value: !Base64Decode aGVsbG8gcm9zdHJheQ==}
  RoundTrip:
    # One short tag may not wrap another directly; the inner calls use the full form.
    Value: !Base64Decode
      Fn::Base64Encode:
        Fn::Sub: '${Name}!'
  Str: {Value: !Str 42}
  Replaced: {Value: !Replace [{$name: !Ref Name, $env: !Ref Env}, $name.$env]}
  Length: {Value: !Length {Ref: Items}}
  JqFirst: {Value: !Jq [First, '.n[1]', !Ref Doc]}
  JqAll: {Value: !Jq [All, '.n[]', !Ref Doc]}
  JsonValue: {Value: !GetJsonValue [k, '{"k": "from json", "other": 1}']}
  Calculated: {Value: !Calculate ['({0}+{1})*2-{2}', 0, [!Ref Count, 4, 5]]}
  CalculatedFloat: {Value: !Calculate ['{0}*1.5', 1, [3]]}
  Merged: {Value: !ListMerge [!Ref Items, [d]]}
  Zones:
    Value:
      Fn::GetAZs: !Ref ALIYUN::Region
  FirstZone:
    Value: !Select ['0', {Fn::GetAZs: !Ref ALIYUN::Region}]
  ListWithoutNoValue:
    Value: [keep, !If [IsDev, 'dropped?', !Ref ALIYUN::NoValue]]
  MapWithoutNoValue:
    Value:
      a: '1'
      b: !If [IsDev, '2', !Ref ALIYUN::NoValue]
  ProdOnly: {Value: shown, Condition: IsProd}
  DevOnly: {Value: hidden, Condition: IsDev}
"""

TEMPLATES = {"json": template_json(JSON_DOCUMENT), "yaml": YAML_TEMPLATE}

# Worked out by hand for the defaults (Env=prod, Items=a,b,c, Doc={"k":"v","n":[1,2]}, …).
EXPECTED_STATIC: dict[str, Any] = {
    "Name": "web",
    "Region": "cn-hangzhou",
    "Joined": "web-cn-hangzhou-end",
    "SubVars": "x-web",
    "Selected": "b",
    "SelectedKey": "v",
    "SelectMissing": "",
    "Split": ["x", "y", "z"],
    "SplitSelect": "g7",
    "IfTrue": "big",
    "IfFalse": "no",
    # IsProd, IsDev, Both (prod and Flag), Either (dev or Name == nope), HasB
    "Flags": "TFTFT",
    "Spec": "ecs.c6.xlarge",
    "Decoded": "hello rostray",
    "RoundTrip": "web!",
    "Str": "42",
    "Replaced": "web.prod",
    "Length": 3,
    "JqFirst": 2,
    "JqAll": [1, 2],
    "JsonValue": "from json",
    "Calculated": 9,  # (3 + 4) * 2 - 5
    "CalculatedFloat": 4.5,
    "Merged": ["a", "b", "c", "d"],
    "ListWithoutNoValue": ["keep"],
    "MapWithoutNoValue": {"a": "1"},
    "ProdOnly": "shown",
}


def test_the_yaml_short_forms_mean_the_json_template() -> None:
    yaml_document = dict(load_template(TEMPLATES["yaml"]).document)
    json_document = dict(load_template(TEMPLATES["json"]).document)
    # A scalar short tag keeps its text: !Str 42 is Fn::Str of "42" (same output, "42").
    assert yaml_document["Outputs"].pop("Str") == {"Value": {"Fn::Str": "42"}}
    assert json_document["Outputs"].pop("Str") == {"Value": {"Fn::Str": 42}}
    assert yaml_document == json_document


async def launch(ros: Any, form: str) -> dict[str, Any]:
    stack = await wait_terminal(ros, await create(ros, f"fn-{form}", TEMPLATES[form]))
    assert stack["Status"] == "CREATE_COMPLETE", stack["StatusReason"]
    return stack


@pytest.mark.parametrize("form", ["json", "yaml"])
async def test_function_outputs_match_hand_computed_values(ros, form: str) -> None:
    stack = await launch(ros, form)
    outputs = outputs_of(stack)
    assert {k: outputs.get(k) for k in EXPECTED_STATIC} == EXPECTED_STATIC
    assert "DevOnly" not in outputs  # an output whose Condition is false is left out
    # Base64 of "hello rostray"; ROS appends a newline, so tolerate one.
    assert outputs["Encoded"].rstrip("\n") == "aGVsbG8gcm9zdHJheQ=="


@pytest.mark.parametrize("form", ["json", "yaml"])
async def test_pseudo_parameters_refs_and_attributes(ros, form: str) -> None:
    stack = await launch(ros, form)
    outputs = outputs_of(stack)
    params = parameters_of(stack)
    assert outputs["StackName"] == f"fn-{form}" == params["ALIYUN::StackName"]
    assert outputs["StackId"] == stack["StackId"] == params["ALIYUN::StackId"]
    assert outputs["AccountId"] == params["ALIYUN::AccountId"]
    assert outputs["TenantId"] == params["ALIYUN::TenantId"]
    listing = await ros(
        ListStackResourcesRequest.ListStackResourcesRequest, StackId=stack["StackId"]
    )
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId") for r in listing["Resources"]}
    assert set(physical) == {"Vpc", "Handle", "Pause"}  # DevOnly's condition is false
    assert outputs["VpcRef"] == outputs["VpcAtt"] == physical["Vpc"]
    vpc = physical["Vpc"]
    assert outputs["Subbed"] == f"web/3/cn-hangzhou/{vpc}/${{Literal}}/prod"
    handle = await resource_attributes(ros, stack["StackId"], "Handle")
    assert outputs["HandleUrl"] == handle["URL"]


@pytest.mark.parametrize("form", ["json", "yaml"])
async def test_get_azs_lists_the_region_zones(ros, form: str) -> None:
    outputs = outputs_of(await launch(ros, form))
    zones = outputs["Zones"]
    assert isinstance(zones, list) and len(zones) >= 2
    assert all(isinstance(z, str) and z.startswith("cn-hangzhou-") for z in zones)
    assert outputs["FirstZone"] == zones[0]


@pytest.mark.parametrize("form", ["json", "yaml"])
async def test_no_value_drops_a_property(ros, form: str) -> None:
    """DeleteDuration is ALIYUN::NoValue for prod; kept, it would fail the Sleep's delete."""
    stack = await launch(ros, form)
    assert await delete_and_wait(ros, stack["StackId"]) == "DELETE_COMPLETE"


async def test_conditions_follow_the_parameters(ros) -> None:
    """With Env=dev every condition flips, and so does every output built on one."""
    document = json.loads(TEMPLATES["json"])
    document["Resources"]["Pause"]["Properties"] = {"CreateDuration": 1}
    stack_id = await create(
        ros, "fn-dev-ok", json.dumps(document), parameters={"Env": "dev", "Items": "a,c"}
    )
    stack = await wait_terminal(ros, stack_id)
    assert stack["Status"] == "CREATE_COMPLETE", stack["StatusReason"]
    outputs = outputs_of(stack)
    assert outputs["Flags"] == "FTFTF"
    assert outputs["IfTrue"] == "small"
    assert outputs["Spec"] == "ecs.t6.small"
    assert outputs["Replaced"] == "web.dev"
    assert outputs["ListWithoutNoValue"] == ["keep", "dropped?"]
    assert outputs["MapWithoutNoValue"] == {"a": "1", "b": "2"}
    assert outputs["DevOnly"] == "hidden" and "ProdOnly" not in outputs
    listing = await ros(ListStackResourcesRequest.ListStackResourcesRequest, StackId=stack_id)
    assert "DevOnly" in {r["LogicalResourceId"] for r in listing["Resources"]}

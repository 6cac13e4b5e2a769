"""ROS's validation errors through the real SDK: each one's code, HTTP status and message.

Everything here is refused inside the API call (CreateStack, UpdateStack, ValidateTemplate),
as ROS does, so a refused create leaves no stack behind.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from aliyunsdkros.request.v20190910 import (
    CancelUpdateStackRequest,
    ContinueCreateStackRequest,
    CreateStackRequest,
    DeleteStackRequest,
    GetStackRequest,
    GetStackResourceRequest,
    GetTemplateSummaryRequest,
    ListStackEventsRequest,
    ListStackResourcesRequest,
    ListStacksRequest,
    SignalResourceRequest,
    UpdateStackRequest,
    ValidateTemplateRequest,
)
from sandbox_helpers import (
    create,
    delete_and_wait,
    expect_error,
    padded_template,
    parameter_list,
    template_json,
    wait_terminal,
)

EMPTY = template_json({"Resources": {}})
MAX_TEMPLATE_BYTES = 524_288
NAME_RULE = (
    "The specified parameter StackName is invalid, it must be 1-255 characters of letters, "
    "digits, '-' and '_', starting with a letter or digit."
)


def with_parameters(**definitions: dict[str, Any]) -> str:
    return template_json({"Parameters": definitions, "Resources": {}})


def sleep(**extra: Any) -> dict[str, Any]:
    return {"Type": "ALIYUN::ROS::Sleep", **extra}


def triggers(value: Any) -> dict[str, Any]:
    return {"Properties": {"CreateDuration": 0, "Triggers": {"T": value}}}


async def stack_count(ros: Any) -> int:
    return (await ros(ListStacksRequest.ListStacksRequest, PageSize=50))["TotalCount"]


# --- stack names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["bad name", "_leading-underscore", "-leading-dash", "dot.ted", "名字", "a" * 256],
    ids=["space", "underscore-first", "dash-first", "dot", "non-ascii", "256-chars"],
)
async def test_invalid_stack_names(ros, name: str) -> None:
    await expect_error(create(ros, name, EMPTY), "InvalidParameter", 400, NAME_RULE)
    assert await stack_count(ros) == 0


@pytest.mark.parametrize("name", ["a" * 255, "1-starts-with-digit", "Mixed_Case-09"])
async def test_valid_stack_names(ros, name: str) -> None:
    stack = await wait_terminal(ros, await create(ros, name, EMPTY))
    assert (stack["StackName"], stack["Status"]) == (name, "CREATE_COMPLETE")


async def test_missing_stack_name_is_a_gateway_error(ros) -> None:
    await expect_error(
        ros(CreateStackRequest.CreateStackRequest, TemplateBody=EMPTY),
        "MissingStackName",
        400,
        "StackName is mandatory for this action.",
    )


async def test_duplicate_name_is_stack_exists_until_the_first_is_deleted(ros) -> None:
    first = await create(ros, "twice", EMPTY)
    await wait_terminal(ros, first)
    await expect_error(
        create(ros, "twice", EMPTY), "StackExists", 409, "The Stack (twice) already exists."
    )
    await ros(DeleteStackRequest.DeleteStackRequest, StackId=first)
    await expect_error(ros(GetStackRequest.GetStackRequest, StackId=first), "StackNotFound")
    second = await create(ros, "twice", EMPTY)
    assert second != first


# --- parameters -----------------------------------------------------------------------------


async def test_missing_parameter(ros) -> None:
    body = with_parameters(Name={"Type": "String"}, Size={"Type": "Number", "Default": 1})
    await expect_error(
        create(ros, "missing", body),
        "UserParameterMissing",
        400,
        "The Parameter Name was not provided.",
    )
    assert await stack_count(ros) == 0


async def test_unknown_parameter(ros) -> None:
    body = with_parameters(Name={"Type": "String", "Default": "x"})
    await expect_error(
        create(ros, "unknown", body, parameters={"Nmae": "typo"}),
        "UnknownUserParameter",
        400,
        "The Parameter (Nmae) was not defined in template.",
    )


CONSTRAINTS = [
    ({"Type": "Number"}, "ten", '"ten" is not a number'),
    ({"Type": "Boolean"}, "yes", '"yes" is not a boolean (true or false)'),
    ({"Type": "Json"}, "{not json", "the value is not valid JSON"),
    ({"Type": "Json"}, "42", "the value must be a JSON object or array"),
    (
        {"Type": "String", "AllowedValues": ["small", "large"]},
        "medium",
        '"medium" is not an allowed value [large, small]',
    ),
    (
        {"Type": "CommaDelimitedList", "AllowedValues": ["a", "b"]},
        "a,c",
        '"c" is not an allowed value [a, b]',
    ),
    (
        {"Type": "Number", "AllowedValues": [1, 2]},
        "3",
        '"3" is not an allowed value',
    ),
    (
        {"Type": "String", "AllowedPattern": "[a-z]+"},
        "Abc",
        '"Abc" does not match pattern "[a-z]+"',
    ),
    ({"Type": "Number", "MinValue": 2, "MaxValue": 5}, "1", "1 is out of range (min: 2, max: 5)"),
    (
        {"Type": "Number", "MinValue": 2, "MaxValue": 5},
        "5.5",
        "5.5 is out of range (min: 2, max: 5)",
    ),
    ({"Type": "Number", "MaxValue": "10"}, "11", "11 is out of range (min: None, max: 10)"),
    (
        {"Type": "String", "MinLength": 3, "MaxLength": 4},
        "ab",
        "length (2) is out of range (min: 3, max: 4)",
    ),
    (
        {"Type": "String", "MinLength": 3, "MaxLength": 4},
        "abcde",
        "length (5) is out of range (min: 3, max: 4)",
    ),
    (
        {"Type": "CommaDelimitedList", "MaxLength": 2},
        "a,b,c",
        "length (3) is out of range (min: None, max: 2)",
    ),
]


@pytest.mark.parametrize(
    ("definition", "value", "reason"),
    CONSTRAINTS,
    ids=[
        "number-type",
        "boolean-type",
        "json-syntax",
        "json-scalar",
        "allowed-values",
        "list-allowed-values",
        "number-allowed-values",
        "allowed-pattern",
        "min-value",
        "max-value-float",
        "max-value-quoted",
        "min-length",
        "max-length",
        "list-length",
    ],
)
async def test_parameter_constraint_violations(
    ros, definition: dict[str, Any], value: str, reason: str
) -> None:
    body = with_parameters(P=definition)
    await expect_error(
        create(ros, "constrained", body, parameters={"P": value}),
        "StackValidationFailed",
        400,
        f"Parameter 'P' is invalid: {reason}.",
    )
    assert await stack_count(ros) == 0


async def test_constraint_description_replaces_the_generated_reason(ros) -> None:
    body = with_parameters(
        P={
            "Type": "String",
            "AllowedPattern": "[a-z]+",
            "ConstraintDescription": {"en": "Lowercase letters only.", "zh-cn": "仅小写字母。"},
        }
    )
    await expect_error(
        create(ros, "described", body, parameters={"P": "UPPER"}),
        "StackValidationFailed",
        400,
        "Parameter 'P' is invalid: Lowercase letters only.",
    )


async def test_a_default_that_breaks_its_own_constraints_is_refused(ros) -> None:
    """The template itself is invalid, even when a good value is given."""
    body = with_parameters(Size={"Type": "String", "AllowedValues": ["s", "m"], "Default": "xl"})
    message = "Parameter 'Size' is invalid: \"xl\" is not an allowed value [m, s]."
    await expect_error(create(ros, "bad-default", body), "StackValidationFailed", 400, message)
    await expect_error(
        create(ros, "bad-default", body, parameters={"Size": "s"}),
        "StackValidationFailed",
        400,
        message,
    )
    await expect_error(
        ros(ValidateTemplateRequest.ValidateTemplateRequest, TemplateBody=body),
        "StackValidationFailed",
        400,
        message,
    )


@pytest.mark.parametrize(
    ("definition", "value"),
    [
        ({"AllowedPattern": "[a-z]+"}, "Hunter2-Secret"),
        ({"AllowedValues": ["a", "b"]}, "Hunter2-Secret"),
        ({"MaxLength": 4}, "Hunter2-Secret"),
        ({"Type": "Number", "MaxValue": 5}, "987654321"),
        ({"Type": "Number"}, "Hunter2-Secret"),
    ],
    ids=["pattern", "allowed", "length", "range", "type"],
)
async def test_no_echo_values_are_never_echoed(ros, definition: dict, value: str) -> None:
    body = with_parameters(Secret={"Type": "String", "NoEcho": "True", **definition})
    error = await expect_error(
        create(ros, "secret", body, parameters={"Secret": value}), "StackValidationFailed", 400
    )
    assert error.get_error_msg().startswith("Parameter 'Secret' is invalid: ")
    assert value not in str(error)


# --- template size and syntax ----------------------------------------------------------------


@pytest.mark.parametrize("filler", ["x", "模"], ids=["ascii", "multibyte"])
async def test_template_size_limit_is_counted_in_bytes(ros, filler: str) -> None:
    fits = padded_template(MAX_TEMPLATE_BYTES, filler)
    result = await ros(ValidateTemplateRequest.ValidateTemplateRequest, TemplateBody=fits)
    assert result["Description"].startswith(filler)
    too_big = padded_template(MAX_TEMPLATE_BYTES + 1, filler)
    message = "Template format error: template is 524,289 bytes; the limit is 524,288 bytes."
    await expect_error(create(ros, "too-big", too_big), "InvalidTemplate", 400, message)
    await expect_error(
        ros(ValidateTemplateRequest.ValidateTemplateRequest, TemplateBody=too_big),
        "InvalidTemplate",
        400,
        message,
    )


SYNTAX_ERRORS = [
    (
        '{"ROSTemplateFormatVersion": "2015-09-01",}',
        "InvalidTemplate",
        "Template format error: invalid JSON at line 1 column 43: "
        "Expecting property name enclosed in double quotes.",
    ),
    (
        "ROSTemplateFormatVersion: '2015-09-01'\nResources: [\n",
        "InvalidTemplate",
        "Template format error: invalid YAML at line 3 column 1: "
        + (  # libyaml's parser words it its own way; PyYAML's is the fallback
            "did not find expected node content."
            if yaml.__with_libyaml__
            else "expected the node content, but found '<stream end>'."
        ),
    ),
    (
        "ROSTemplateFormatVersion: '2015-09-01'\nResources: {}\nResources: {}\n",
        "InvalidTemplate",
        "Template format error: line 3: duplicate key 'Resources'.",
    ),
    (
        '{"ROSTemplateFormatVersion": "2015-09-01", "Resources": {}, "Resources": {}}',
        "InvalidTemplate",
        "Template format error: duplicate key 'Resources'.",
    ),
    ("- just\n- a list\n", "InvalidTemplate", "The template must be a JSON or YAML mapping."),
    (
        '{"Resources": {}}',
        "InvalidTemplateVersion",
        "The template version is invalid: ROSTemplateFormatVersion is missing.",
    ),
    (
        '{"ROSTemplateFormatVersion": "2010-09-09"}',
        "InvalidTemplateVersion",
        'The template version is invalid: "2010-09-09" is not "2015-09-01".',
    ),
    (
        template_json({"Resource": {}}),
        "InvalidTemplateSection",
        "The template section is invalid: Resource.",
    ),
    (
        template_json({"Resources": ["not", "a", "mapping"]}),
        "InvalidTemplateSection",
        "The template section is invalid: Resources.",
    ),
    (
        template_json({"Parameters": {"P": {"Type": "Text"}}}),
        "InvalidSchema",
        "Parameter P: Type 'Text' is not one of ALIYUN::OOS::Parameter::Value, "
        "ALIYUN::OOS::SecretParameter::Value, Boolean, CommaDelimitedList, Json, Number, String.",
    ),
    (
        template_json({"Resources": {"A": {"Properties": {}}}}),
        "StackValidationFailed",
        "Resource A: Type must be a non-empty string.",
    ),
    (
        template_json({"Resources": {"A": sleep(Propertys={})}}),
        "StackValidationFailed",
        "Resource A: unknown key(s) Propertys.",
    ),
    (
        template_json({"Resources": {"A/B": sleep()}}),
        "StackValidationFailed",
        "Resource name A/B must not contain '/'.",
    ),
    (
        template_json({"Resources": {}, "Outputs": {"O": {"Description": "no value"}}}),
        "StackValidationFailed",
        "Output O must have a Value.",
    ),
]


@pytest.mark.parametrize(
    ("body", "code", "message"),
    SYNTAX_ERRORS,
    ids=[
        "json-syntax",
        "yaml-syntax",
        "yaml-duplicate-key",
        "json-duplicate-key",
        "not-a-mapping",
        "version-missing",
        "version-wrong",
        "unknown-section",
        "section-shape",
        "parameter-type",
        "resource-without-type",
        "resource-unknown-key",
        "resource-name-slash",
        "output-without-value",
    ],
)
async def test_template_syntax_errors(ros, body: str, code: str, message: str) -> None:
    await expect_error(create(ros, "syntax", body), code, 400, message)
    await expect_error(
        ros(ValidateTemplateRequest.ValidateTemplateRequest, TemplateBody=body), code, 400, message
    )


# --- references and dependencies -------------------------------------------------------------


@pytest.mark.parametrize(
    ("resources", "cycle"),
    [
        ({"A": sleep(DependsOn="B"), "B": sleep(DependsOn="A")}, "A, B, A"),
        ({"A": sleep(**triggers({"Ref": "B"})), "B": sleep(**triggers({"Ref": "A"}))}, "A, B, A"),
        (
            {
                "A": sleep(**triggers({"Fn::GetAtt": ["C", "value"]})),
                "B": sleep(DependsOn=["A"]),
                "C": {"Type": "ALIYUN::RandomString", "DependsOn": "B"},
            },
            "A, C, B, A",
        ),
        ({"A": sleep(**triggers({"Fn::Sub": "${A}"}))}, "A, A"),
    ],
    ids=["depends-on", "ref", "getatt-three-way", "self-sub"],
)
async def test_circular_dependencies(ros, resources: dict[str, Any], cycle: str) -> None:
    body = template_json({"Resources": resources})
    message = f"Circular Dependency Found: {cycle}."
    await expect_error(create(ros, "cycle", body), "CircularDependency", 400, message)
    await expect_error(
        ros(ValidateTemplateRequest.ValidateTemplateRequest, TemplateBody=body),
        "CircularDependency",
        400,
        message,
    )


REFERENCE_ERRORS = [
    ({"Resources": {"A": sleep(**triggers({"Ref": "Nope"}))}}, "Nope", "A"),
    ({"Resources": {"A": sleep(**triggers({"Fn::GetAtt": ["Nope", "Id"]}))}}, "Nope", "A"),
    ({"Resources": {"A": sleep(**triggers({"Fn::Sub": "x-${Nope}"}))}}, "Nope", "A"),
    ({"Resources": {"A": sleep(DependsOn="Nope")}}, "Nope", "A"),
    ({"Resources": {"A": sleep(Condition="Nope")}}, "Nope", "A"),
    ({"Resources": {}, "Outputs": {"O": {"Value": {"Ref": "Nope"}}}}, "Nope", "Outputs.O"),
    (
        {"Resources": {}, "Outputs": {"O": {"Value": "x", "Condition": "Nope"}}},
        "Nope",
        "Outputs.O",
    ),
    (
        {"Resources": {"A": sleep()}, "Conditions": {"C": {"Fn::Equals": [{"Ref": "A"}, "x"]}}},
        "A",
        "Conditions.C",
    ),
    (
        {"Resources": {}, "Conditions": {"C": {"Fn::Not": [{"Condition": "Nope"}]}}},
        "Nope",
        "Conditions.C",
    ),
]


@pytest.mark.parametrize(
    ("document", "name", "referencer"),
    REFERENCE_ERRORS,
    ids=[
        "ref",
        "getatt-resource",
        "sub-variable",
        "depends-on",
        "resource-condition",
        "output-ref",
        "output-condition",
        "condition-refers-to-resource",
        "condition-refers-to-condition",
    ],
)
async def test_bad_references(ros, document: dict, name: str, referencer: str) -> None:
    body = template_json(document)
    message = f'The specified reference "{name}" (in {referencer}) is incorrect.'
    await expect_error(create(ros, "refs", body), "InvalidTemplateReference", 400, message)
    await expect_error(
        ros(ValidateTemplateRequest.ValidateTemplateRequest, TemplateBody=body),
        "InvalidTemplateReference",
        400,
        message,
    )


@pytest.mark.parametrize(
    "value",
    [
        {"Fn::GetAtt": ["Handle", "Nope"]},
        {"Fn::GetAtt": "Handle.Nope"},
        {"Fn::Sub": "${Handle.Nope}"},
    ],
    ids=["list-form", "dotted-form", "sub"],
)
async def test_unknown_attribute_of_a_native_resource(ros, value: dict) -> None:
    body = template_json(
        {
            "Resources": {"Handle": {"Type": "ALIYUN::ROS::WaitConditionHandle"}},
            "Outputs": {"O": {"Value": value}},
        }
    )
    await expect_error(
        create(ros, "attrs", body),
        "InvalidTemplateAttribute",
        400,
        "The Referenced Attribute (Handle Nope) is incorrect.",
    )


# --- request parameters -----------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [9, 1441, 0, -5])
async def test_timeout_out_of_range(ros, minutes: int) -> None:
    await expect_error(
        create(ros, "timeout", EMPTY, TimeoutInMinutes=minutes),
        "InvalidParameter",
        400,
        "The specified parameter TimeoutInMinutes is invalid, "
        f"it must be between 10 and 1440, not {minutes}.",
    )


@pytest.mark.parametrize("minutes", [10, 1440])
async def test_timeout_bounds_are_accepted(ros, minutes: int) -> None:
    stack = await wait_terminal(
        ros, await create(ros, f"t{minutes}", EMPTY, TimeoutInMinutes=minutes)
    )
    assert stack["TimeoutInMinutes"] == minutes


async def test_malformed_numbers_and_booleans_in_requests(ros) -> None:
    await expect_error(
        create(ros, "nan", EMPTY, TimeoutInMinutes="soon"),
        "InvalidParameter",
        400,
        'The specified parameter TimeoutInMinutes is invalid, "soon" is not an integer.',
    )
    await expect_error(
        create(ros, "maybe", EMPTY, DisableRollback="maybe"),
        "InvalidParameter",
        400,
        'The specified parameter DisableRollback is invalid, "maybe" is not a boolean.',
    )


def url_of(size: int) -> str:
    base = "http://127.0.0.1:9/hooks/"
    return base + "a" * (size - len(base))


async def test_notification_url_count(ros) -> None:
    five = [f"http://127.0.0.1:9/hooks/{i}" for i in range(5)]
    stack = await wait_terminal(ros, await create(ros, "five", EMPTY, NotificationURLs=five))
    assert stack["NotificationURLs"] == five
    await expect_error(
        create(ros, "six", EMPTY, NotificationURLs=[*five, "eventbridge"]),
        "InvalidParameter",
        400,
        "The specified parameter NotificationURLs is invalid, at most 5 URLs are allowed, got 6.",
    )


async def test_notification_url_length(ros) -> None:
    stack_id = await create(ros, "long-url", EMPTY, NotificationURLs=[url_of(1024)])
    assert (await wait_terminal(ros, stack_id))["NotificationURLs"] == [url_of(1024)]
    await expect_error(
        create(ros, "too-long-url", EMPTY, NotificationURLs=[url_of(1025)]),
        "InvalidParameter",
        400,
        "The specified parameter NotificationURLs is invalid, each URL must be at most 1024 bytes.",
    )


async def test_notification_url_scheme(ros) -> None:
    await expect_error(
        create(ros, "ftp", EMPTY, NotificationURLs=["ftp://127.0.0.1/x"]),
        "InvalidParameter",
        400,
        "The specified parameter NotificationURLs is invalid, "
        "each URL must be an http(s) URL or eventbridge.",
    )


async def test_a_missing_template_names_every_accepted_source(ros) -> None:
    await expect_error(
        ros(CreateStackRequest.CreateStackRequest, StackName="no-template"),
        "MissingParameter",
        400,
        "One of the input parameters TemplateBody, TemplateURL, TemplateId, TemplateScratchId "
        "should be specified.",
    )
    await expect_error(
        ros(ValidateTemplateRequest.ValidateTemplateRequest),
        "MissingParameter",
        400,
        "One of the input parameters TemplateBody, TemplateURL should be specified.",
    )
    await expect_error(
        ros(GetTemplateSummaryRequest.GetTemplateSummaryRequest),
        "MissingParameter",
        400,
        "One of the input parameters TemplateBody, TemplateURL, TemplateId, StackId "
        "should be specified.",
    )


async def test_refused_creates_leave_nothing_behind(ros) -> None:
    await expect_error(create(ros, "x", "{"), "InvalidTemplate")
    await expect_error(create(ros, "x", EMPTY, TimeoutInMinutes=1), "InvalidParameter")
    await expect_error(
        create(ros, "x", with_parameters(P={"Type": "String"})), "UserParameterMissing"
    )
    assert await stack_count(ros) == 0
    stack = await wait_terminal(ros, await create(ros, "x", EMPTY))
    assert stack["Status"] == "CREATE_COMPLETE"


# --- updates and missing stacks ------------------------------------------------------------------


async def test_update_validates_like_create(ros) -> None:
    body = with_parameters(Size={"Type": "Number", "Default": 1, "MaxValue": 3})
    stack_id = await create(ros, "update-checks", body)
    await wait_terminal(ros, stack_id)

    def update(**fields: Any) -> Any:
        return ros(UpdateStackRequest.UpdateStackRequest, StackId=stack_id, **fields)

    await expect_error(
        update(TemplateBody=body, Parameters=parameter_list({"Sise": "2"})),
        "UnknownUserParameter",
        400,
        "The Parameter (Sise) was not defined in template.",
    )
    await expect_error(
        update(TemplateBody=body, Parameters=parameter_list({"Size": "4"})),
        "StackValidationFailed",
        400,
        "Parameter 'Size' is invalid: 4 is out of range (min: None, max: 3).",
    )
    await expect_error(update(TemplateBody="{"), "InvalidTemplate", 400)
    await expect_error(
        update(TemplateBody=body, TimeoutInMinutes=5, Parameters=parameter_list({"Size": "2"})),
        "InvalidParameter",
        400,
    )
    await expect_error(
        update(TemplateBody=body),
        "NotSupported",
        400,
        "Update the completely same stack (update-checks) is not supported.",
    )
    stack = await ros(GetStackRequest.GetStackRequest, StackId=stack_id)
    assert stack["Status"] == "CREATE_COMPLETE"


async def test_update_during_create_is_action_in_progress(ros) -> None:
    body = template_json({"Resources": {"Long": sleep(Properties={"CreateDuration": 1800})}})
    stack_id = await create(ros, "busy", body)
    await expect_error(
        ros(UpdateStackRequest.UpdateStackRequest, StackId=stack_id, TemplateBody=EMPTY),
        "ActionInProgress",
        409,
        "Stack busy already has an action (CREATE) in progress.",
    )
    assert await delete_and_wait(ros, stack_id) == "DELETE_COMPLETE"


async def test_previous_parameters_the_new_template_dropped_are_ignored(ros) -> None:
    old = with_parameters(Keep={"Type": "String"}, Drop={"Type": "String"})
    stack_id = await create(ros, "reuse", old, parameters={"Keep": "k", "Drop": "d"})
    await wait_terminal(ros, stack_id)
    new = template_json(
        {
            "Parameters": {"Keep": {"Type": "String"}},
            "Resources": {},
            "Outputs": {"Kept": {"Value": {"Ref": "Keep"}}},
        }
    )
    await ros(
        UpdateStackRequest.UpdateStackRequest,
        StackId=stack_id,
        TemplateBody=new,
        UsePreviousParameters=True,
    )
    stack = await wait_terminal(ros, stack_id)
    assert stack["Status"] == "UPDATE_COMPLETE"
    assert stack["Outputs"][0]["OutputValue"] == "k"


MISSING_ID = "00000000-0000-4000-8000-000000000000"


STACK_ACTIONS: list[tuple[type, dict[str, str]]] = [
    (GetStackRequest.GetStackRequest, {}),
    (DeleteStackRequest.DeleteStackRequest, {}),
    (UpdateStackRequest.UpdateStackRequest, {"TemplateBody": EMPTY}),
    (CancelUpdateStackRequest.CancelUpdateStackRequest, {}),
    (ListStackEventsRequest.ListStackEventsRequest, {}),
    (ListStackResourcesRequest.ListStackResourcesRequest, {}),
    (GetStackResourceRequest.GetStackResourceRequest, {"LogicalResourceId": "A"}),
    (
        SignalResourceRequest.SignalResourceRequest,
        {"LogicalResourceId": "A", "UniqueId": "1", "Status": "SUCCESS"},
    ),
    (GetTemplateSummaryRequest.GetTemplateSummaryRequest, {}),
]


@pytest.mark.parametrize(
    ("request_cls", "fields"),
    [pytest.param(cls, f, id=cls.__name__.removesuffix("Request")) for cls, f in STACK_ACTIONS],
)
async def test_every_stack_action_reports_stack_not_found(ros, request_cls: type, fields) -> None:
    await expect_error(
        ros(request_cls, StackId=MISSING_ID, **fields),
        "StackNotFound",
        404,
        f"The Stack ({MISSING_ID}) could not be found.",
    )


async def test_missing_stack_id_is_a_gateway_error(ros) -> None:
    await expect_error(
        ros(GetStackRequest.GetStackRequest),
        "MissingStackId",
        400,
        "StackId is mandatory for this action.",
    )


async def test_signal_errors(ros) -> None:
    body = template_json({"Resources": {"Handle": {"Type": "ALIYUN::ROS::WaitConditionHandle"}}})
    stack_id = await create(ros, "signals", body)
    await wait_terminal(ros, stack_id)

    def signal(**fields: str) -> Any:
        return ros(SignalResourceRequest.SignalResourceRequest, StackId=stack_id, **fields)

    await expect_error(
        signal(LogicalResourceId="Handle", UniqueId="1", Status="MAYBE"),
        "InvalidParameter",
        400,
        "The specified parameter Status is invalid, it must be SUCCESS, FAILURE or WARNING.",
    )
    await expect_error(
        signal(LogicalResourceId="Handle", UniqueId="x" * 65, Status="SUCCESS"),
        "InvalidParameter",
        400,
        "The specified parameter UniqueId is invalid, it must be 1-64 characters.",
    )
    await expect_error(
        signal(LogicalResourceId="Nope", UniqueId="1", Status="SUCCESS"),
        "ResourceNotFound",
        404,
        "The Resource (Nope) could not be found in Stack signals.",
    )


async def test_cancel_without_an_update_is_refused(ros) -> None:
    stack_id = await create(ros, "not-updating", EMPTY)
    await wait_terminal(ros, stack_id)
    await expect_error(
        ros(CancelUpdateStackRequest.CancelUpdateStackRequest, StackId=stack_id),
        "CancelUpdateStackNotSupported",
        400,
        "Stack not-updating in status CREATE_COMPLETE can not be cancelled.",
    )


async def test_an_action_the_sandbox_lacks_is_invalid_action(ros) -> None:
    await expect_error(
        ros(ContinueCreateStackRequest.ContinueCreateStackRequest, StackId=MISSING_ID),
        "InvalidAction.NotFound",
        404,
        "Specified api is not found, please check your url and method.",
    )


async def test_errors_are_json_bodies_with_request_ids(ros) -> None:
    error = await expect_error(create(ros, "x", "{"), "InvalidTemplate", 400)
    assert error.get_request_id()
    assert json.dumps(error.get_error_msg())  # a plain string, never a structure

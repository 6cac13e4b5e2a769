"""The bundled sample templates (resources/templates, YAML and JSON) through the real SDK:
each validates, summarises and launches to its expected end state; plus the shapes of
ValidateTemplate, GetTemplateSummary and GetTemplateParameterConstraints."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from aliyunsdkros.request.v20190910 import (
    GetTemplateParameterConstraintsRequest,
    GetTemplateSummaryRequest,
    ListStackResourcesRequest,
    ValidateTemplateRequest,
)
from sandbox_helpers import (
    create,
    expect_error,
    handle_curl,
    outputs_of,
    padded_template,
    parameters_of,
    run_shell,
    template_json,
    wait_terminal,
)

from rostray.assets import sample_templates
from rostray.core.templates import load_template
from rostray.sandbox.engine import (
    OFF_LOOP_BYTES,
    _preparsed,
    parse_template_body,
    parsed_off_loop,
)
from rostray.sandbox.errors import RosApiError

SAMPLES = {path.name: path for path in sample_templates()}
PASSWORD = "Sandbox-Passw0rd"
# What each sample needs beyond its defaults (NoEcho passwords have none), and how it ends.
REQUIRED = {
    "ecs-vpc-web.yaml": {"InstancePassword": PASSWORD},
    "parameters-showcase.yaml": {"AdminPassword": PASSWORD},
}
FINAL_STATUS = {"rollback-demo.yaml": "CREATE_ROLLBACK_COMPLETE"}
BOOLEAN_VALUES = ["True", "true", "False", "false"]


def sample_text(name: str) -> str:
    return SAMPLES[name].read_text(encoding="utf-8")


def stack_name(name: str) -> str:
    return Path(name).stem


async def launch(
    ros: Any, name: str, parameters: dict[str, str] | None = None, *, stack: str = ""
) -> dict[str, Any]:
    """Create the sample (required parameters filled in) and wait for its end state."""
    values = {**REQUIRED.get(name, {}), **(parameters or {})}
    stack_id = await create(ros, stack or stack_name(name), sample_text(name), parameters=values)
    return await wait_terminal(ros, stack_id)


def test_samples_come_in_both_formats() -> None:
    assert {Path(n).suffix for n in SAMPLES} == {".json", ".yaml"}
    assert "wait-condition.yaml" in SAMPLES and "rollback-demo.yaml" in SAMPLES


# --- every sample ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
async def test_sample_validates(ros, name: str) -> None:
    template = load_template(sample_text(name))
    result = await ros(
        ValidateTemplateRequest.ValidateTemplateRequest, TemplateBody=sample_text(name)
    )
    assert result["Description"] == template.description_text("en")
    assert [p["ParameterKey"] for p in result["Parameters"]] == list(template.parameters)
    for item in result["Parameters"]:
        spec = template.parameters[item["ParameterKey"]]
        assert item["Type"] == spec.type
        assert item["NoEcho"] == ("true" if spec.no_echo else "false")
        assert item["Label"] == spec.label_text("en")
    assert [o["OutputKey"] for o in result["Outputs"]] == list(template.outputs)
    types = {str(r["Type"]) for r in template.resources.values()}
    assert set(result["ResourceTypes"]["Resources"]) == types
    assert [r["LogicalResourceIdPattern"] for r in result["Resources"]] == list(template.resources)


@pytest.mark.parametrize("name", sorted(SAMPLES))
async def test_sample_summary(ros, name: str) -> None:
    template = load_template(sample_text(name))
    summary = await ros(
        GetTemplateSummaryRequest.GetTemplateSummaryRequest, TemplateBody=sample_text(name)
    )
    assert summary["Version"] == "2015-09-01"
    assert summary["ResourceTypes"] == sorted({str(r["Type"]) for r in template.resources.values()})
    assert summary["Metadata"] == template.document.get("Metadata", {})
    parameters = {p["ParameterKey"]: p for p in summary["Parameters"]}
    assert list(parameters) == list(template.parameters)
    for key, spec in template.parameters.items():
        assert parameters[key]["Type"] == spec.type
        if spec.type == "Boolean":
            assert parameters[key]["AllowedValues"] == BOOLEAN_VALUES


@pytest.mark.parametrize("name", sorted(set(SAMPLES) - {"wait-condition.yaml"}))
async def test_sample_launches(ros, name: str) -> None:
    stack = await launch(ros, name)
    assert stack["Status"] == FINAL_STATUS.get(name, "CREATE_COMPLETE"), stack["StatusReason"]
    assert PASSWORD not in json.dumps(stack)
    template = load_template(sample_text(name))
    params = parameters_of(stack)
    for key, spec in template.parameters.items():
        if spec.no_echo:
            assert params[key] == "****"
    for output in stack["Outputs"]:
        assert "ErrorMessage" not in output, output
        description = output.get("Description", "No description given")
        assert not description.startswith("{"), description  # {en, zh-cn} shown as text


async def test_wait_condition_sample_completes_when_its_curl_command_runs(ros) -> None:
    name = "wait-condition.yaml"
    stack_id = await create(ros, stack_name(name), sample_text(name))
    curl = await handle_curl(ros, stack_id, "WaitConditionHandle")
    payload = '{"status": "SUCCESS", "data": "hello"}'
    code, out = await run_shell(f"{curl} -s -d {shlex.quote(payload)}")
    assert code == 0 and "200 OK" in out, out
    stack = await wait_terminal(ros, stack_id)
    assert stack["Status"] == "CREATE_COMPLETE"
    outputs = outputs_of(stack)
    assert outputs["Data"] == '{"1": "hello"}'  # ids are numbered from 1 when absent
    assert outputs["CurlCli"] == curl
    assert outputs["PowerShellCurlCli"].startswith("Invoke-WebRequest -Uri 'http://127.0.0.1:")


async def test_wait_condition_sample_counts_distinct_signals(ros) -> None:
    name = "wait-condition.yaml"
    stack_id = await create(
        ros, stack_name(name), sample_text(name), parameters={"SignalCount": "2"}
    )
    curl = await handle_curl(ros, stack_id, "WaitConditionHandle")
    for signal_id in ("vm-1", "vm-1", "vm-2"):  # a repeated id replaces, it does not count
        payload = json.dumps({"status": "SUCCESS", "id": signal_id, "data": signal_id.upper()})
        code, out = await run_shell(f"{curl} -s -d {shlex.quote(payload)}")
        assert code == 0, out
    stack = await wait_terminal(ros, stack_id)
    assert stack["Status"] == "CREATE_COMPLETE"
    assert json.loads(outputs_of(stack)["Data"]) == {"vm-1": "VM-1", "vm-2": "VM-2"}


# --- outputs of individual samples, worked out by hand -------------------------------------------


async def test_sleep_smoke_test_outputs(ros) -> None:
    stack = await launch(ros, "sleep-smoke-test.yaml", {"CreateDuration": "2"})
    outputs = outputs_of(stack)
    assert outputs["Message"] == "Stack sleep-smoke-test slept 2 seconds in cn-hangzhou."
    assert outputs["StackId"] == stack["StackId"]


async def test_parameters_showcase_defaults(ros) -> None:
    stack = await launch(ros, "parameters-showcase.yaml")
    outputs = outputs_of(stack)
    assert re.fullmatch(r"rostray-demo-dev-[a-z0-9]{8}", outputs["ResourceName"])
    suffix = outputs["ResourceName"].rsplit("-", 1)[1]
    assert outputs["Summary"] == (
        "rostray-demo (dev) owned by alice: 2 replicas in cn-hangzhou, suffix " + suffix
    )
    assert outputs["FirstPort"] == "80"
    assert outputs["InstanceFamily"] == "g7"
    assert outputs["SafeName"] == "rostray_demo"
    assert outputs["Tier"] == "non-production"
    assert outputs["LogLevel"] == "debug"
    assert outputs["ExtraTags"] == {"team": "platform", "cost-center": "1234"}
    assert "ZoneHint" in outputs
    assert outputs["ProbeId"]
    descriptions = {o["OutputKey"]: o.get("Description") for o in stack["Outputs"]}
    assert descriptions["ResourceName"] == "Fn::Join of two parameters and the RandomString value."
    params = parameters_of(stack)
    assert params["EnableMonitoring"] == "true"
    assert params["Ports"] == "80,443,8080"
    assert json.loads(params["ExtraTags"]) == {"team": "platform", "cost-center": "1234"}


async def test_parameters_showcase_in_prod_without_monitoring(ros) -> None:
    stack = await launch(
        ros,
        "parameters-showcase.yaml",
        {
            "Environment": "prod",
            "EnableMonitoring": "False",
            "Ports": "8443, 9000",
            "ProjectName": "shop",
        },
    )
    assert stack["Status"] == "CREATE_COMPLETE"
    outputs = outputs_of(stack)
    assert outputs["Tier"] == "production"
    assert outputs["LogLevel"] == "warning"
    assert outputs["FirstPort"] == "8443"
    assert outputs["SafeName"] == "shop"
    assert "ZoneHint" not in outputs and "ProbeId" not in outputs
    listing = await ros(
        ListStackResourcesRequest.ListStackResourcesRequest, StackId=stack["StackId"]
    )
    assert {r["LogicalResourceId"] for r in listing["Resources"]} == {"Suffix", "Pause"}


async def test_parameters_showcase_refuses_a_short_password(ros) -> None:
    await expect_error(
        create(
            ros,
            "short",
            sample_text("parameters-showcase.yaml"),
            parameters={"AdminPassword": "short"},
        ),
        "StackValidationFailed",
        400,
        "Parameter 'AdminPassword' is invalid: Length must be between 8 and 30 characters.",
    )


async def test_vpc_basic_production_adds_the_backup_vswitch(ros) -> None:
    test = outputs_of(await launch(ros, "vpc-basic.json"))
    assert set(test) == {"VpcId", "VRouterId", "VSwitchId"}
    stack = await launch(
        ros, "vpc-basic.json", {"EnvironmentType": "production"}, stack="vpc-production"
    )
    assert stack["Status"] == "CREATE_COMPLETE"
    prod = outputs_of(stack)
    assert set(prod) == {"VpcId", "VRouterId", "VSwitchId", "BackupVSwitchId"}
    assert prod["VpcId"].startswith("vpc-") and prod["VSwitchId"].startswith("vsw-")
    assert (
        prod["BackupVSwitchId"].startswith("vsw-") and prod["BackupVSwitchId"] != prod["VSwitchId"]
    )
    assert prod["VRouterId"] != prod["VpcId"]


async def test_ecs_vpc_web_outputs(ros) -> None:
    stack = await launch(ros, "ecs-vpc-web.yaml")
    outputs = outputs_of(stack)
    assert outputs["InstanceId"].startswith("i-")
    assert outputs["VpcId"].startswith("vpc-")
    assert outputs["WebsiteURL"] == f"http://{outputs['PublicIp']}"
    descriptions = {o["OutputKey"]: o["Description"] for o in stack["Outputs"]}
    assert descriptions["WebsiteURL"] == (
        "Address of the welcome page (allow a minute for nginx to install)."
    )


async def test_rollback_demo_deletes_its_breadcrumb(ros) -> None:
    stack = await launch(ros, "rollback-demo.yaml", {"Timeout": "3"})
    assert stack["Status"] == "CREATE_ROLLBACK_COMPLETE"
    listing = await ros(
        ListStackResourcesRequest.ListStackResourcesRequest, StackId=stack["StackId"]
    )
    assert {r["Status"] for r in listing["Resources"]} == {"DELETE_COMPLETE"}
    assert stack["Outputs"] == []


# --- template action shapes ---------------------------------------------------------------------

SHAPES = template_json(
    {
        "Description": {"en": "Shapes", "zh-cn": "形状"},
        "Parameters": {
            "Plain": {"Type": "String"},
            "Labelled": {"Type": "String", "Label": {"en": "Nice label", "zh-cn": "标签"}},
            "Secret": {"Type": "String", "NoEcho": "True", "Label": "Secret"},
            "Flag": {"Type": "Boolean", "Default": False},
            "Choice": {"Type": "Boolean", "AllowedValues": ["true"]},
            "Size": {"Type": "Number", "Default": 2, "AllowedValues": [1, 2]},
        },
        "Resources": {"Pause": {"Type": "ALIYUN::ROS::Sleep"}},
        "Outputs": {
            "Out": {"Value": "x", "Description": {"en": "English", "zh-cn": "中文"}},
            "Named": {"Value": "y", "Label": "Pretty"},
        },
    }
)


async def test_validate_template_shape(ros) -> None:
    result = await ros(ValidateTemplateRequest.ValidateTemplateRequest, TemplateBody=SHAPES)
    assert result["Description"] == "Shapes"
    params = {p["ParameterKey"]: p for p in result["Parameters"]}
    assert params["Plain"]["Label"] == "Plain"  # Label defaults to the key
    assert params["Labelled"]["Label"] == "Nice label"
    assert params["Secret"]["NoEcho"] == "true" and params["Plain"]["NoEcho"] == "false"
    assert params["Flag"]["DefaultValue"] == "false"
    assert params["Size"]["AllowedValues"] == ["1", "2"]
    outputs = {o["OutputKey"]: o for o in result["Outputs"]}
    assert outputs["Out"] == {"OutputKey": "Out", "Description": "English", "Label": "Out"}
    assert outputs["Named"]["Label"] == "Pretty"
    assert result["ResourceTypes"] == {"Resources": ["ALIYUN::ROS::Sleep"], "DataSources": []}
    assert result["Resources"] == [
        {
            "LogicalResourceIdPattern": "Pause",
            "ResourcePath": "Pause",
            "ResourceType": "ALIYUN::ROS::Sleep",
        }
    ]


async def test_get_template_summary_shape(ros) -> None:
    summary = await ros(GetTemplateSummaryRequest.GetTemplateSummaryRequest, TemplateBody=SHAPES)
    params = {p["ParameterKey"]: p for p in summary["Parameters"]}
    assert params["Flag"]["AllowedValues"] == BOOLEAN_VALUES
    assert params["Choice"]["AllowedValues"] == ["true"]  # the template's own list wins
    assert "AllowedValues" not in params["Plain"]
    assert params["Labelled"]["Label"] == {"en": "Nice label", "zh-cn": "标签"}
    assert summary["ResourceTypes"] == ["ALIYUN::ROS::Sleep"]
    assert summary["Version"] == "2015-09-01"


async def test_get_template_summary_takes_a_large_template_in_the_query(ros) -> None:
    """GetTemplateSummary is the action whose TemplateBody travels in the URL, not the body."""
    request = GetTemplateSummaryRequest.GetTemplateSummaryRequest()
    request.set_TemplateBody("{}")
    assert "TemplateBody" in request.get_query_params()
    assert "TemplateBody" not in (request.get_body_params() or {})
    body = padded_template(524_288, "模")  # about 1.5 MB once percent-encoded
    summary = await ros(GetTemplateSummaryRequest.GetTemplateSummaryRequest, TemplateBody=body)
    assert summary["Description"].startswith("模模模")
    assert (summary["Parameters"], summary["ResourceTypes"]) == ([], [])


async def test_get_template_summary_of_a_stack(ros) -> None:
    stack = await launch(ros, "sleep-smoke-test.yaml")
    summary = await ros(
        GetTemplateSummaryRequest.GetTemplateSummaryRequest, StackId=stack["StackId"]
    )
    assert [p["ParameterKey"] for p in summary["Parameters"]] == ["CreateDuration"]
    assert summary["ResourceTypes"] == ["ALIYUN::ROS::Sleep"]


async def test_get_template_parameter_constraints(ros) -> None:
    body = sample_text("parameters-showcase.yaml")
    result = await ros(
        GetTemplateParameterConstraintsRequest.GetTemplateParameterConstraintsRequest,
        TemplateBody=body,
    )
    constraints = {c["ParameterKey"]: c for c in result["ParameterConstraints"]}
    assert list(constraints) == list(load_template(body).parameters)
    assert {c["Behavior"] for c in constraints.values()} == {"NoLimit"}
    assert constraints["Environment"]["AllowedValues"] == ["dev", "test", "prod"]
    assert constraints["Environment"]["Type"] == "String"
    assert constraints["Owner"]["AllowedValues"] == []


async def test_parameter_constraints_key_filter_as_the_sdk_sends_it(ros) -> None:
    """The SDK's ParametersKeyFilter is a Json field: one query value holding a JSON array."""
    result = await ros(
        GetTemplateParameterConstraintsRequest.GetTemplateParameterConstraintsRequest,
        TemplateBody=sample_text("parameters-showcase.yaml"),
        ParametersKeyFilter=json.dumps(["Environment", "ReplicaCount"]),
    )
    keys = [c["ParameterKey"] for c in result["ParameterConstraints"]]
    assert keys == ["Environment", "ReplicaCount"]


async def test_big_templates_are_parsed_off_the_loop_with_the_same_outcome() -> None:
    body = sample_text("parameters-showcase.yaml") + f"# {'x' * OFF_LOOP_BYTES}\n"
    async with parsed_off_loop(body):
        assert _preparsed.get() is not None  # parsed already, by the worker thread
        template = parse_template_body(body)
        assert _preparsed.get() is None  # used once
    assert template == parse_template_body(body)
    broken = body + "Resources: [\n"
    async with parsed_off_loop(broken):
        with pytest.raises(RosApiError) as off_loop:
            parse_template_body(broken)
    with pytest.raises(RosApiError) as inline:
        parse_template_body(broken)
    assert (off_loop.value.code, off_loop.value.message) == (
        inline.value.code,
        inline.value.message,
    )
    async with parsed_off_loop("small"):
        assert _preparsed.get() is None

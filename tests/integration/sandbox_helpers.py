"""Small helpers for driving the sandbox through the real SDK in tests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkros.request.v20190910 import (
    CreateStackRequest,
    DeleteStackRequest,
    GetStackRequest,
    GetStackResourceRequest,
    ListStackResourcesRequest,
)

TERMINAL_SUFFIXES = ("_COMPLETE", "_FAILED")


from shared import template_json  # noqa: E402,F401  (re-exported for the tests here)


def padded_template(size: int, filler: str = "x") -> str:
    """A valid template of exactly ``size`` UTF-8 bytes (``filler`` may be multibyte)."""

    def body(text: str) -> str:
        document = {"ROSTemplateFormatVersion": "2015-09-01", "Description": text}
        return json.dumps(document, ensure_ascii=False)

    room = size - len(body("").encode())
    width = len(filler.encode())
    padded = body(filler * (room // width) + "y" * (room % width))
    assert len(padded.encode()) == size
    return padded


def parameter_list(values: dict[str, str]) -> list[dict[str, str]]:
    """``{"Key": "value"}`` as the SDK's ``Parameters`` repeat list."""
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]


def by_key(items: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
    """``[{OutputKey: k, OutputValue: v}, …]`` (or Parameters, Attributes…) as ``{k: v}``."""
    return {item[key]: item.get(value) for item in items}


def outputs_of(stack: dict[str, Any]) -> dict[str, Any]:
    return by_key(stack["Outputs"], "OutputKey", "OutputValue")


def parameters_of(stack: dict[str, Any]) -> dict[str, str]:
    return by_key(stack["Parameters"], "ParameterKey", "ParameterValue")


async def create(ros: Any, name: str, body: str, **fields: Any) -> str:
    params = fields.pop("parameters", None)
    if params:
        fields["Parameters"] = parameter_list(params)
    result = await ros(
        CreateStackRequest.CreateStackRequest, StackName=name, TemplateBody=body, **fields
    )
    return result["StackId"]


async def wait_terminal(ros: Any, stack_id: str, timeout: float = 20) -> dict[str, Any]:
    """Poll GetStack until the stack leaves *_IN_PROGRESS (fine against the local sandbox)."""

    async def poll() -> dict[str, Any]:
        while True:
            stack = await ros(GetStackRequest.GetStackRequest, StackId=stack_id)
            if stack["Status"].endswith(TERMINAL_SUFFIXES):
                return stack
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(poll(), timeout)


async def delete_and_wait(ros: Any, stack_id: str, timeout: float = 20) -> str:
    """DeleteStack, then poll: "DELETE_COMPLETE" once GetStack says StackNotFound, else the
    terminal status the stack stopped in (DELETE_FAILED)."""
    await ros(DeleteStackRequest.DeleteStackRequest, StackId=stack_id)

    async def poll() -> str:
        while True:
            try:
                stack = await ros(GetStackRequest.GetStackRequest, StackId=stack_id)
            except ServerException as exc:
                if exc.get_error_code() == "StackNotFound":
                    return "DELETE_COMPLETE"
                raise
            if stack["Status"] != "DELETE_IN_PROGRESS":
                return stack["Status"]
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(poll(), timeout)


async def wait_resource(ros: Any, stack_id: str, name: str, status: str) -> dict[str, Any]:
    """Poll ListStackResources until resource ``name`` reaches ``status``."""

    async def poll() -> dict[str, Any]:
        while True:
            result = await ros(
                ListStackResourcesRequest.ListStackResourcesRequest, StackId=stack_id
            )
            for item in result["Resources"]:
                if item["LogicalResourceId"] == name and item["Status"] == status:
                    return item
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(poll(), 10)


async def resource_attributes(ros: Any, stack_id: str, name: str) -> dict[str, Any]:
    result = await ros(
        GetStackResourceRequest.GetStackResourceRequest,
        StackId=stack_id,
        LogicalResourceId=name,
        ShowResourceAttributes=True,
    )
    return by_key(result["ResourceAttributes"], "ResourceAttributeKey", "ResourceAttributeValue")


async def handle_curl(ros: Any, stack_id: str, handle: str = "Handle") -> str:
    """The CurlCli of a WaitConditionHandle, once the handle exists."""
    await wait_resource(ros, stack_id, handle, "CREATE_COMPLETE")
    return (await resource_attributes(ros, stack_id, handle))["CurlCli"]


async def run_shell(command: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        "bash", "-c", command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


async def expect_error(
    call: Any, code: str, status: int | None = None, message: str | None = None
) -> ServerException:
    """Await ``call`` and check the ServerException the SDK raises: code, status, message."""
    with pytest.raises(ServerException) as info:
        await call
    assert info.value.get_error_code() == code, info.value.get_error_msg()
    if status is not None:
        assert info.value.get_http_status() == status
    if message is not None:
        assert info.value.get_error_msg() == message
    return info.value

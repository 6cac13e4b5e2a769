"""Small helpers for driving the sandbox through the real SDK in tests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkros.request.v20190910 import (
    CreateStackRequest,
    GetStackRequest,
)

TERMINAL_SUFFIXES = ("_COMPLETE", "_FAILED")


def template_json(document: dict[str, Any]) -> str:
    return json.dumps({"ROSTemplateFormatVersion": "2015-09-01", **document})


async def create(ros: Any, name: str, body: str, **fields: Any) -> str:
    params = fields.pop("parameters", None)
    if params:
        fields["Parameters"] = [
            {"ParameterKey": k, "ParameterValue": v} for k, v in params.items()
        ]
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


async def expect_error(call: Any, code: str, status: int | None = None) -> ServerException:
    with pytest.raises(ServerException) as info:
        await call
    assert info.value.get_error_code() == code, info.value.get_error_msg()
    if status is not None:
        assert info.value.get_http_status() == status
    return info.value

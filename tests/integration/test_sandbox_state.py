"""``python -m rostray sandbox`` as a real subprocess: its one printed line, --state across a
SIGTERM and restart, an interrupted operation after restart, a corrupt state file, and custom
AccessKeys (a wrong secret is the SDK's InvalidAccessKeySecret)."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkros.request.v20190910 import (
    DescribeRegionsRequest,
    GetStackRequest,
    ListStackEventsRequest,
    ListStackResourcesRequest,
    ListStacksRequest,
)
from sandbox_helpers import (
    create,
    delete_and_wait,
    expect_error,
    outputs_of,
    template_json,
    wait_resource,
    wait_terminal,
)
from shared import REPO, Ros, make_client, template_text

READY = re.compile(
    r"rostray sandbox listening on http://(?P<host>[\d.]+):(?P<port>\d+) "
    r"endpoint=(?P<endpoint>\S+) access_key_id=(?P<key_id>\S+) "
    r"access_key_secret=(?P<secret>\S+) region=(?P<region>\S+)"
)
INTERRUPTED = "The sandbox stopped while this operation was running"
LONG_SLEEP = template_json(
    {"Resources": {"Long": {"Type": "ALIYUN::ROS::Sleep", "Properties": {"CreateDuration": 1800}}}}
)


@dataclass
class CliSandbox:
    """One ``rostray sandbox`` process and what its ready line said."""

    process: asyncio.subprocess.Process
    endpoint: str
    access_key_id: str
    access_key_secret: str
    region: str

    @property
    def ros(self) -> Ros:
        return Ros(make_client(self))

    async def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 15)


Launcher = Callable[..., Awaitable[CliSandbox]]


def cli_command(state: Path | None, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "rostray", "sandbox", "--port", "0", "--time-scale", "0.01"]
    if state is not None:
        command += ["--state", str(state)]
    return [*command, *extra]


@pytest.fixture
async def start_cli() -> AsyncIterator[Launcher]:
    """Start sandbox processes; any still running at the end is killed (by its own pid)."""
    processes: list[asyncio.subprocess.Process] = []

    async def start(state: Path | None, *extra: str) -> CliSandbox:
        process = await asyncio.create_subprocess_exec(
            *cli_command(state, *extra),
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        processes.append(process)
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        match = READY.fullmatch(line.strip())
        assert match, f"unexpected first line {line!r}"
        assert match["endpoint"] == f"{match['host']}:{match['port']}"
        return CliSandbox(
            process, match["endpoint"], match["key_id"], match["secret"], match["region"]
        )

    yield start
    for process in processes:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def run_to_exit(command: list[str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *command, cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode or 0, err.decode()


async def events_of(ros: Ros, stack_id: str) -> list[dict]:
    result = await ros(ListStackEventsRequest.ListStackEventsRequest, StackId=stack_id, PageSize=50)
    return result["Events"]


async def test_stacks_survive_a_restart(start_cli: Launcher, tmp_path: Path) -> None:
    state = tmp_path / "state" / "sandbox.json"
    first = await start_cli(state)
    assert (first.access_key_id, first.region) == ("sandbox", "cn-hangzhou")
    stack_id = await create(
        first.ros,
        "kept",
        template_text("sleep-smoke-test.yaml"),
        parameters={"CreateDuration": "1"},
    )
    before = await wait_terminal(first.ros, stack_id)
    assert before["Status"] == "CREATE_COMPLETE"
    events_before = await events_of(first.ros, stack_id)
    assert await first.terminate() == 0
    assert json.loads(state.read_text())["stacks"][0]["id"] == stack_id

    second = await start_cli(state)
    ros = second.ros
    after = await ros(GetStackRequest.GetStackRequest, StackId=stack_id)
    for key in ("StackName", "Status", "StatusReason", "CreateTime", "Outputs", "Parameters"):
        assert after[key] == before[key], key
    assert outputs_of(after)["Message"] == "Stack kept slept 1 seconds in cn-hangzhou."
    listing = await ros(ListStacksRequest.ListStacksRequest)
    assert [s["StackId"] for s in listing["Stacks"]] == [stack_id]
    assert await events_of(ros, stack_id) == events_before
    resources = await ros(ListStackResourcesRequest.ListStackResourcesRequest, StackId=stack_id)
    assert [(r["LogicalResourceId"], r["Status"]) for r in resources["Resources"]] == [
        ("Sleep", "CREATE_COMPLETE")
    ]
    # The restored stack is live: it can be deleted, and its new events sort first.
    assert await delete_and_wait(ros, stack_id) == "DELETE_COMPLETE"
    assert await second.terminate() == 0

    third = await start_cli(state)
    await expect_error(
        third.ros(GetStackRequest.GetStackRequest, StackId=stack_id), "StackNotFound", 404
    )
    assert (await third.ros(ListStacksRequest.ListStacksRequest))["TotalCount"] == 0


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
async def test_an_operation_cut_off_by_a_stop_ends_failed(
    start_cli: Launcher, tmp_path: Path, stop: signal.Signals
) -> None:
    state = tmp_path / "sandbox.json"
    first = await start_cli(state)
    stack_id = await create(first.ros, "interrupted", LONG_SLEEP)
    await wait_resource(first.ros, stack_id, "Long", "CREATE_IN_PROGRESS")
    first.process.send_signal(stop)
    assert await asyncio.wait_for(first.process.wait(), 15) == (0 if stop == signal.SIGTERM else -9)

    second = await start_cli(state)
    ros = second.ros
    stack = await ros(GetStackRequest.GetStackRequest, StackId=stack_id)
    assert (stack["Status"], stack["StatusReason"]) == ("CREATE_FAILED", INTERRUPTED)
    resources = await ros(ListStackResourcesRequest.ListStackResourcesRequest, StackId=stack_id)
    # Never left CREATE_IN_PROGRESS: cancelled by a clean stop, failed on restore after a kill.
    assert [r["Status"] for r in resources["Resources"]] == ["CREATE_FAILED"]
    events = await events_of(ros, stack_id)
    assert (events[0]["ResourceType"], events[0]["Status"], events[0]["StatusReason"]) == (
        "ALIYUN::ROS::Stack",
        "CREATE_FAILED",
        INTERRUPTED,
    )
    assert events[-1]["Status"] == "CREATE_IN_PROGRESS"
    assert await delete_and_wait(ros, stack_id) == "DELETE_COMPLETE"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{ not json", "cannot read sandbox state"),
        ('{"format": 99, "stacks": []}', "not a rostray sandbox state file"),
        ('{"format": 1, "stacks": {}}', "not a rostray sandbox state file"),
        ("[]", "not a rostray sandbox state file"),
    ],
    ids=["syntax", "format", "stacks-shape", "not-an-object"],
)
async def test_a_corrupt_state_file_exits_2_with_a_clear_message(
    tmp_path: Path, content: str, message: str
) -> None:
    state = tmp_path / "state.json"
    state.write_text(content, encoding="utf-8")
    code, err = await run_to_exit(cli_command(state))
    assert code == 2
    assert err.startswith(f"rostray sandbox: {state}: {message}"), err
    assert "Traceback" not in err
    assert state.read_text(encoding="utf-8") == content  # left for the user to inspect


async def test_custom_keys_and_a_wrong_secret(start_cli: Launcher) -> None:
    sandbox = await start_cli(
        None, "--access-key-id", "LTAIcustomKey01", "--access-key-secret", "custom-secret-01"
    )
    assert (sandbox.access_key_id, sandbox.access_key_secret) == (
        "LTAIcustomKey01",
        "custom-secret-01",
    )
    regions = await sandbox.ros(DescribeRegionsRequest.DescribeRegionsRequest)
    assert regions["Regions"]
    wrong_secret = Ros(make_client(sandbox, secret="not-the-secret"))
    with pytest.raises(ServerException) as info:
        await wrong_secret(DescribeRegionsRequest.DescribeRegionsRequest)
    assert (info.value.get_error_code(), info.value.get_http_status()) == (
        "InvalidAccessKeySecret",
        400,
    )
    default_key = Ros(make_client(sandbox, key_id="sandbox", secret="sandbox-secret"))
    await expect_error(
        default_key(DescribeRegionsRequest.DescribeRegionsRequest),
        "InvalidAccessKeyId.NotFound",
        404,
        "Specified access key is not found.",
    )
    assert await sandbox.terminate() == 0

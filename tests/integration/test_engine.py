"""The engine end to end against the sandbox through the real SDK and real HTTP:
launch → ROS's callback → GetStack verification → one announcement."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest
from sandbox_helpers import template_json
from shared import FAST_POLL, WAIT_TEMPLATE, sandbox_engine, template_text

from rostray.config import Settings
from rostray.core.credentials import Credentials
from rostray.core.engine import Engine, LaunchRefused, LaunchRequest
from rostray.core.events import CallbackReceived, StackFinished, Subscription
from rostray.core.tracker import PollPolicy
from rostray.sandbox import Sandbox

FAST = FAST_POLL

EngineFactory = Callable[..., Engine]


@pytest.fixture
def make_engine(sandbox: Sandbox, tmp_path: Path) -> EngineFactory:
    """Engines pointed at the standalone test sandbox, sharing one history database."""

    def factory(policy: PollPolicy = FAST) -> Engine:
        return sandbox_engine(sandbox, tmp_path / "history.sqlite3", policy=policy)

    return factory


@pytest.fixture
async def engine(make_engine: EngineFactory) -> AsyncIterator[Engine]:
    async with make_engine() as eng:
        yield eng


async def next_finished(sub: Subscription, timeout: float = 15) -> StackFinished:
    async def loop() -> StackFinished:
        async for event in sub:
            if isinstance(event, StackFinished):
                return event
        raise AssertionError("event stream ended")

    return await asyncio.wait_for(loop(), timeout)


async def verdicts(sub: Subscription, count: int, timeout: float = 10) -> list[CallbackReceived]:
    seen: list[CallbackReceived] = []

    async def loop() -> None:
        async for event in sub:
            if isinstance(event, CallbackReceived) and event.verdict != "pending":
                seen.append(event)
                if len(seen) == count:
                    return

    await asyncio.wait_for(loop(), timeout)
    return seen


def request(name: str, body: str, **kw) -> LaunchRequest:
    return LaunchRequest(template_body=body, stack_name=name, **kw)


async def post(url: str, body: dict | bytes) -> int:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=data, headers={"Content-Type": "application/json"}) as response,
    ):
        return response.status


async def test_launch_success_is_announced_once_from_the_callback(engine: Engine) -> None:
    sub = engine.subscribe()
    launch = await engine.launch(request("seed", template_text("seed-webhook.json")))
    assert launch.notification_url.startswith(engine.receiver.local_base_url + "/hooks/")
    event = await next_finished(sub)
    assert (event.stack_id, event.status, event.via) == (
        launch.stack_id,
        "CREATE_COMPLETE",
        "callback",
    )
    assert event.succeeded
    [output] = event.outputs
    assert output.key == "CurlCli" and output.value.startswith("curl -i -X POST")
    [callback] = await engine.store.callbacks_for(launch.stack_id)
    assert callback.verdict == "confirmed"
    assert json.loads(callback.body)["Status"] == "CREATE_COMPLETE"
    stored = await engine.store.get_by_stack(launch.stack_id)
    assert stored.announced == ["CREATE_COMPLETE"] and stored.finished_at is not None


async def test_rollback_failure_reports_the_reason(engine: Engine) -> None:
    sub = engine.subscribe()
    launch = await engine.launch(request("rb", WAIT_TEMPLATE, parameters={"Timeout": "5"}))
    event = await next_finished(sub)
    assert event.stack_id == launch.stack_id
    assert event.status == "CREATE_ROLLBACK_COMPLETE" and not event.succeeded
    assert "WaitConditionTimeout" in event.status_reason
    assert event.via == "callback"


async def test_no_rollback_failure(engine: Engine) -> None:
    sub = engine.subscribe()
    await engine.launch(
        request("norb", WAIT_TEMPLATE, parameters={"Timeout": "5"}, disable_rollback=True)
    )
    event = await next_finished(sub)
    assert event.status == "CREATE_FAILED"
    assert "WaitConditionTimeout" in event.status_reason


async def test_bad_parameters_are_refused_before_any_api_call(
    engine: Engine, sandbox: Sandbox
) -> None:
    body = template_json(
        {
            "Parameters": {
                "Size": {"Type": "Number", "MaxValue": 10},
                "Env": {"Type": "String", "AllowedValues": ["a"]},
            },
            "Resources": {},
        }
    )
    with pytest.raises(LaunchRefused) as info:
        await engine.launch(
            request("bad", body, parameters={"Size": "11", "Env": "b", "Nope": "1"})
        )
    assert set(info.value.errors) == {"Size", "Env", "Nope"}
    assert "out of range" in info.value.errors["Size"]
    assert sandbox.engine.stacks == {}


async def test_forged_callbacks_are_never_announced(engine: Engine) -> None:
    sub = engine.subscribe()
    wait = await engine.launch(request("forge-target", WAIT_TEMPLATE))
    other = await engine.launch(request("other", WAIT_TEMPLATE))
    body = {
        "StackId": wait.stack_id,
        "StackName": "forge-target",
        "Status": "CREATE_COMPLETE",
        "Outputs": [{"OutputKey": "Data", "OutputValue": "evil"}],
    }
    base = engine.receiver.local_base_url
    assert await post(f"{base}/hooks/not-a-token", body) == 404
    assert await post(wait.notification_url, body) == 200  # status GetStack denies
    assert await post(other.notification_url, body) == 200  # another stack's token
    found = await verdicts(sub, 2)
    by_verdict = {v.verdict: v for v in found}
    assert set(by_verdict) == {"unconfirmed", "mismatch"}
    assert "CREATE_IN_PROGRESS" in by_verdict["unconfirmed"].detail
    await engine.tracker.settle()
    for launch in (wait, other):
        stored = await engine.store.get_by_stack(launch.stack_id)
        assert stored.announced == []


async def test_duplicate_and_late_callbacks_are_announced_once(engine: Engine) -> None:
    sub = engine.subscribe()
    launch = await engine.launch(request("dup", template_text("seed-webhook.json")))
    event = await next_finished(sub)
    body = {"StackId": launch.stack_id, "StackName": "dup", "Status": event.status, "Outputs": []}
    for _ in range(3):
        assert await post(launch.notification_url, body) == 200
    found = await verdicts(sub, 4)  # the original callback's verdict, then three duplicates
    assert sorted(v.verdict for v in found) == ["confirmed"] + ["duplicate"] * 3
    await engine.tracker.settle()
    stored = await engine.store.get_by_stack(launch.stack_id)
    assert stored.announced == ["CREATE_COMPLETE"]
    assert len(await engine.store.callbacks_for(launch.stack_id)) == 4


async def test_a_lost_callback_is_found_by_polling(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "callback_base_url", lambda: "http://127.0.0.1:9")
    sub = engine.subscribe()
    launch = await engine.launch(request("lost", template_text("seed-webhook.json")))
    event = await next_finished(sub)
    assert (event.stack_id, event.status, event.via) == (launch.stack_id, "CREATE_COMPLETE", "poll")


async def test_update_and_delete_are_announced_through_the_same_token(engine: Engine) -> None:
    body = template_json(
        {
            "Parameters": {"Greeting": {"Type": "String", "Default": "hi"}},
            "Resources": {},
            "Outputs": {"Said": {"Value": {"Ref": "Greeting"}}},
        }
    )
    sub = engine.subscribe()
    launch = await engine.launch(request("lifecycle", body))
    assert (await next_finished(sub)).status == "CREATE_COMPLETE"
    await engine.update("lifecycle", template_body=body, parameters={"Greeting": "bye"})
    updated = await next_finished(sub)
    assert (updated.operation, updated.status, updated.via) == (
        "UPDATE",
        "UPDATE_COMPLETE",
        "callback",
    )
    assert updated.outputs[0].value == "bye"
    await engine.delete(launch.stack_id)
    deleted = await next_finished(sub)
    assert (deleted.operation, deleted.status) == ("DELETE", "DELETE_COMPLETE")
    stored = await engine.store.get_by_stack(launch.stack_id)
    assert stored.announced == ["CREATE_COMPLETE", "UPDATE_COMPLETE", "DELETE_COMPLETE"]


async def test_restart_reconciles_what_finished_while_away(
    make_engine: EngineFactory, sandbox: Sandbox
) -> None:
    first = make_engine(PollPolicy(grace=3600, max_interval=3600))
    await first.start()
    launch = await first.launch(request("away", WAIT_TEMPLATE))
    await first.stop()  # the app quits; the stack keeps running on ROS
    stack = sandbox.engine.get(launch.stack_id)
    while "Handle" not in stack.wait_tokens:
        await asyncio.sleep(0.01)
    sandbox.engine.signal(stack, "Handle", {"status": "SUCCESS", "data": "done"})
    await sandbox.engine.settle()  # its notification went to a receiver that is gone
    async with make_engine() as second:
        sub = second.subscribe()
        event = await next_finished(sub)
        assert (event.stack_id, event.status, event.via) == (
            launch.stack_id,
            "CREATE_COMPLETE",
            "reconcile",
        )
        assert event.outputs[0].value == '{"1": "done"}'


async def test_embedded_sandbox_without_credentials(tmp_path: Path) -> None:
    settings = Settings()
    settings.sandbox.time_scale = 0.01
    engine = Engine(
        settings,
        store_path=tmp_path / "h.sqlite3",
        sandbox_state=tmp_path / "state.json",
        poll_policy=FAST,
    )
    async with engine:
        assert engine.mode == "sandbox"
        assert "sandbox" in engine.mode_description
        sub = engine.subscribe()
        await engine.launch(request("embedded", template_text("seed-webhook.json")))
        event = await next_finished(sub)
        assert event.status == "CREATE_COMPLETE" and event.sandbox
    assert (tmp_path / "state.json").exists()


async def test_real_endpoint_without_a_verified_tunnel_refuses_to_launch(tmp_path: Path) -> None:
    """Real ROS cannot reach 127.0.0.1: no verified public URL, no launch (and no API call)."""
    creds = Credentials("LTAIexample0000000000", "not-a-real-secret", source="test")
    engine = Engine(
        Settings(),
        credentials=creds,
        endpoint="ros.aliyuncs.com",
        store_path=tmp_path / "h.sqlite3",
        poll_policy=FAST,
    )
    async with engine:
        assert engine.mode == "cloud" and engine.tunnel is None
        assert engine.callback_base_url() is None
        with pytest.raises(LaunchRefused, match=r"no tunnel is configured.*--poll"):
            await engine.launch(request("web", template_text("seed-webhook.json")))

"""The engine end to end against the sandbox through the real SDK and real HTTP:
launch → ROS's callback → GetStack verification → one announcement."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from sandbox_helpers import create, template_json
from shared import FAST_POLL, WAIT_TEMPLATE, HeldReply, sandbox_engine, template_text

from rostray.config import Settings
from rostray.core.credentials import Credentials
from rostray.core.engine import Engine, LaunchRefused, LaunchRequest
from rostray.core.events import CallbackReceived, StackFinished, Subscription
from rostray.core.pending import LAUNCH_TAG, PendingPolicy
from rostray.core.ros import RosError
from rostray.core.store import NEVER_CREATED, Store
from rostray.core.tracker import PollPolicy
from rostray.sandbox import Sandbox, SandboxConfig

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
    # GetStack starts while the row is written, but the row is committed first.
    announced_at = await engine.store.run(
        lambda st: st._connection().execute("SELECT announced_at FROM announcements").fetchone()
    )
    assert callback.received_at <= announced_at[0]


async def test_the_announcement_waits_for_its_callbacks_row(
    make_engine: EngineFactory, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The announcement may pass other stacks' rows queued at the store, never its own: with
    the row held on the worker (no lock taken yet, so nothing else would stop it), no
    StackFinished until the row is committed. The stack waits for a signal, and the row is
    held only from then on: a fast stack's callback could come before CreateStack's answer,
    and its held row then held the launch's own store writes too (a flake on busy machines)."""
    written = threading.Event()
    original = Store.record_callbacks

    def held(store: Store, rows: Any) -> list[int]:
        written.wait(10)
        return original(store, rows)

    async with make_engine(replace(FAST, grace=60.0)) as engine:
        sub = engine.subscribe()
        launch = await engine.launch(request("held", WAIT_TEMPLATE))
        stack = sandbox.engine.get(launch.stack_id)
        while "Handle" not in stack.wait_tokens:
            await asyncio.sleep(0.01)
        monkeypatch.setattr(Store, "record_callbacks", held)
        sandbox.engine.signal(stack, "Handle", {"status": "SUCCESS", "data": "ok"})
        with pytest.raises(TimeoutError):
            await next_finished(sub, timeout=1.0)
        written.set()
        event = await next_finished(sub)
        assert (event.stack_id, event.via) == (launch.stack_id, "callback")
        [callback] = await engine.store.callbacks_for(launch.stack_id)
        announced_at = await engine.store.run(
            lambda st: st._connection().execute("SELECT announced_at FROM announcements").fetchone()
        )
        assert callback.received_at <= announced_at[0]


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


async def test_poll_soon_checks_now_though_a_later_poll_is_booked(
    make_engine: EngineFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tunnel's URL change moves its running stacks to polling "now": the stack's first
    poll, booked at the grace period (60 s here), must not swallow the earlier one."""
    async with make_engine(replace(FAST, grace=60.0)) as engine:
        monkeypatch.setattr(engine, "callback_base_url", lambda: "http://127.0.0.1:9")
        sub = engine.subscribe()
        launch = await engine.launch(request("soon", template_text("seed-webhook.json")))
        with pytest.raises(TimeoutError):  # no callback can come, no poll is due
            await next_finished(sub, timeout=0.5)
        engine.tracker.poll_soon(launch.stack_id)
        event = await next_finished(sub, timeout=5)
        assert (event.stack_id, event.status, event.via) == (
            launch.stack_id,
            "CREATE_COMPLETE",
            "poll",
        )
        assert engine.tracker.tracked() == []


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


# --- launches interrupted before CreateStack answered (E1) -----------------------------------


def pending_row(store: Store, name: str, client_token: str, **overrides: Any) -> None:
    store.add_pending(
        client_token=client_token,
        stack_name=name,
        region="cn-hangzhou",
        endpoint="sandbox",
        sandbox=False,
        token=f"token-{client_token}",
        notification_url="",
        **overrides,
    )


async def test_pending_launches_are_resolved_by_name_and_tag(
    sandbox: Sandbox, ros: Any, tmp_path: Path
) -> None:
    """found → bound and announced once; no stack (or one without the tag) long after →
    NEVER_CREATED history; no stack yet but young → looked for again until it appears."""
    db = tmp_path / "history.sqlite3"
    seed = template_text("seed-webhook.json")
    found = await create(ros, "found", seed, Tagss=[{"Key": LAUNCH_TAG, "Value": "ct-found"}])
    await create(ros, "imposter", seed, Tagss=[{"Key": LAUNCH_TAG, "Value": "ct-other"}])
    with Store.open(db) as store:
        pending_row(store, "found", "ct-found")
        pending_row(store, "imposter", "ct-imposter", created_at=time.time() - 700)
        pending_row(store, "gone", "ct-gone", created_at=time.time() - 700)
        pending_row(store, "late", "ct-late")
    policy = PendingPolicy(give_up_after=600, retry_every=0.2)
    async with sandbox_engine(sandbox, db, reconcile=False, pending_policy=policy) as cli:
        await asyncio.sleep(0.5)  # a CLI engine leaves them alone
        assert len(await cli.store.pending_launches()) == 4
    async with sandbox_engine(sandbox, db, pending_policy=policy) as engine:
        sub = engine.subscribe()
        first = await next_finished(sub)
        assert (first.stack_id, first.stack_name, first.via) == (found, "found", "reconcile")
        late = await create(ros, "late", seed, Tagss=[{"Key": LAUNCH_TAG, "Value": "ct-late"}])
        second = await next_finished(sub)  # its CreateStack "arrived" after the first look
        assert (second.stack_id, second.via) == (late, "reconcile")
        assert await engine.store.pending_launches() == []
        history = {x.stack_name: x for x in await engine.history()}
    assert history["found"].announced == ["CREATE_COMPLETE"]
    for name in ("imposter", "gone"):  # the same name without our tag is not our stack
        assert history[name].status == NEVER_CREATED and history[name].finished_at is not None
        assert history[name].announced == []
    async with sandbox_engine(sandbox, db) as again:  # exactly once: nothing left to announce
        await again.tracker.settle()
        assert await again.store.unfinished() == []


async def test_launch_tags_the_stack_and_keeps_the_users_tags(
    engine: Engine, sandbox: Sandbox
) -> None:
    sub = engine.subscribe()
    launch = await engine.launch(
        request("tagged", template_text("seed-webhook.json"), tags={"team": "infra"})
    )
    await next_finished(sub)
    stack = sandbox.engine.get(launch.stack_id)
    assert {"Key": "team", "Value": "infra"} in stack.tags
    [own] = [t for t in stack.tags if t["Key"] == LAUNCH_TAG]
    assert len(own["Value"]) == 32 and launch.request["tags"] == {"team": "infra"}
    with pytest.raises(LaunchRefused, match="rostray's own"):
        await engine.launch(request("mine", WAIT_TEMPLATE, tags={LAUNCH_TAG: "x"}))
    twenty = {f"k{i}": "v" for i in range(20)}
    with pytest.raises(LaunchRefused, match="at most 19"):
        await engine.launch(request("full", WAIT_TEMPLATE, tags=twenty))
    assert sandbox.engine.find(names=["mine", "full"]) == []


async def test_a_refused_create_stack_leaves_nothing_pending(engine: Engine) -> None:
    sub = engine.subscribe()
    await engine.launch(request("taken", template_text("seed-webhook.json")))
    await next_finished(sub)
    with pytest.raises(RosError) as info:
        await engine.launch(request("taken", template_text("seed-webhook.json")))
    assert info.value.code == "StackExists"
    assert await engine.store.pending_launches() == []
    assert [x.stack_name for x in await engine.history()] == ["taken"]


# --- update and delete begin before their API call (E4) --------------------------------------


GREETING = template_json(
    {
        "Parameters": {"Greeting": {"Type": "String", "Default": "hi"}},
        "Resources": {},
        "Outputs": {"Said": {"Value": {"Ref": "Greeting"}}},
    }
)


async def test_a_fast_update_result_is_announced_by_its_callback(tmp_path: Path) -> None:
    """The sandbox finishes the update (and calls back) before UpdateStack's answer reaches
    the engine: the callback must be judged against UPDATE, not the finished CREATE."""
    instant = SandboxConfig(time_scale=0.01, simulated_delay=0)  # no resources: no waiting
    async with Sandbox(instant) as sb, HeldReply(sb.endpoint, "UpdateStack") as proxy:
        through_proxy = SimpleNamespace(
            endpoint=proxy.endpoint,
            access_key_id=sb.access_key_id,
            access_key_secret=sb.access_key_secret,
        )
        slow_poll = PollPolicy(grace=3600, max_interval=3600)  # only a callback can be in time
        async with sandbox_engine(through_proxy, tmp_path / "h.sqlite3", policy=slow_poll) as eng:
            sub = eng.subscribe()
            launch = await eng.launch(request("fast", GREETING))
            assert (await next_finished(sub)).status == "CREATE_COMPLETE"
            update = asyncio.create_task(
                eng.update("fast", template_body=GREETING, parameters={"Greeting": "bye"})
            )
            await asyncio.wait_for(proxy.reached.wait(), 10)
            await until_called_back(eng, launch.stack_id, "UPDATE_COMPLETE")
            proxy.release.set()  # the answer arrives after the callback
            await update
            event = await next_finished(sub)
            assert (event.operation, event.status, event.via) == (
                "UPDATE",
                "UPDATE_COMPLETE",
                "callback",
            )
            assert event.outputs[0].value == "bye"
            verdicts_by_status = {
                json.loads(c.body)["Status"]: c.verdict
                for c in await eng.store.callbacks_for(launch.stack_id)
            }
            assert verdicts_by_status["UPDATE_COMPLETE"] == "confirmed"


async def test_a_refused_update_restores_the_operation(engine: Engine, sandbox: Sandbox) -> None:
    sub = engine.subscribe()
    launch = await engine.launch(request("busy", WAIT_TEMPLATE))
    with pytest.raises(RosError):  # ROS refuses: the stack is still being created
        await engine.update("busy", template_body=WAIT_TEMPLATE)
    stored = await engine.store.get_by_stack(launch.stack_id)
    assert (stored.operation, stored.operation_seq, stored.finished_at) == ("CREATE", 1, None)
    stack = sandbox.engine.get(launch.stack_id)
    while "Handle" not in stack.wait_tokens:
        await asyncio.sleep(0.01)
    sandbox.engine.signal(stack, "Handle", {"status": "SUCCESS", "data": "ok"})
    event = await next_finished(sub)  # the create's own result still counts
    assert (event.operation, event.status, event.via) == ("CREATE", "CREATE_COMPLETE", "callback")


# --- verification is debounced per claim (E5) ------------------------------------------------


async def test_a_flood_of_one_claim_costs_one_get_stack(engine: Engine, sandbox: Sandbox) -> None:
    sub = engine.subscribe()
    launch = await engine.launch(request("flood", template_text("seed-webhook.json")))
    await next_finished(sub)
    await engine.tracker.settle()
    sub = engine.subscribe()  # from here on: the flood's verdicts only
    before = sandbox.server.calls["GetStack"]
    body = {"StackId": launch.stack_id, "StackName": "flood", "Status": "CREATE_FAILED"}
    concurrent = await asyncio.gather(*(post(launch.notification_url, body) for _ in range(25)))
    sequential = [await post(launch.notification_url, body) for _ in range(15)]
    assert set(concurrent + sequential) == {200}  # every one accepted
    found = await verdicts(sub, 40)
    await engine.tracker.settle()
    assert {v.verdict for v in found} == {"unconfirmed"}
    assert all("CREATE_COMPLETE" in v.detail for v in found)
    assert sandbox.server.calls["GetStack"] - before == 1
    stored = await engine.store.get_by_stack(launch.stack_id)
    assert stored.announced == ["CREATE_COMPLETE"]


async def test_a_true_claim_after_a_forged_early_copy_is_announced_when_the_window_ends(
    make_engine: EngineFactory, sandbox: Sandbox
) -> None:
    """A forged CREATE_COMPLETE before the stack completes is unconfirmed; the real one that
    follows within the window shares that verdict, and the check booked for the window's end
    announces the stack then, not at its next regular poll (60 s here)."""
    async with make_engine(replace(FAST, grace=60.0, verify_debounce=3.0)) as engine:
        sub = engine.subscribe()
        launch = await engine.launch(request("early-copy", WAIT_TEMPLATE))
        body = {"StackId": launch.stack_id, "StackName": "early-copy", "Status": "CREATE_COMPLETE"}
        assert await post(launch.notification_url, body) == 200
        [forged] = await verdicts(sub, 1)
        assert forged.verdict == "unconfirmed"
        stack = sandbox.engine.get(launch.stack_id)
        while "Handle" not in stack.wait_tokens:
            await asyncio.sleep(0.01)
        sandbox.engine.signal(stack, "Handle", {"status": "SUCCESS", "data": "ok"})
        [real] = await verdicts(sub, 1)
        assert (real.verdict, real.claimed_status) == ("unconfirmed", "CREATE_COMPLETE")
        event = await next_finished(sub, timeout=10)
        assert (event.stack_id, event.status, event.via) == (
            launch.stack_id,
            "CREATE_COMPLETE",
            "poll",
        )


# --- callbacks a stop left pending get a verdict (E6) ----------------------------------------


async def test_reconcile_supersedes_callbacks_left_pending(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    db = tmp_path / "history.sqlite3"
    async with sandbox_engine(sandbox, db) as first:
        launch = await first.launch(request("cut", WAIT_TEMPLATE))
    with Store.open(db) as store:  # what a kill during verification leaves behind
        body = json.dumps({"StackId": launch.stack_id, "Status": "CREATE_COMPLETE"}).encode()
        left = store.record_callback(launch.token, launch.stack_id, "127.0.0.1", {}, body)
    async with sandbox_engine(sandbox, db, reconcile=False) as cli:
        [callback] = await cli.store.callbacks_for(launch.stack_id)
        assert (callback.id, callback.verdict) == (left, "pending")  # not the CLI's to judge
    async with sandbox_engine(sandbox, db) as engine:
        [callback] = await engine.store.callbacks_for(launch.stack_id)
        assert callback.verdict == "superseded" and "reconcile" in callback.detail


async def until_called_back(engine: Engine, stack_id: str, status: str) -> None:
    """Until a callback claiming ``status`` for the stack has reached the receiver."""

    async def loop() -> None:
        while True:
            bodies = [json.loads(c.body) for c in await engine.store.callbacks_for(stack_id)]
            if any(b.get("Status") == status for b in bodies):
                return
            await asyncio.sleep(0.01)

    await asyncio.wait_for(loop(), 10)

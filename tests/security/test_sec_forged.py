"""Forged and replayed callbacks against the real engine (sandbox, real SDK, real HTTP):
never announced, always recorded with a verdict. Complements tests/integration/test_engine.py
(unknown token, another stack's token, a status GetStack denies) with replays of an old
CREATE_COMPLETE body during and after an UPDATE, and after a DELETE."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from rostray.config import Settings
from rostray.core.credentials import Credentials
from rostray.core.engine import Engine, LaunchRequest
from rostray.core.events import CallbackReceived, EngineEvent, StackFinished, Subscription
from rostray.core.store import Callback
from rostray.core.tracker import PollPolicy
from rostray.sandbox import Sandbox

FAST = PollPolicy(grace=30, max_interval=60, verify_retries=2, verify_delay=0.05)


def template(document: dict) -> str:
    return json.dumps({"ROSTemplateFormatVersion": "2015-09-01", **document})


SIMPLE = template(
    {
        "Parameters": {"Greeting": {"Type": "String", "Default": "hi"}},
        "Resources": {},
        "Outputs": {"Said": {"Value": {"Ref": "Greeting"}}},
    }
)
WAITING = template(
    {
        "Parameters": {"Greeting": {"Type": "String", "Default": "hi"}},
        "Resources": {
            "Handle": {"Type": "ALIYUN::ROS::WaitConditionHandle"},
            "Wait": {
                "Type": "ALIYUN::ROS::WaitCondition",
                "Properties": {"Handle": {"Ref": "Handle"}, "Timeout": 3000},
            },
        },
        "Outputs": {"Said": {"Value": {"Ref": "Greeting"}}},
    }
)


@pytest.fixture
async def engine(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Engine]:
    creds = Credentials(sandbox.access_key_id, sandbox.access_key_secret, source="test")
    eng = Engine(
        Settings(),
        credentials=creds,
        endpoint=sandbox.endpoint,
        store_path=tmp_path / "history.sqlite3",
        poll_policy=FAST,
    )
    async with eng:
        yield eng


class Watcher:
    """Collects every engine event in the background, so none is missed between steps."""

    def __init__(self, sub: Subscription) -> None:
        self.events: list[EngineEvent] = []
        self._sub = sub
        self._task = asyncio.get_running_loop().create_task(self._run())
        self._changed = asyncio.Event()

    async def _run(self) -> None:
        async for event in self._sub:
            self.events.append(event)
            self._changed.set()

    def finished(self) -> list[StackFinished]:
        return [e for e in self.events if isinstance(e, StackFinished)]

    def verdicts(self) -> list[CallbackReceived]:
        return [
            e for e in self.events if isinstance(e, CallbackReceived) and e.verdict != "pending"
        ]

    async def until(self, predicate, timeout: float = 15) -> None:
        async def loop() -> None:
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(loop(), timeout)

    def close(self) -> None:
        self._task.cancel()


async def post(url: str, body: bytes) -> int:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as response,
    ):
        return response.status


def body_of(callbacks: list[Callback], status: str) -> bytes:
    [match] = [c.body for c in callbacks if json.loads(c.body)["Status"] == status]
    return match


async def announcements(engine: Engine, stack_id: str) -> list[str]:
    def read(store) -> list[str]:
        conn = store._connection()
        rows = conn.execute(
            """SELECT a.status FROM announcements a JOIN launches l ON l.id = a.launch_id
            WHERE l.stack_id = ? ORDER BY a.id""",
            (stack_id,),
        ).fetchall()
        return [row[0] for row in rows]

    return await engine.store.run(read)


async def test_old_create_complete_replayed_during_and_after_an_update(
    engine: Engine, sandbox: Sandbox
) -> None:
    watcher = Watcher(engine.subscribe())
    try:
        launch = await engine.launch(LaunchRequest(SIMPLE, "replayed"))
        await watcher.until(lambda: len(watcher.finished()) == 1)
        await engine.tracker.settle()
        old = body_of(await engine.store.callbacks_for(launch.stack_id), "CREATE_COMPLETE")

        await engine.update(launch.stack_id, template_body=WAITING, parameters={})
        stack = sandbox.engine.get(launch.stack_id)
        while "Handle" not in stack.wait_tokens:
            await asyncio.sleep(0.01)
        assert stack.status == "UPDATE_IN_PROGRESS"

        # during the update: the exact bytes ROS sent for the create, replayed
        seen = len(watcher.verdicts())
        assert await post(launch.notification_url, old) == 200
        await watcher.until(lambda: len(watcher.verdicts()) > seen)
        during = watcher.verdicts()[-1]
        assert (during.verdict, during.claimed_status) == ("unconfirmed", "CREATE_COMPLETE")
        assert "UPDATE_IN_PROGRESS" in during.detail

        sandbox.engine.signal(stack, "Handle", {"status": "SUCCESS", "data": "done"})
        await watcher.until(lambda: len(watcher.finished()) == 2)
        await engine.tracker.settle()
        update_body = body_of(await engine.store.callbacks_for(launch.stack_id), "UPDATE_COMPLETE")

        # after the update: the old create, and the update's own body, replayed
        seen = len(watcher.verdicts())
        assert await post(launch.notification_url, old) == 200
        assert await post(launch.notification_url, update_body) == 200
        await watcher.until(lambda: len(watcher.verdicts()) >= seen + 2)
        await engine.tracker.settle()
        after = {v.claimed_status: v for v in watcher.verdicts()[seen:]}
        assert after["CREATE_COMPLETE"].verdict == "unconfirmed"
        assert "UPDATE_COMPLETE" in after["CREATE_COMPLETE"].detail
        assert after["UPDATE_COMPLETE"].verdict == "duplicate"

        finished = watcher.finished()
        assert [(e.operation, e.status) for e in finished] == [
            ("CREATE", "CREATE_COMPLETE"),
            ("UPDATE", "UPDATE_COMPLETE"),
        ]
        assert await announcements(engine, launch.stack_id) == [
            "CREATE_COMPLETE",
            "UPDATE_COMPLETE",
        ]
        stored = await engine.store.callbacks_for(launch.stack_id)
        assert sorted(c.verdict for c in stored) == sorted(
            ["confirmed", "confirmed", "unconfirmed", "unconfirmed", "duplicate"]
        )
    finally:
        watcher.close()


async def test_replays_after_a_delete_are_not_announced(engine: Engine) -> None:
    watcher = Watcher(engine.subscribe())
    try:
        launch = await engine.launch(LaunchRequest(SIMPLE, "deleted"))
        await watcher.until(lambda: len(watcher.finished()) == 1)
        await engine.tracker.settle()
        old = body_of(await engine.store.callbacks_for(launch.stack_id), "CREATE_COMPLETE")
        await engine.delete(launch.stack_id)
        await watcher.until(lambda: len(watcher.finished()) == 2)
        await engine.tracker.settle()  # the delete callback's own verdict comes first
        seen = len(watcher.verdicts())
        for _ in range(3):
            assert await post(launch.notification_url, old) == 200
        await watcher.until(lambda: len(watcher.verdicts()) >= seen + 3)
        await engine.tracker.settle()
        assert {v.verdict for v in watcher.verdicts()[seen:]} == {"unconfirmed"}
        assert [e.status for e in watcher.finished()] == ["CREATE_COMPLETE", "DELETE_COMPLETE"]
        assert await announcements(engine, launch.stack_id) == [
            "CREATE_COMPLETE",
            "DELETE_COMPLETE",
        ]
    finally:
        watcher.close()


async def test_unknown_tokens_are_refused_counted_and_logged(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="rostray.core.receiver")
    launch = await engine.launch(LaunchRequest(SIMPLE, "target"))
    body = json.dumps({"StackId": launch.stack_id, "Status": "CREATE_COMPLETE"}).encode()
    base = engine.receiver.local_base_url
    last = "A" if launch.token[-1] != "A" else "B"
    forged = [launch.token[:-1] + last, launch.token.swapcase(), "x" * 43, launch.token + "x"]
    assert launch.token not in forged
    for token in forged:
        assert await post(f"{base}/hooks/{token}", body) == 404
    assert engine.receiver.stats.unknown_token == len(forged)
    refusals = [r for r in caplog.records if "unknown token" in r.getMessage()]
    assert len(refusals) == len(forged)  # the verdict for these is the log line and counter
    await engine.tracker.settle()
    recorded = await engine.store.recent_callbacks(100)
    assert all(c.token == launch.token for c in recorded)  # nothing stored for forgeries

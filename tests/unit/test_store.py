"""Unit tests for the SQLite history: schema and migrations, round trips, search, the
exactly-once announcement gate under races, callback bookkeeping, and AsyncStore."""

from __future__ import annotations

import asyncio
import collections
import inspect
import json
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from rostray.core import store as store_mod
from rostray.core.store import (
    APPLICATION_ID,
    REDACTED,
    SCHEMA_VERSION,
    AsyncStore,
    CallbackRow,
    Launch,
    SchemaTooNewError,
    Store,
    StoreError,
    UnknownStackError,
)
from rostray.core.walcheckpoint import JOURNAL_SIZE_LIMIT

TOKEN = "tok-" + "a" * 60


class FakeClock:
    """Deterministic time: each reading is one second after the previous one."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "nested" / "history.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store.open(db_path, clock=FakeClock()) as st:
        yield st


def launch_fields(n: int = 1, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "stack_id": f"stack-{n:04d}-uuid",
        "stack_name": f"demo-{n}",
        "region": "cn-hangzhou",
        "endpoint": "127.0.0.1:8765",
        "sandbox": True,
        "token": f"{TOKEN}-{n}",
        "notification_url": f"https://tunnel.example/hooks/{TOKEN}-{n}",
        "request": {"template": "wait.yaml", "parameters": {"Password": "******"}},
    }
    return fields | overrides


def raw(path: Path, sql: str) -> Any:
    """Read a value with a plain sqlite3 connection, independent of Store."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


# -- schema, pragmas, migrations ---------------------------------------------------------


def test_open_creates_directories_and_a_wal_database(store: Store, db_path: Path) -> None:
    assert db_path.is_file()
    assert raw(db_path, "PRAGMA journal_mode") == "wal"
    assert raw(db_path, "PRAGMA user_version") == SCHEMA_VERSION >= 1
    assert raw(db_path, "PRAGMA application_id") == APPLICATION_ID


def test_connection_pragmas(store: Store) -> None:
    conn = store._connection()  # white box: these settings are invisible from outside
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == store_mod.BUSY_TIMEOUT_MS


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_new_file_is_private(store: Store, db_path: Path) -> None:
    assert db_path.stat().st_mode & 0o777 == 0o600


def test_migrates_an_empty_v0_file(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.touch()
    with Store.open(db_path) as st:
        st.add_launch(**launch_fields())
    assert raw(db_path, "PRAGMA user_version") == SCHEMA_VERSION


def test_reopen_keeps_data_and_version(db_path: Path) -> None:
    with Store.open(db_path) as st:
        st.add_launch(**launch_fields())
    with Store.open(db_path) as st:
        assert st.get_by_stack("stack-0001-uuid") is not None
    assert raw(db_path, "PRAGMA user_version") == SCHEMA_VERSION


def test_later_migrations_apply_in_order_and_keep_data(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(db_path) as st:
        st.add_launch(**launch_fields())
    extra = (
        ("CREATE TABLE extra (x INTEGER)", "INSERT INTO extra VALUES (1)"),
        ("UPDATE extra SET x = x + 1",),
    )
    monkeypatch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS + extra)
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", SCHEMA_VERSION + 2)
    with Store.open(db_path) as st:
        assert st.get_by_stack("stack-0001-uuid") is not None
    assert raw(db_path, "PRAGMA user_version") == SCHEMA_VERSION + 2
    assert raw(db_path, "SELECT x FROM extra") == 2


def test_failed_migration_leaves_nothing_behind(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_mod, "MIGRATIONS", (*store_mod.MIGRATIONS, ("CREATE TABLE (",)))
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError, match=r"history\.db"):
        Store.open(db_path)
    assert raw(db_path, "PRAGMA user_version") == 0
    assert raw(db_path, "SELECT count(*) FROM sqlite_master") == 0


def test_newer_schema_is_refused(db_path: Path) -> None:
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError) as info:
        Store.open(db_path)
    message = str(info.value)
    assert str(db_path) in message
    assert "newer rostray" in message
    assert f"v{SCHEMA_VERSION + 1}" in message


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


def _header_then_garbage(path: Path) -> None:
    with Store.open(path) as st:
        for n in range(50):
            st.add_launch(**launch_fields(n))
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    data = bytearray(path.read_bytes())
    data[100:] = b"\xde\xad\xbe\xef" * ((len(data) - 100) // 4)
    path.write_bytes(bytes(data))


def _a_directory(path: Path) -> None:
    path.mkdir()


def _foreign_application(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.close()


def _foreign_tables(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.close()


@pytest.mark.parametrize(
    "spoil",
    [_garbage, _header_then_garbage, _a_directory, _foreign_application, _foreign_tables],
)
def test_unusable_file_is_a_clear_store_error(db_path: Path, spoil: Any) -> None:
    db_path.parent.mkdir(parents=True)
    spoil(db_path)
    with pytest.raises(StoreError) as info:
        Store.open(db_path)
    assert str(db_path) in str(info.value)
    assert not isinstance(info.value, sqlite3.Error)


# -- launches --------------------------------------------------------------------------


def test_launch_round_trip_of_every_field(store: Store) -> None:
    request = {
        "template": {"name": "网站.yaml", "sha256": "ab" * 32},
        "parameters": {"Name": "中文", "Password": "******", "Count": 3},
        "timeout": 60,
        "rollback": False,
        "tags": [{"Key": "team", "Value": "ops"}],
    }
    outputs = [{"OutputKey": "Url", "OutputValue": "http://x", "Description": "站点"}]
    added = store.add_launch(
        **launch_fields(
            request=request,
            operation="CREATE",
            status="CREATE_IN_PROGRESS",
            status_reason="Stack CREATE started",
            outputs=outputs,
            created_at=42.5,
        )
    )
    expected = Launch(
        id=added.id,
        stack_id="stack-0001-uuid",
        stack_name="demo-1",
        region="cn-hangzhou",
        endpoint="127.0.0.1:8765",
        sandbox=True,
        token=f"{TOKEN}-1",
        notification_url=f"https://tunnel.example/hooks/{TOKEN}-1",
        request_json=json.dumps(request),
        operation="CREATE",
        status="CREATE_IN_PROGRESS",
        status_reason="Stack CREATE started",
        outputs_json=json.dumps(outputs),
        created_at=42.5,
        updated_at=1_001.0,
        finished_at=None,
        announced=[],
        polling=False,
        operation_seq=1,
    )
    assert added == expected
    assert store.get_by_token(f"{TOKEN}-1") == expected
    assert store.get_by_stack("stack-0001-uuid") == expected
    assert (expected.request, expected.outputs) == (request, outputs)
    assert store.get_by_token("nope") is None
    assert store.get_by_stack("nope") is None


def test_a_launch_decodes_its_request_and_outputs_only_when_asked(store: Store) -> None:
    """The tracker reads a launch for every callback it verifies and never looks at the
    request, which holds the whole template; decoding it took the event loop ~0.1-0.3 ms."""
    template = "ROSTemplateFormatVersion: '2015-09-01'\n" + "# padding\n" * 4_000
    added = store.add_launch(**launch_fields(request={"template_body": template}))
    launch = store.get_by_stack(added.stack_id)
    assert launch is not None and launch.status == added.status
    assert "request" not in vars(launch) and "outputs" not in vars(launch)
    assert launch.request == {"template_body": template} and launch.outputs == []
    assert launch.request is launch.request  # decoded once


def test_the_trackers_read_of_a_launch_leaves_its_request_out(store: Store) -> None:
    added = store.add_launch(**launch_fields())
    lean = store.get_by_stack(added.stack_id, with_request=False)
    assert lean is not None and lean.request_json is None
    assert (lean.stack_name, lean.operation_seq, lean.outputs) == ("demo-1", 1, [])
    with pytest.raises(LookupError, match="without its request"):
        lean.request  # noqa: B018 - a read that must fail, not answer {}
    assert store.get_by_stack(added.stack_id, with_request=False) == lean
    assert store.get_by_stack("nope", with_request=False) is None
    assert store.history(with_request=False) == [lean]
    assert store.history(search="demo", with_request=False) == [lean]
    assert store.history()[0].request == added.request


def test_defaults_and_real_endpoint(store: Store) -> None:
    launch = store.add_launch(
        **launch_fields(endpoint="ros.aliyuncs.com", sandbox=False, request=None)
    )
    assert launch.sandbox is False
    assert launch.endpoint == "ros.aliyuncs.com"
    assert launch.request == {}
    assert launch.outputs == []
    assert launch.created_at == launch.updated_at


def test_repr_never_shows_the_token(store: Store) -> None:
    launch = store.add_launch(**launch_fields())
    assert TOKEN not in repr(launch)


def test_duplicate_launch_is_refused_without_echoing_the_token(store: Store) -> None:
    store.add_launch(**launch_fields())
    with pytest.raises(StoreError) as info:
        store.add_launch(**launch_fields(token="other"))
    assert TOKEN not in str(info.value)
    with pytest.raises(StoreError):
        store.add_launch(**launch_fields(stack_id="other"))
    assert len(store.history()) == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda st: st.update_status("ghost", "CREATE_COMPLETE", ""),
        lambda st: st.begin_operation("ghost", "UPDATE", "UPDATE_IN_PROGRESS"),
        lambda st: st.announce("ghost", "CREATE_COMPLETE", "", []),
        lambda st: st.set_polling("ghost", True),
    ],
)
def test_writes_to_unknown_stacks_raise(store: Store, call: Any) -> None:
    with pytest.raises(UnknownStackError):
        call(store)


def test_update_status_keeps_outputs_unless_given(store: Store) -> None:
    first = store.add_launch(**launch_fields(outputs=[{"OutputKey": "A"}]))
    store.update_status(first.stack_id, "CREATE_IN_PROGRESS", "resource 2/3")
    launch = store.get_by_stack(first.stack_id)
    assert launch is not None
    assert (launch.status, launch.status_reason) == ("CREATE_IN_PROGRESS", "resource 2/3")
    assert launch.outputs == [{"OutputKey": "A"}]
    assert launch.updated_at > first.updated_at
    assert launch.finished_at is None
    store.update_status(first.stack_id, "CREATE_IN_PROGRESS", "", outputs=[])
    assert store.get_by_stack(first.stack_id).outputs == []  # type: ignore[union-attr]


def test_set_polling_round_trip(store: Store) -> None:
    launch = store.add_launch(**launch_fields())
    store.set_polling(launch.stack_id, True)
    assert store.get_by_stack(launch.stack_id).polling is True  # type: ignore[union-attr]
    store.set_polling(launch.stack_id, False)
    assert store.get_by_stack(launch.stack_id).polling is False  # type: ignore[union-attr]


def test_history_is_newest_first_with_paging(store: Store) -> None:
    for n in range(5):
        store.add_launch(**launch_fields(n))
    store.add_launch(**launch_fields(9, created_at=0.0))  # oldest despite being added last
    names = [launch.stack_name for launch in store.history()]
    assert names == ["demo-4", "demo-3", "demo-2", "demo-1", "demo-0", "demo-9"]
    assert [x.stack_name for x in store.history(limit=2, offset=1)] == ["demo-3", "demo-2"]
    assert store.history(limit=0) == []
    with pytest.raises(ValueError):
        store.history(limit=-1)


def test_history_ties_break_by_insertion(store: Store) -> None:
    for n in range(3):
        store.add_launch(**launch_fields(n, created_at=5.0))
    assert [x.stack_name for x in store.history()] == ["demo-2", "demo-1", "demo-0"]


def test_history_search_is_case_insensitive_across_name_id_and_status(store: Store) -> None:
    store.add_launch(**launch_fields(1, stack_name="WebSite"))
    store.add_launch(**launch_fields(2, stack_name="db", stack_id="ABC-def"))
    store.add_launch(**launch_fields(3, stack_name="cache"))
    store.announce("stack-0003-uuid", "CREATE_FAILED", "boom", None)
    assert [x.stack_name for x in store.history(search="website")] == ["WebSite"]
    assert [x.stack_name for x in store.history(search="abc-DEF")] == ["db"]
    assert [x.stack_name for x in store.history(search="failed")] == ["cache"]
    assert len(store.history(search="")) == 3
    assert len(store.history(search=None)) == 3


@pytest.mark.parametrize(
    ("needle", "expected"),
    # Every status here is CREATE_IN_PROGRESS, so underscore needles avoid "E_I" and "_P".
    [("%", ["a%b"]), ("_b", ["a_b"]), ("\\", ["a\\b"]), ("A%B", ["a%b"]), ("a_", ["a_b"])],
)
def test_history_search_treats_wildcards_literally(
    store: Store, needle: str, expected: list[str]
) -> None:
    for n, name in enumerate(["a%b", "a_b", "axb", "a\\b"]):
        store.add_launch(**launch_fields(n, stack_name=name, stack_id=f"id{n}"))
    assert [x.stack_name for x in store.history(search=needle)] == expected


# -- the exactly-once gate ------------------------------------------------------------


def test_announce_exactly_once(store: Store) -> None:
    launch = store.add_launch(**launch_fields())
    outputs = [{"OutputKey": "Url", "OutputValue": "http://x", "Description": ""}]
    assert store.announce(launch.stack_id, "CREATE_COMPLETE", "done", outputs) is True
    assert store.announce(launch.stack_id, "CREATE_COMPLETE", "again", []) is False
    after = store.get_by_stack(launch.stack_id)
    assert after is not None
    assert (after.status, after.status_reason, after.outputs) == (
        "CREATE_COMPLETE",
        "done",
        outputs,
    )
    assert after.finished_at is not None
    assert after.announced == ["CREATE_COMPLETE"]
    assert store.unfinished() == []


def test_announce_without_outputs_keeps_stored_ones(store: Store) -> None:
    launch = store.add_launch(**launch_fields(outputs=[{"OutputKey": "A"}]))
    assert store.announce(launch.stack_id, "CREATE_COMPLETE", "", None)
    assert store.get_by_stack(launch.stack_id).outputs == [{"OutputKey": "A"}]  # type: ignore[union-attr]


def test_distinct_terminal_statuses_of_one_operation_each_announce_once(store: Store) -> None:
    launch = store.add_launch(**launch_fields())
    assert store.announce(launch.stack_id, "CREATE_FAILED", "boom", None)
    assert store.announce(launch.stack_id, "ROLLBACK_COMPLETE", "rolled back", None)
    assert not store.announce(launch.stack_id, "CREATE_FAILED", "boom", None)
    assert store.get_by_stack(launch.stack_id).announced == [  # type: ignore[union-attr]
        "CREATE_FAILED",
        "ROLLBACK_COMPLETE",
    ]


def test_each_new_operation_may_announce_again(store: Store) -> None:
    launch = store.add_launch(**launch_fields())
    sid = launch.stack_id
    assert store.announce(sid, "CREATE_COMPLETE", "", None)
    for round_ in range(2):  # two separate updates may both end UPDATE_COMPLETE
        begun = store.begin_operation(sid, "UPDATE", "UPDATE_IN_PROGRESS")
        assert begun.operation == "UPDATE"
        assert begun.operation_seq == 2 + round_
        assert begun.finished_at is None
        assert begun.status_reason == ""
        assert [x.stack_id for x in store.unfinished()] == [sid]
        assert store.announce(sid, "UPDATE_COMPLETE", "", None)
        assert not store.announce(sid, "UPDATE_COMPLETE", "", None)
    store.begin_operation(sid, "DELETE", "DELETE_IN_PROGRESS")
    assert store.announce(sid, "DELETE_COMPLETE", "", None)
    final = store.get_by_stack(sid)
    assert final is not None
    assert final.announced == [
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_COMPLETE",
        "DELETE_COMPLETE",
    ]
    assert (final.operation, final.status, final.operation_seq) == ("DELETE", "DELETE_COMPLETE", 4)


def test_gate_survives_reopening(db_path: Path) -> None:
    with Store.open(db_path) as st:
        st.add_launch(**launch_fields())
        assert st.announce("stack-0001-uuid", "CREATE_COMPLETE", "", None)
    with Store.open(db_path) as st:
        assert not st.announce("stack-0001-uuid", "CREATE_COMPLETE", "", None)


def test_eight_threads_on_two_connections_announce_exactly_once(db_path: Path) -> None:
    stores = [Store.open(db_path), Store.open(db_path)]
    sid = stores[0].add_launch(**launch_fields()).stack_id
    rounds, workers = 20, 8
    barrier = threading.Barrier(workers)
    results: list[list[bool]] = [[] for _ in range(rounds)]
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        st = stores[index % 2]
        try:
            for round_ in range(rounds):
                barrier.wait()
                if index == 0 and round_:
                    st.begin_operation(sid, "UPDATE", "UPDATE_IN_PROGRESS")
                barrier.wait()
                status = "CREATE_COMPLETE" if round_ == 0 else "UPDATE_COMPLETE"
                results[round_].append(st.announce(sid, status, f"by {index}", None))
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert not errors
        assert [r.count(True) for r in results] == [1] * rounds
        assert all(len(r) == workers for r in results)
        final = stores[1].get_by_stack(sid)
        assert final is not None
        assert final.announced == ["CREATE_COMPLETE"] + ["UPDATE_COMPLETE"] * (rounds - 1)
    finally:
        for st in stores:
            st.close()


# -- unfinished and begin_operation ----------------------------------------------------


def test_unfinished_lists_open_stacks_oldest_first(store: Store) -> None:
    for n in range(3):
        store.add_launch(**launch_fields(n))
    store.announce("stack-0001-uuid", "CREATE_COMPLETE", "", None)
    assert [x.stack_id for x in store.unfinished()] == ["stack-0000-uuid", "stack-0002-uuid"]


def test_begin_operation_with_new_url_clears_polling(store: Store) -> None:
    launch = store.add_launch(**launch_fields())
    store.set_polling(launch.stack_id, True)
    kept = store.begin_operation(launch.stack_id, "UPDATE", "UPDATE_IN_PROGRESS")
    assert kept.polling is True
    assert kept.notification_url == launch.notification_url
    moved = store.begin_operation(
        launch.stack_id, "UPDATE", "UPDATE_IN_PROGRESS", notification_url="https://new/hooks/t"
    )
    assert moved.polling is False
    assert moved.notification_url == "https://new/hooks/t"
    assert moved.token == launch.token


# -- callbacks -------------------------------------------------------------------------


def test_callback_round_trip_keeps_raw_bytes(store: Store) -> None:
    body = b'{"StackId": "x", "Status": "CREATE_COMPLETE"}\xff\xfe\x00\xc3('
    headers = {
        "Content-Type": "application/json",
        "X-Note": "中文 value",
        "X-Odd": "bad\udcff byte",  # how aiohttp surfaces undecodable header bytes
    }
    cid = store.record_callback(TOKEN, None, "203.0.113.7:5555", headers, body)
    [cb] = store.recent_callbacks(10)
    assert cb.id == cid
    assert cb.token == TOKEN
    assert cb.stack_id is None
    assert cb.remote == "203.0.113.7:5555"
    assert cb.headers == headers
    assert list(cb.headers) == list(headers)
    assert cb.body == body
    assert isinstance(cb.body, bytes)
    assert (cb.verdict, cb.detail) == ("pending", "")
    assert cb.received_at == 1_001.0
    assert TOKEN not in repr(cb)
    assert store.set_verdict(cid, "announced", "GetStack confirmed CREATE_COMPLETE")
    [cb] = store.recent_callbacks(10)
    assert (cb.verdict, cb.detail) == ("announced", "GetStack confirmed CREATE_COMPLETE")


def test_empty_body_and_explicit_verdict(store: Store) -> None:
    store.record_callback("t", "s", "r", {}, b"", verdict="invalid", detail="empty body")
    [cb] = store.recent_callbacks(1)
    assert (cb.body, cb.verdict, cb.detail) == (b"", "invalid", "empty body")


def test_sensitive_headers_are_redacted(store: Store) -> None:
    headers = {
        "authorization": "Bearer secret-1",
        "Cookie": "session=secret-2",
        "PROXY-AUTHORIZATION": "Basic secret-3",
        "User-Agent": "ros-notifier",
        "X-Authorization-Hint": "kept",
    }
    store.record_callback(TOKEN, "s", "r", headers, b"{}")
    [cb] = store.recent_callbacks(1)
    assert cb.headers == {
        "authorization": REDACTED,
        "Cookie": REDACTED,
        "PROXY-AUTHORIZATION": REDACTED,
        "User-Agent": "ros-notifier",
        "X-Authorization-Hint": "kept",
    }
    conn = store._connection()
    stored = conn.execute("SELECT headers FROM callbacks").fetchone()[0]
    assert "secret" not in stored


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Host": "127.0.0.1:8080", "Content-Type": "application/json", "Content-Length": "12"},
        {"X-Quote": 'a "b" \\ c', "X-Control": "tab\there\nline", "X-Name": "名字 ✓"},
        {"X-Lone": "bad \udcff byte"},  # an undecodable header byte, as aiohttp hands it over
        {"X-Number": 7, "X-None": None},  # not text: the general encoder
    ],
)
def test_the_headers_column_is_what_json_dumps_writes(store: Store, headers: dict) -> None:
    assert store_mod._dump_headers(headers) == json.dumps(headers)
    store.record_callback(TOKEN, "s", "r", headers, b"{}")
    stored = store._connection().execute("SELECT headers FROM callbacks").fetchone()[0]
    assert stored == json.dumps(headers) and stored.isascii()


def test_callbacks_for_matches_token_or_claimed_stack(store: Store) -> None:
    mine = store.add_launch(**launch_fields(1))
    other = store.add_launch(**launch_fields(2))
    a = store.record_callback(mine.token, mine.stack_id, "r", {}, b"a")
    b = store.record_callback(mine.token, "forged-id", "r", {}, b"b", verdict="mismatch")
    c = store.record_callback("unknown", mine.stack_id, "r", {}, b"c", verdict="unknown-token")
    store.record_callback(other.token, other.stack_id, "r", {}, b"d")
    assert [x.id for x in store.callbacks_for(mine.stack_id)] == [c, b, a]
    assert [x.id for x in store.callbacks_for(mine.stack_id, limit=1)] == [c]
    assert [x.body for x in store.callbacks_for(other.stack_id)] == [b"d"]
    assert [x.id for x in store.callbacks_for("forged-id")] == [b]
    assert len(store.recent_callbacks(3)) == 3


def test_a_group_of_rows_and_verdicts_lands_row_by_row(store: Store) -> None:
    """Groups go in as multi-row statements (32/8/1): every row, in order, with its values;
    a verdict for a pruned row is False without failing its neighbours; one callback given
    two verdicts in a group keeps the last."""
    rows = [CallbackRow(f"t{n}", f"s{n}", "r", {"H": str(n)}, bytes([n])) for n in range(43)]
    assert "t7" not in repr(rows[7]) and "s7" in repr(rows[7])  # a token is a capability
    ids = store.record_callbacks(rows)
    assert ids == list(range(ids[0], ids[0] + 43))
    stored = {cb.id: cb for cb in store.recent_callbacks(100)}
    assert [(stored[i].token, stored[i].body, stored[i].headers) for i in ids] == [
        (f"t{n}", bytes([n]), {"H": str(n)}) for n in range(43)
    ]
    store.prune_callbacks(40)  # the first three are gone
    verdicts = [(i, "duplicate", f"d{i}") for i in ids]
    assert store.set_verdicts(verdicts) == [False] * 3 + [True] * 40
    assert store.set_verdicts([(ids[-1], "pending", ""), (ids[-1], "confirmed", "last")]) == [
        True,
        True,
    ]
    latest = {cb.id: (cb.verdict, cb.detail) for cb in store.recent_callbacks(100)}
    assert latest[ids[-1]] == ("confirmed", "last")
    assert latest[ids[10]] == ("duplicate", f"d{ids[10]}")


def test_prune_keeps_the_newest(store: Store) -> None:
    ids = [store.record_callback("t", None, "r", {}, bytes([n])) for n in range(10)]
    assert store.prune_callbacks(3) == 7
    assert [x.id for x in store.recent_callbacks(100)] == ids[:-4:-1]
    assert store.prune_callbacks(3) == 0
    assert store.set_verdict(ids[0], "announced") is False
    assert store.prune_callbacks(0) == 3
    assert store.recent_callbacks(100) == []
    with pytest.raises(ValueError):
        store.prune_callbacks(-1)


def test_closed_store_raises(db_path: Path) -> None:
    st = Store.open(db_path)
    st.close()
    st.close()
    with pytest.raises(StoreError, match="closed"):
        st.history()
    with pytest.raises(StoreError, match="closed"):
        st.add_launch(**launch_fields())


# -- pending launches (v2) --------------------------------------------------------------


def pending_fields(n: int = 1, **overrides: Any) -> dict[str, Any]:
    fields = launch_fields(n) | {"client_token": f"ct-{n:04d}"}
    del fields["stack_id"]
    return fields | overrides


@contextmanager
def opened_at_version(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, version: int
) -> Iterator[Store]:
    """The history as an older rostray (schema ``version``) would create and write it."""
    with monkeypatch.context() as patch:
        patch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS[:version])
        patch.setattr(store_mod, "SCHEMA_VERSION", version)
        with Store.open(db_path) as st:
            yield st


def add_old_launch(st: Store, n: int = 1) -> dict[str, Any]:
    """A launch as rostray wrote it before schema v4: the request in the launches row."""
    f = launch_fields(n)
    f["request"] = {**f["request"], "n": n}
    with st._write() as conn:
        conn.execute(
            """INSERT INTO launches (stack_id, stack_name, region, endpoint, sandbox, token,
                notification_url, request, operation, status, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'CREATE', 'CREATE_IN_PROGRESS', 1.0, 1.0)""",
            (
                f["stack_id"], f["stack_name"], f["region"], f["endpoint"], int(f["sandbox"]),
                f["token"], f["notification_url"], json.dumps(f["request"]),
            ),
        )  # fmt: skip
    return f


def test_a_v1_history_migrates_to_v2_and_keeps_its_launches(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with opened_at_version(db_path, monkeypatch, 1) as st:
        add_old_launch(st)
    assert raw(db_path, "PRAGMA user_version") == 1
    with Store.open(db_path) as st:
        assert st.get_by_stack("stack-0001-uuid").stack_name == "demo-1"
        st.add_pending(**pending_fields(2))
        assert [p.client_token for p in st.pending_launches()] == ["ct-0002"]
    assert raw(db_path, "PRAGMA user_version") == SCHEMA_VERSION


def test_a_v2_history_migrates_to_v3_and_still_finds_callbacks_by_stack_and_token(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with opened_at_version(db_path, monkeypatch, 2) as st:
        launch = add_old_launch(st)
        by_token = st.record_callback(launch["token"], None, "r", {}, b"{}")
        by_claim = st.record_callback("other-token", launch["stack_id"], "r", {}, b"{}")
        st.record_callback("other-token", "other-stack", "r", {}, b"{}")
    assert raw(db_path, "PRAGMA user_version") == 2
    with Store.open(db_path) as st:
        assert [c.id for c in st.callbacks_for(launch["stack_id"])] == [by_claim, by_token]
    assert raw(db_path, "PRAGMA user_version") == SCHEMA_VERSION
    assert raw(db_path, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'callbacks_%'") == 0


def test_a_v3_history_migrates_to_v4_with_each_request_in_its_own_table(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with opened_at_version(db_path, monkeypatch, 3) as st:
        first, second = add_old_launch(st, 1), add_old_launch(st, 2)
    assert raw(db_path, "PRAGMA user_version") == 3
    with Store.open(db_path) as st:
        assert [x.request for x in st.history()] == [second["request"], first["request"]]
        lean = st.get_by_stack(first["stack_id"], with_request=False)
        assert lean is not None and lean.stack_name == first["stack_name"]
    assert raw(db_path, "PRAGMA user_version") == SCHEMA_VERSION == 4
    assert raw(db_path, "SELECT count(*) FROM launch_requests") == 2
    assert raw(db_path, "SELECT count(*) FROM launches WHERE request != '{}'") == 0  # emptied


async def test_async_store_checkpoints_the_wal_off_the_commit_path(db_path: Path) -> None:
    """Commits of the AsyncStore never checkpoint; its own thread copies the WAL into the
    database once the WAL passes SQLite's usual 1,000 pages, and the WAL shrinks again."""
    async with await AsyncStore.open(db_path) as st:
        assert st.store._connection().execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        body = os.urandom(64 * 1024)  # the receiver's cap
        for _ in range(80):  # 5 MiB, more than the 4 MiB threshold
            await st.record_callback(TOKEN, "s", "r", {}, body)
        deadline = time.monotonic() + 10
        while db_path.stat().st_size < 3 * 1024 * 1024 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert db_path.stat().st_size >= 3 * 1024 * 1024  # the pages reached the database
        wal, small = Path(f"{db_path}-wal"), 0
        while wal.stat().st_size > JOURNAL_SIZE_LIMIT and time.monotonic() < deadline:
            # The first write after a complete checkpoint truncates the WAL; each write pokes.
            await st.record_callback(TOKEN, "s", "r", {}, b"{}")
            small += 1
            await asyncio.sleep(0.01)
        assert wal.stat().st_size <= JOURNAL_SIZE_LIMIT
    assert len(Store.open(db_path).recent_callbacks(1000)) == 80 + small


def test_bind_pending_turns_it_into_a_launch_once(store: Store) -> None:
    pending = store.add_pending(**pending_fields(created_at=500.0))
    assert "tok-" not in repr(pending)
    launch = store.bind_pending("ct-0001", "stack-1")
    assert (launch.stack_id, launch.status, launch.operation) == (
        "stack-1",
        "CREATE_IN_PROGRESS",
        "CREATE",
    )
    assert (launch.token, launch.created_at, launch.request) == (
        pending.token,
        500.0,
        pending.request,
    )
    assert store.pending_launches() == []
    assert store.unfinished() == [launch]
    again = store.bind_pending("ct-0001", "stack-1")  # another process bound it first
    assert again.id == launch.id
    with pytest.raises(UnknownStackError):
        store.bind_pending("ct-unknown", "stack-2")


def test_pending_tokens_and_client_tokens_are_unique(store: Store) -> None:
    store.add_pending(**pending_fields())
    with pytest.raises(StoreError) as info:
        store.add_pending(**pending_fields(client_token="ct-other"))
    assert TOKEN not in str(info.value)
    with pytest.raises(StoreError):
        store.add_pending(**pending_fields(2, client_token="ct-0001"))


def test_drop_pending(store: Store) -> None:
    store.add_pending(**pending_fields())
    assert store.drop_pending("ct-0001")
    assert not store.drop_pending("ct-0001")
    assert store.pending_launches() == []


def test_never_created_is_history_not_a_running_stack(store: Store) -> None:
    store.add_pending(**pending_fields())
    launch = store.mark_never_created("ct-0001", "no stack has this launch's tag")
    assert launch is not None
    assert launch.status == store_mod.NEVER_CREATED and launch.finished_at is not None
    assert launch.status_reason == "no stack has this launch's tag"
    assert store.unfinished() == [] and store.pending_launches() == []
    assert store.history() == [launch]
    assert launch.announced == []  # nothing was announced: no result exists
    assert store.mark_never_created("ct-0001", "again") is None
    revived = store.bind_pending("ct-0001", "stack-late")  # it existed after all
    assert (revived.id, revived.stack_id, revived.finished_at) == (launch.id, "stack-late", None)


def test_restore_operation_undoes_a_refused_begin(store: Store) -> None:
    store.add_launch(**launch_fields())
    store.announce("stack-0001-uuid", "CREATE_COMPLETE", "done")
    before = store.get_by_stack("stack-0001-uuid")
    store.begin_operation("stack-0001-uuid", "UPDATE", "UPDATE_IN_PROGRESS")
    assert store.restore_operation(before)
    after = store.get_by_stack("stack-0001-uuid")
    assert (after.operation, after.operation_seq, after.status, after.finished_at) == (
        "CREATE",
        1,
        "CREATE_COMPLETE",
        before.finished_at,
    )
    assert not store.restore_operation(before)  # nothing begun since: nothing to undo
    store.begin_operation("stack-0001-uuid", "UPDATE", "UPDATE_IN_PROGRESS")
    assert store.announce("stack-0001-uuid", "UPDATE_COMPLETE", "")
    assert not store.restore_operation(before)  # announced: it happened, keep it
    assert store.get_by_stack("stack-0001-uuid").operation == "UPDATE"


def test_supersede_pending_callbacks(store: Store) -> None:
    old = store.record_callback(TOKEN, "s", "127.0.0.1", {}, b"{}")
    done = store.record_callback(TOKEN, "s", "127.0.0.1", {}, b"{}", verdict="confirmed")
    cutoff = store._clock()
    new = store.record_callback(TOKEN, "s", "127.0.0.1", {}, b"{}")
    assert store.supersede_pending(cutoff, "verified by reconcile") == 1
    verdicts = {c.id: (c.verdict, c.detail) for c in store.recent_callbacks()}
    assert verdicts[old] == ("superseded", "verified by reconcile")
    assert verdicts[done] == ("confirmed", "")
    assert verdicts[new] == ("pending", "")


# -- AsyncStore ------------------------------------------------------------------------


@pytest.fixture
async def astore(db_path: Path) -> Any:
    async with await AsyncStore.open(db_path, clock=FakeClock()) as st:
        yield st


def test_async_store_wraps_every_public_store_method() -> None:
    public = {
        name
        for name, member in inspect.getmembers(Store, inspect.isfunction)
        if not name.startswith("_") and name not in {"open", "close", "defer_checkpoints"}
    }
    missing = {name for name in public if not hasattr(AsyncStore, name)}
    assert not missing


async def test_a_big_group_wakes_its_callers_a_chunk_per_loop_iteration(
    astore: AsyncStore,
) -> None:
    loop = asyncio.get_running_loop()
    iteration, running = 0, True

    def tick() -> None:
        nonlocal iteration
        iteration += 1
        if running:
            loop.call_soon(tick)

    tick()
    woken: collections.Counter[int] = collections.Counter()
    futures = [astore.record_callback(TOKEN, "s", "r", {}, b"{}") for _ in range(200)]
    for future in futures:
        future.add_done_callback(lambda _: woken.update([iteration]))
    ids = await asyncio.gather(*futures)
    running = False
    assert len(set(ids)) == 200  # every write made, in one or two commits
    assert max(woken.values()) <= store_mod.ANSWER_CHUNK < 100  # never all 199 at once


async def test_point_reads_never_wait_for_the_worker(astore: AsyncStore) -> None:
    """They read the last commit on the loop's own connection: a busy worker (a burst's
    group commit) does not hold up the tracker's lookup before its GetStack."""
    launch = await astore.add_launch(**launch_fields())
    trips = astore.trips
    assert await astore.get_by_stack(launch.stack_id) == launch
    assert await astore.get_by_token(launch.token) == launch
    assert astore.trips == trips  # read here, no hand-off
    release = threading.Event()
    blocked = asyncio.ensure_future(astore.run(lambda st: release.wait(10)))
    await asyncio.sleep(0.05)
    update = asyncio.ensure_future(astore.update_status(launch.stack_id, "CREATE_FAILED", "x"))
    seen = await asyncio.wait_for(astore.get_by_stack(launch.stack_id), 1)
    assert seen is not None and seen.status == launch.status  # the last commit, not the queue
    release.set()
    await asyncio.gather(blocked, update)
    seen = await astore.get_by_stack(launch.stack_id)
    assert seen is not None and seen.status == "CREATE_FAILED"


async def test_the_gate_runs_on_the_loop_only_when_nothing_is_queued(
    astore: AsyncStore,
) -> None:
    first = await astore.add_launch(**launch_fields(1))
    second = await astore.add_launch(**launch_fields(2))
    trips = astore.trips
    assert await astore.announce(first.stack_id, "CREATE_COMPLETE", "", None)
    assert astore.trips == trips  # idle worker: written on the loop
    # A callback row queued before it must be committed before it: the gate waits its turn.
    release, held = await _with_worker_held(astore)
    row = astore.record_callback(second.token, second.stack_id, "r", {}, b"{}")
    gate = asyncio.ensure_future(astore.announce(second.stack_id, "CREATE_COMPLETE", "", None))
    await asyncio.sleep(0.05)
    assert not gate.done()
    release.set()
    await held
    assert await gate and await row
    assert astore.trips > trips
    # Another connection holding SQLite's write lock: no wait on the loop, the worker's way.
    other = sqlite3.connect(astore.store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    third = asyncio.ensure_future(astore.announce(first.stack_id, "DELETE_COMPLETE", "", None))
    await asyncio.sleep(0.05)
    assert not third.done()  # waiting on the worker (busy_timeout), not blocking the loop
    other.execute("COMMIT")
    other.close()
    await third
    assert (await astore.get_by_stack(first.stack_id)).announced == [
        "CREATE_COMPLETE",
        "DELETE_COMPLETE",
    ]


async def test_an_announcement_past_rows_passes_queued_rows_but_nothing_else(
    astore: AsyncStore,
) -> None:
    first = await astore.add_launch(**launch_fields(1))
    second = await astore.add_launch(**launch_fields(2))
    rows = [astore.record_callback(second.token, second.stack_id, "r", {}, b"{}") for _ in "ab"]
    trips = astore.trips
    assert await astore.announce_past_rows(first.stack_id, "CREATE_COMPLETE", "", None)
    assert astore.trips == trips and not any(row.done() for row in rows)  # passed them
    assert len(set(await asyncio.gather(*rows))) == 2
    # Anything but rows and verdicts on the worker (here a call holding it): it waits.
    release, held = await _with_worker_held(astore)
    gate = asyncio.ensure_future(
        astore.announce_past_rows(second.stack_id, "CREATE_COMPLETE", "", None)
    )
    await asyncio.sleep(0.05)
    assert not gate.done()
    release.set()
    await held
    assert await gate
    assert astore.trips > trips


async def test_async_round_trip(astore: AsyncStore) -> None:
    launch = await astore.add_launch(**launch_fields())
    assert await astore.get_by_token(launch.token) == launch
    assert await astore.announce(launch.stack_id, "CREATE_COMPLETE", "", None) is True
    assert await astore.announce(launch.stack_id, "CREATE_COMPLETE", "", None) is False
    cid = await astore.record_callback(launch.token, launch.stack_id, "r", {}, b"\xff")
    await astore.set_verdict(cid, "duplicate")
    [cb] = await astore.callbacks_for(launch.stack_id)
    assert (cb.body, cb.verdict) == (b"\xff", "duplicate")
    assert [x.stack_id for x in await astore.history(search="demo")] == [launch.stack_id]
    assert await astore.unfinished() == []
    assert astore.announce.__name__ == "announce"


async def test_async_store_does_not_block_the_loop(astore: AsyncStore) -> None:
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    def slow(st: Store, seconds: float) -> str:
        time.sleep(seconds)  # stands in for a slow disk
        return st.path.name

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    assert await astore.run(slow, 0.4) == "history.db"
    stop.set()
    await task
    assert ticks >= 10


async def test_async_store_serializes_calls_on_one_thread(astore: AsyncStore) -> None:
    active, peak, order, threads = 0, 0, [], set()
    lock = threading.Lock()

    def job(st: Store, n: int) -> int:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        threads.add(threading.get_ident())
        time.sleep(0.02)
        order.append(n)
        with lock:
            active -= 1
        return n

    results = await asyncio.gather(*(astore.run(job, n) for n in range(8)))
    assert results == list(range(8))
    assert order == list(range(8))
    assert peak == 1
    assert len(threads) == 1
    assert threading.get_ident() not in threads


async def test_concurrent_async_announces_win_once(astore: AsyncStore) -> None:
    launch = await astore.add_launch(**launch_fields())
    results = await asyncio.gather(
        *(astore.announce(launch.stack_id, "CREATE_COMPLETE", "", None) for _ in range(10))
    )
    assert results.count(True) == 1


def _count_commits(st: AsyncStore) -> list[str]:
    """Every COMMIT the store's connection issues, as SQLite traces it."""
    commits: list[str] = []
    conn = st.store._conn
    assert conn is not None
    conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    return commits


async def _with_worker_held(st: AsyncStore) -> tuple[threading.Event, asyncio.Future[Any]]:
    """Occupy the worker thread until the returned event is set, so calls queue up."""
    release, busy = threading.Event(), threading.Event()

    def hold(_: Store) -> None:
        busy.set()
        release.wait(10)

    held = asyncio.ensure_future(st.run(hold))
    await asyncio.get_running_loop().run_in_executor(None, busy.wait, 10)
    return release, held


async def test_callbacks_that_queue_up_share_one_commit(astore: AsyncStore, db_path: Path) -> None:
    release, held = await _with_worker_held(astore)
    commits = _count_commits(astore)
    reader = Store.open(db_path)
    seen_at_answer: list[bool] = []

    async def record(n: int) -> int:
        row_id = await astore.record_callback("t", f"s{n}", "r", {}, bytes([n]))
        # answered only once committed: another connection sees the row already
        seen_at_answer.append(any(cb.id == row_id for cb in reader.recent_callbacks(100)))
        return row_id

    tasks = [asyncio.ensure_future(record(n)) for n in range(40)]
    await asyncio.sleep(0)
    release.set()
    ids = await asyncio.gather(*tasks)
    await held
    reader.close()
    assert ids == sorted(ids) and len(set(ids)) == 40
    assert seen_at_answer == [True] * 40
    assert len(commits) == 1
    bodies = [cb.body for cb in reversed(await astore.recent_callbacks(100))]
    assert bodies == [bytes([n]) for n in range(40)]


async def test_a_bad_row_in_a_group_fails_only_its_caller(astore: AsyncStore) -> None:
    release, held = await _with_worker_held(astore)
    good = [asyncio.ensure_future(astore.record_callback("t", None, "r", {}, b"ok")) for _ in "ab"]
    bad = asyncio.ensure_future(astore.record_callback("t", None, "r", {}, None))  # type: ignore[arg-type]
    more = asyncio.ensure_future(astore.record_callback("t", None, "r", {}, b"ok"))
    await asyncio.sleep(0)
    release.set()
    await held
    assert len(await asyncio.gather(*good, more)) == 3
    with pytest.raises(TypeError):
        await bad
    assert [cb.body for cb in await astore.recent_callbacks(10)] == [b"ok"] * 3


async def test_batched_calls_keep_order_and_the_gate(astore: AsyncStore) -> None:
    """Callbacks, announcements and reads queued together still run in submission order,
    and only one announcement wins. (A point read through ``get_by_stack`` would not queue:
    it reads the last commit on the loop.)"""
    launch = await astore.add_launch(**launch_fields())
    release, held = await _with_worker_held(astore)
    calls = []
    for n in range(5):
        calls.append(astore.record_callback(launch.token, launch.stack_id, "r", {}, bytes([n])))
        calls.append(astore.announce(launch.stack_id, "CREATE_COMPLETE", "", None))
    calls.append(astore.run(Store.get_by_stack, launch.stack_id))
    futures = [asyncio.ensure_future(c) for c in calls]
    await asyncio.sleep(0)
    release.set()
    await held
    results = await asyncio.gather(*futures)
    assert [r for r in results[1:10:2]] == [True, False, False, False, False]
    assert results[-1].announced == ["CREATE_COMPLETE"]
    assert results[0:10:2] == sorted(results[0:10:2])


async def test_async_close_runs_queued_calls_then_refuses(db_path: Path) -> None:
    st = await AsyncStore.open(db_path)
    pending = asyncio.ensure_future(st.add_launch(**launch_fields()))
    await asyncio.sleep(0)
    await st.close()
    assert (await pending).stack_id == "stack-0001-uuid"
    await st.close()
    with pytest.raises(StoreError, match="closed"):
        await st.history()
    with Store.open(db_path) as sync:
        assert len(sync.history()) == 1


async def test_async_open_reports_store_errors(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError, match=r"history\.db"):
        await AsyncStore.open(db_path)


async def test_verdicts_that_queue_up_share_one_commit(astore: AsyncStore) -> None:
    ids = [await astore.record_callback("t", None, "r", {}, bytes([n])) for n in range(5)]
    release, held = await _with_worker_held(astore)
    commits = _count_commits(astore)
    futures = [asyncio.ensure_future(astore.set_verdict(i, "duplicate", f"d{i}")) for i in ids]
    futures.append(asyncio.ensure_future(astore.set_verdict(10_000, "duplicate")))
    await asyncio.sleep(0)
    release.set()
    await held
    assert await asyncio.gather(*futures) == [True] * 5 + [False]
    assert len(commits) == 1
    stored = {cb.id: (cb.verdict, cb.detail) for cb in await astore.recent_callbacks(10)}
    assert stored == {i: ("duplicate", f"d{i}") for i in ids}


def test_known_launches_are_the_history_without_requests(store: Store) -> None:
    """What the tracker starts with: every launch's token, stack, status and finish, newest
    first, as history() orders them, without decoding requests or outputs."""
    first = store.add_launch(**launch_fields(1, request={"template_body": "x" * 50_000}))
    second = store.add_launch(**launch_fields(2))
    store.announce(second.stack_id, "CREATE_COMPLETE", "", None)
    known = store.known_launches()
    assert [(k.token, k.stack_id) for k in known] == [
        (launch.token, launch.stack_id) for launch in store.history(limit=10_000)
    ]
    by_stack = {k.stack_id: k for k in known}
    assert by_stack[first.stack_id].finished_at is None
    assert by_stack[second.stack_id].status == "CREATE_COMPLETE"
    assert by_stack[second.stack_id].finished_at is not None
    assert store.known_launches(limit=1) == known[:1]


async def test_calls_made_as_a_trip_comes_back_join_the_next_trip(astore: AsyncStore) -> None:
    """The next trip starts one loop iteration after the last one's answer, so what that
    iteration's other callbacks queue rides along. Started at once (a trip per iteration),
    the worker woke so often under a flood that it slowed the loop (bench/fixes.md, s. 7)."""
    loop = asyncio.get_running_loop()
    release, held = await _with_worker_held(astore)
    queued = [astore.record_callback(TOKEN, "s", "r", {}, b"{}")]  # waits for the next trip
    trips = astore.trips

    def answer_arrives_then_another_call() -> None:
        release.set()
        time.sleep(0.5)  # the worker posts its answer meanwhile: first in the next iteration
        loop.call_soon(lambda: queued.append(astore.record_callback(TOKEN, "t", "r", {}, b"{}")))

    loop.call_soon(answer_arrives_then_another_call)
    await held
    ids = await asyncio.gather(*queued)
    assert len(ids) == 2
    assert astore.trips == trips + 1  # both rows in one trip

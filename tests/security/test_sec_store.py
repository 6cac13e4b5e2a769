"""The history store under hostile input: a token holder cannot fill the disk with callbacks,
and text that is legal JSON but not Unicode (lone surrogates) cannot block a write."""

from __future__ import annotations

from pathlib import Path

import pytest

from rostray.core.store import PRUNE_EVERY, CallbackRow, Store, StoreError


def store_with_launch(path: Path, **kw: int) -> Store:
    store = Store.open(path, **kw)
    store.add_launch(
        stack_id="s-1", stack_name="n", region="r", endpoint="e", sandbox=True,
        token="t" * 43, notification_url="u",
    )  # fmt: skip
    return store


def test_callbacks_are_capped_while_running(tmp_path: Path) -> None:
    store = store_with_launch(tmp_path / "h.sqlite3", max_callbacks=50)
    ids = [store.record_callback("t" * 43, "s-1", "127.0.0.1", {}, b"{}") for _ in range(1000)]
    kept = store.recent_callbacks(limit=10_000)
    assert len(kept) <= 50 + PRUNE_EVERY
    assert kept[0].id == ids[-1]  # the newest are the ones kept
    store.close()


def test_lone_surrogates_never_block_a_write(tmp_path: Path) -> None:
    store = store_with_launch(tmp_path / "h.sqlite3")
    bad = "reason \ud800 \udcff"
    store.update_status("s-1", "CREATE_IN_PROGRESS", bad)
    assert store.announce("s-1", "CREATE_FAILED", bad, [{"OutputKey": "k", "OutputValue": bad}])
    launch = store.get_by_stack("s-1")
    assert launch.status_reason == "reason \ufffd \ufffd"
    assert launch.outputs[0]["OutputValue"] == bad  # JSON-escaped, round-trips as given
    callback = store.record_callback("t" * 43, None, bad, {"X-H": bad}, b"", "invalid", bad)
    assert store.set_verdict(callback, "invalid", bad)
    assert store.get_by_stack("\udcff") is None and store.history(search=bad) == []
    store.close()


def test_a_failed_prune_keeps_the_rows_it_followed(tmp_path: Path, caplog) -> None:
    """Pruning runs after the group's commit: if it fails, the rows are stored and their ids
    returned (a retry would store them twice), and the next multiple tries again."""
    store = store_with_launch(tmp_path / "h.sqlite3", max_callbacks=5)
    store._conn.execute(  # a real failure inside SQLite, for DELETE only
        "CREATE TRIGGER no_prune BEFORE DELETE ON callbacks BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    ids = [store.record_callback("t" * 43, "s-1", "r", {}, bytes([n % 256])) for n in range(300)]
    assert len(set(ids)) == 300
    assert len(store.recent_callbacks(limit=1000)) == 300  # nothing pruned, nothing lost
    assert "old callbacks not pruned" in caplog.text
    store._conn.execute("DROP TRIGGER no_prune")
    store.record_callbacks(
        [CallbackRow("t" * 43, "s-1", "r", {}, b"x")] * (PRUNE_EVERY + 1)
    )  # crosses the next multiple: now it prunes
    assert len(store.recent_callbacks(limit=1000)) <= 5 + PRUNE_EVERY
    store.close()


def test_a_group_in_one_statement_is_all_or_none(tmp_path: Path) -> None:
    store = store_with_launch(tmp_path / "h.sqlite3")
    good = CallbackRow("t" * 43, "s-1", "r", {}, b"ok")
    bad = CallbackRow("t" * 43, "s-1", None, {}, b"no")  # type: ignore[arg-type]  # NOT NULL
    for size in (2, 7, 32, 33):  # one statement up to 32 rows, a transaction beyond
        with pytest.raises(StoreError, match="NOT NULL"):
            store.record_callbacks([good] * (size - 1) + [bad])
        assert store.recent_callbacks(limit=100) == []
    assert store.record_callbacks([]) == []  # no statement at all
    assert store.record_callbacks([good] * 7) == list(range(1, 8))
    store.close()

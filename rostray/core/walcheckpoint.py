"""WAL checkpoints of the history database on their own thread and connection.

SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 WAL pages: that
commit copies the pages into the database and fsyncs twice, and the callbacks waiting on it
get their replies late (half the store's cost per callback under load, commits of 20 ms).
The AsyncStore turns that off on its connection and asks this class after each trip
instead; a PASSIVE checkpoint never blocks writers, so trips go on while it runs.

The WAL's size on disk is the measure: with ``journal_size_limit`` set below the threshold,
SQLite truncates the file at the first write after a complete checkpoint, so the size is
about what was written since (a WAL is otherwise reused, never shrunk).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

log = logging.getLogger(__name__)

# SQLite's own default threshold for wal_autocheckpoint, in bytes of WAL (4 KiB pages).
CHECKPOINT_BYTES = 1_000 * 4_096
# What the writer's connection truncates the WAL to after a complete checkpoint.
JOURNAL_SIZE_LIMIT = 1_024 * 1_024


class WalCheckpointer:
    """Checkpoints ``path`` when its WAL has grown past ``threshold`` bytes; at most one runs
    at a time. Thread-safe: ``poke`` is called from the store's worker thread."""

    def __init__(self, path: Path, *, threshold: int = CHECKPOINT_BYTES) -> None:
        self._path = path
        self._wal = f"{path}-wal"  # text: os.stat on it, once per store trip, skips pathlib
        self._threshold = threshold
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="rostray-checkpoint")
        self._lock = threading.Lock()
        self._running: Future[None] | None = None
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        self.checkpoints = 0

    def poke(self) -> None:
        """Start a checkpoint if the WAL is over the threshold and none is running."""
        try:
            size = os.stat(self._wal).st_size
        except OSError:
            return  # no WAL (yet, or not WAL mode): nothing to copy
        if size < self._threshold:
            return
        with self._lock:
            if self._closed or (self._running is not None and not self._running.done()):
                return
            self._running = self._executor.submit(self._checkpoint)

    def _checkpoint(self) -> None:
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(self._path, isolation_level=None, timeout=0)
            busy, wal_pages, copied = self._conn.execute(
                "PRAGMA wal_checkpoint(PASSIVE)"
            ).fetchone()
            self.checkpoints += 1
            log.debug("checkpoint of %s: %s of %s WAL pages (busy=%s)", self._path.name,
                      copied, wal_pages, busy)  # fmt: skip
        except sqlite3.Error as exc:  # a full disk, a lock held elsewhere: the next poke retries
            log.debug("checkpoint of %s failed: %s", self._path.name, exc)

    def close(self) -> None:
        """Wait for a running checkpoint and release the connection. Idempotent."""
        with self._lock:
            self._closed = True
        self._executor.shutdown(wait=True)
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

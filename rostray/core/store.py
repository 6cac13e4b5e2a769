"""SQLite history of launches and callbacks, and the exactly-once announcement gate.

State that matters is on disk before it is announced, so every write is one short
transaction on a WAL database; the tracker and the GUI read while the receiver writes.
The schema is versioned with ``PRAGMA user_version`` and grows only through ``MIGRATIONS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii as _json_string
from pathlib import Path
from typing import Any, Concatenate, Generic, NamedTuple, ParamSpec, TypeVar, overload

from rostray.core.storethread import Outcome as _Outcome
from rostray.core.storethread import StoreThread, settle
from rostray.core.text import scrub_surrogates
from rostray.core.walcheckpoint import JOURNAL_SIZE_LIMIT, WalCheckpointer

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "NEVER_CREATED",
    "REDACTED",
    "SCHEMA_VERSION",
    "SENSITIVE_HEADERS",
    "AsyncStore",
    "Callback",
    "CallbackRow",
    "Launch",
    "PendingLaunch",
    "SchemaTooNewError",
    "Store",
    "StoreError",
    "UnknownStackError",
    "redact_headers",
]

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# "ROST": tells our file apart from any other SQLite database a path may point at.
APPLICATION_ID = 0x524F5354
BUSY_TIMEOUT_MS = 5_000
# Raw callback rows kept at most; a sender holding a token must not be able to fill the disk
# between restarts. Checked every PRUNE_EVERY inserts, so the table holds at most
# MAX_CALLBACKS + PRUNE_EVERY rows (bodies are capped by the receiver).
MAX_CALLBACKS = 5_000
PRUNE_EVERY = 100
REDACTED = "[redacted]"
# Lower-case names; a callback's credentials must never reach the disk or the inspector.
SENSITIVE_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "set-cookie"})
# The status of a launch whose CreateStack never made a stack (the process died in between).
NEVER_CREATED = "NEVER_CREATED"

# MIGRATIONS[n] takes a database from schema version n to n + 1. Append, never edit.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE launches (
            id INTEGER PRIMARY KEY,
            stack_id TEXT NOT NULL UNIQUE,
            stack_name TEXT NOT NULL,
            region TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            sandbox INTEGER NOT NULL,
            token TEXT NOT NULL UNIQUE,
            notification_url TEXT NOT NULL,
            request TEXT NOT NULL DEFAULT '{}',
            operation TEXT NOT NULL,
            operation_seq INTEGER NOT NULL DEFAULT 1,
            status TEXT NOT NULL,
            status_reason TEXT NOT NULL DEFAULT '',
            outputs TEXT NOT NULL DEFAULT '[]',
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            finished_at REAL,
            announced TEXT NOT NULL DEFAULT '[]',
            polling INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX launches_created ON launches (created_at, id)",
        "CREATE INDEX launches_unfinished ON launches (created_at) WHERE finished_at IS NULL",
        # The gate: one row per (stack, operation, terminal status), enforced by UNIQUE.
        """CREATE TABLE announcements (
            id INTEGER PRIMARY KEY,
            launch_id INTEGER NOT NULL REFERENCES launches (id) ON DELETE CASCADE,
            operation_seq INTEGER NOT NULL,
            status TEXT NOT NULL,
            announced_at REAL NOT NULL,
            UNIQUE (launch_id, operation_seq, status)
        )""",
        # No foreign key: callbacks with unknown or forged tokens are recorded too.
        """CREATE TABLE callbacks (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL,
            stack_id TEXT,
            received_at REAL NOT NULL,
            remote TEXT NOT NULL,
            headers TEXT NOT NULL,
            body BLOB NOT NULL,
            verdict TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX callbacks_stack ON callbacks (stack_id, id)",
        "CREATE INDEX callbacks_token ON callbacks (token, id)",
    ),
    (
        # v2: a launch is written down before CreateStack is sent, so a kill before its answer
        # arrives leaves a row a later start can resolve (ListStacks by name and the
        # rostray-launch=<ClientToken> tag) instead of a stack nobody knows of.
        """CREATE TABLE pending_launches (
            id INTEGER PRIMARY KEY,
            client_token TEXT NOT NULL UNIQUE,
            token TEXT NOT NULL UNIQUE,
            stack_name TEXT NOT NULL,
            region TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            sandbox INTEGER NOT NULL,
            notification_url TEXT NOT NULL,
            request TEXT NOT NULL DEFAULT '{}',
            created_at REAL NOT NULL
        )""",
        "ALTER TABLE launches ADD COLUMN client_token TEXT",
        """CREATE UNIQUE INDEX launches_client_token ON launches (client_token)
            WHERE client_token IS NOT NULL""",
    ),
    (
        # v3: callbacks are written in bursts and read only when a details window opens.
        # Both indexes took random keys, so a group commit of 64 callbacks dirtied ~100 index
        # pages (137 WAL pages per commit, 32 without: half the cost of persisting a
        # callback); the inspector's query scans at most MAX_CALLBACKS + PRUNE_EVERY rows
        # newest first instead (2 ms; 12 ms with every body at the 64 KiB cap).
        "DROP INDEX callbacks_stack",
        "DROP INDEX callbacks_token",
    ),
    (
        # v4: a launch's request (its whole template, often tens of KB) gets a table of its
        # own. In the launches row, every status change and announcement rewrote it into the
        # WAL and every verification read past it: with a 60 KB template a callback took
        # 1.8 ms longer to announce (bench/fixes.md, session 5).
        """CREATE TABLE launch_requests (
            launch_id INTEGER PRIMARY KEY REFERENCES launches (id) ON DELETE CASCADE,
            request TEXT NOT NULL
        )""",
        "INSERT INTO launch_requests (launch_id, request) SELECT id, request FROM launches",
        # Emptied, not dropped: DROP COLUMN needs SQLite 3.35, and some systems' Python (RHEL
        # 9: 3.34) link an older one. Nothing reads or writes launches.request any more.
        "UPDATE launches SET request = '{}'",
    ),
)
# A launch with its request, as every read but the tracker's returns it.
_LAUNCHES_WITH_REQUESTS = """launches.*, launch_requests.request AS request_json FROM launches
    LEFT JOIN launch_requests ON launch_requests.launch_id = launches.id"""
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The history database cannot be used; the message names the file and the reason."""


class SchemaTooNewError(StoreError):
    """The file was written by a newer rostray; we refuse rather than corrupt it."""


class UnknownStackError(StoreError, LookupError):
    """A write named a stack the store has never seen (a tracker bug, not bad input)."""


@dataclass
class Launch:
    """One tracked stack: how it was launched, where it stands, what was announced."""

    id: int
    stack_id: str
    stack_name: str
    region: str
    endpoint: str
    sandbox: bool
    token: str = field(repr=False)
    notification_url: str = field(repr=False)
    # As stored, decoded by ``request``; None when read without it (the tracker's reads).
    request_json: str | None = field(repr=False)
    operation: str
    status: str
    status_reason: str
    outputs_json: str = field(repr=False)  # as stored; ``outputs`` decodes it
    created_at: float
    updated_at: float
    finished_at: float | None
    announced: list[str]
    polling: bool
    operation_seq: int = 1

    # Decoded on first use: the tracker reads a launch for every callback it verifies and
    # needs neither, and the request holds the whole template (tens of KB, ~0.1-0.3 ms of the
    # event loop per callback to decode).
    @functools.cached_property
    def request(self) -> dict[str, Any]:
        """The CreateStack request as rostray made it (TemplateBody included)."""
        if self.request_json is None:
            raise LookupError(f"launch {self.stack_id!r} was read without its request")
        decoded: dict[str, Any] = json.loads(self.request_json)
        return decoded

    @functools.cached_property
    def outputs(self) -> list[dict[str, Any]]:
        """The outputs announced with the stack's last finished operation."""
        decoded: list[dict[str, Any]] = json.loads(self.outputs_json)
        return decoded


@dataclass(frozen=True, slots=True)
class KnownLaunch:
    """What the tracker keeps of each launch it starts with; ``Store.known_launches``."""

    token: str = field(repr=False)
    stack_id: str
    status: str
    finished_at: float | None


@dataclass
class PendingLaunch:
    """A launch whose CreateStack was sent (or about to be) but whose StackId is not known."""

    id: int
    client_token: str
    token: str = field(repr=False)
    stack_name: str
    region: str
    endpoint: str
    sandbox: bool
    notification_url: str = field(repr=False)
    request: dict[str, Any]
    created_at: float


@dataclass
class Callback:
    """One POST that reached a hook, kept raw for the inspector and replay."""

    id: int
    token: str = field(repr=False)
    stack_id: str | None
    received_at: float
    remote: str
    headers: dict[str, str]
    body: bytes = field(repr=False)
    verdict: str
    detail: str


class CallbackRow(NamedTuple):
    """What ``record_callback`` writes, as one value: a group commit carries a list of them.
    A named tuple, made once per callback: a frozen dataclass took 11,300 instructions to
    build, this 3,400."""

    token: str
    stack_id: str | None
    remote: str
    headers: Mapping[str, str]
    body: bytes
    verdict: str = "pending"
    detail: str = ""

    def __repr__(self) -> str:  # the token is a capability, and the body may be large
        return (
            f"CallbackRow(stack_id={self.stack_id!r}, remote={self.remote!r}, "
            f"verdict={self.verdict!r}, detail={self.detail!r})"
        )


def _dump(value: Any) -> str:
    # ensure_ascii keeps lone surrogates (undecodable header bytes) storable as UTF-8.
    return json.dumps(value, ensure_ascii=True)


def _dump_headers(headers: Mapping[str, str]) -> str:
    """``_dump`` of a str → str mapping, text for text: every callback's row has one, and
    ``json.dumps`` sets up an encoder per call (21,000 instructions for three headers, against
    11,000 here; ``bench/abinstr.py`` and bench/fixes.md)."""
    try:
        pairs = [f"{_json_string(name)}: {_json_string(value)}" for name, value in headers.items()]
    except TypeError:  # not all text: the general way
        return _dump(dict(headers))
    return "{" + ", ".join(pairs) + "}"


# A group of rows goes in as few statements as possible: sqlite3 releases the GIL around every
# step of a statement, and executemany steps once per row. Under load each step cost the worker
# thread a wait for the GIL held by the busy event loop (a 40-row trip took 10 ms, bench/fixes.md).
# Sizes are fixed (32, 8, 1 rows) so only a few statement texts reach the statement cache,
# except that a group of up to _ONE_STATEMENT_ROWS rows is one statement of its exact size
# (32 texts at most, of the connection's 128 cached statements).
_CHUNK_SIZES = (32, 8, 1)
_ONE_STATEMENT_ROWS = 32
_INSERT_CALLBACKS = (
    "INSERT INTO callbacks (token, stack_id, received_at, remote, headers, body, "
    "verdict, detail) VALUES "
)
_CALLBACK_ROW = "(?, ?, ?, ?, ?, ?, ?, ?)"
_CALLBACK_COLUMNS = _CALLBACK_ROW.count("?")


def _statement_chunks(count: int) -> Iterator[tuple[int, int]]:
    """``(start, size)`` covering ``count`` rows with the fewest chunks of ``_CHUNK_SIZES``."""
    start = 0
    for size in _CHUNK_SIZES:
        while count - start >= size:
            yield start, size
            start += size


@functools.cache
def _insert_callbacks_sql(size: int) -> str:
    return _INSERT_CALLBACKS + ", ".join([_CALLBACK_ROW] * size)


@functools.cache
def _verdicts_sql(size: int) -> str:
    cases = "WHEN ? THEN ? " * size
    marks = ", ".join("?" * size)
    return (
        f"UPDATE callbacks SET verdict = CASE id {cases}END, detail = CASE id {cases}END "
        f"WHERE id IN ({marks})"
    )


def _verdicts_params(chunk: Sequence[tuple[int, str, str]]) -> list[Any]:
    ids = [callback_id for callback_id, _, _ in chunk]
    verdicts = [value for callback_id, verdict, _ in chunk for value in (callback_id, verdict)]
    details = [value for callback_id, _, detail in chunk for value in (callback_id, detail)]
    return [*verdicts, *details, *ids]


def _set_verdict_row(conn: _Conn, callback_id: int, verdict: str, detail: str) -> bool:
    cursor = conn.execute(
        "UPDATE callbacks SET verdict = ?, detail = ? WHERE id = ?", (verdict, detail, callback_id)
    )
    return cursor.rowcount > 0


class _Conn:
    """The connection as the methods see it: every text parameter loses its lone surrogates
    (legal in JSON and in GetStack's StatusReason, but sqlite3 cannot bind them and raises
    UnicodeEncodeError, which once left a failed stack unannounced forever)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        if isinstance(params, Mapping):
            params = {key: _bindable(value) for key, value in params.items()}
        else:
            params = tuple(map(_bindable, params))
        return self._conn.execute(sql, params)

    @property
    def raw(self) -> sqlite3.Connection:
        """For a hot path that makes its parameters bindable itself."""
        return self._conn


def _bindable(value: Any) -> Any:
    # Surrogates are never ASCII, and isascii() is a flag check: most values skip the scan.
    if isinstance(value, str) and not value.isascii():
        return scrub_surrogates(value)
    return value


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Keep every header as given except credentials, whose values are replaced."""
    if isinstance(headers, dict) and SENSITIVE_HEADERS.isdisjoint(map(str.lower, headers)):
        return headers  # the usual case: nothing to copy
    return {
        name: REDACTED if name.lower() in SENSITIVE_HEADERS else value
        for name, value in headers.items()
    }


def _launch_from_row(row: sqlite3.Row, *, with_request: bool = True) -> Launch:
    return Launch(
        id=row["id"],
        stack_id=row["stack_id"],
        stack_name=row["stack_name"],
        region=row["region"],
        endpoint=row["endpoint"],
        sandbox=bool(row["sandbox"]),
        token=row["token"],
        notification_url=row["notification_url"],
        request_json=(row["request_json"] or "{}") if with_request else None,
        operation=row["operation"],
        status=row["status"],
        status_reason=row["status_reason"],
        outputs_json=row["outputs"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        finished_at=row["finished_at"],
        announced=json.loads(row["announced"]),
        polling=bool(row["polling"]),
        operation_seq=row["operation_seq"],
    )


def _launch_columns(with_request: bool) -> str:
    """What a read of launches selects, from where: with each one's request, or without."""
    return _LAUNCHES_WITH_REQUESTS if with_request else "* FROM launches"


def _launch_where(conn: _Conn, column: str, value: Any) -> Launch:
    """The launch a write just made or changed, read in its transaction."""
    row = conn.execute(f"SELECT {_LAUNCHES_WITH_REQUESTS} WHERE {column} = ?", (value,))
    return _launch_from_row(row.fetchone())


def _move_pending_request(conn: _Conn, pending_id: int, launch_id: int | None) -> None:
    """A pending launch became ``launch_id``: its request moves along, and the row goes."""
    conn.execute(
        """INSERT INTO launch_requests (launch_id, request)
        SELECT ?, request FROM pending_launches WHERE id = ?""",
        (launch_id, pending_id),
    )
    conn.execute("DELETE FROM pending_launches WHERE id = ?", (pending_id,))


def _pending_from_row(row: sqlite3.Row) -> PendingLaunch:
    return PendingLaunch(
        id=row["id"],
        client_token=row["client_token"],
        token=row["token"],
        stack_name=row["stack_name"],
        region=row["region"],
        endpoint=row["endpoint"],
        sandbox=bool(row["sandbox"]),
        notification_url=row["notification_url"],
        request=json.loads(row["request"]),
        created_at=row["created_at"],
    )


def never_created_id(client_token: str) -> str:
    """The placeholder stack id of a launch that never got a stack (no ROS id looks like it)."""
    return f"never-created-{client_token}"


def _callback_from_row(row: sqlite3.Row) -> Callback:
    return Callback(
        id=row["id"],
        token=row["token"],
        stack_id=row["stack_id"],
        received_at=row["received_at"],
        remote=row["remote"],
        headers=json.loads(row["headers"]),
        body=bytes(row["body"]),
        verdict=row["verdict"],
        detail=row["detail"],
    )


def _create_private(path: Path) -> None:
    """Create the file owner-only: it holds callback tokens (SQLite copies the mode to -wal)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _configure(conn: sqlite3.Connection, path: Path) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        log.warning("history database %s stays in %s journal mode (no WAL here)", path, mode)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    # Parses the schema now, so a damaged file fails at open rather than at first use.
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()


def _check_ours(conn: sqlite3.Connection, path: Path, version: int) -> None:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id not in (0, APPLICATION_ID):
        raise StoreError(f"{path} is an SQLite database of another application")
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{path} uses history schema v{version}, written by a newer rostray; "
            f"this version understands up to v{SCHEMA_VERSION}. Upgrade rostray or "
            "point it at another history file."
        )
    if version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise StoreError(f"{path} already holds tables that are not a rostray history")


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the schema to SCHEMA_VERSION in one transaction: all steps or none."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    _check_ours(conn, path, version)
    if version == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the write lock.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        _check_ours(conn, path, version)
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[target - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


class Store:
    """Synchronous history store; one connection, safe to share between threads.

    Every method is one short transaction. Writes use ``BEGIN IMMEDIATE`` so two
    connections (or processes) on the same file serialize on SQLite's write lock.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        clock: Callable[[], float] = time.time,
        max_callbacks: int = MAX_CALLBACKS,
    ) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._path = path
        self._clock = clock
        self._max_callbacks = max_callbacks
        self._lock = threading.RLock()

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        clock: Callable[[], float] = time.time,
        max_callbacks: int = MAX_CALLBACKS,
    ) -> Store:
        """Open (creating and migrating if needed); any failure is a StoreError naming the file."""
        path = Path(path).expanduser()
        conn: sqlite3.Connection | None = None
        try:
            _create_private(path)
            conn = sqlite3.connect(
                path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,  # AsyncStore and tests use it from other threads
            )
            _configure(conn, path)
            _migrate(conn, path)
        except StoreError:
            if conn is not None:
                conn.close()
            raise
        except (sqlite3.Error, OSError) as exc:
            if conn is not None:
                conn.close()
            raise StoreError(f"cannot open history database {path}: {exc}") from exc
        return cls(conn, path, clock, max_callbacks)

    @classmethod
    def open_on_loop(cls, path: Path | str, *, clock: Callable[[], float] = time.time) -> Store:
        """A second connection to an open history, for the event loop: it never waits for a
        lock (a busy database is a StoreError at once, and the caller goes through the worker
        instead) and never checkpoints. WAL readers see the last commit while a writer works."""
        path = Path(path).expanduser()
        try:
            conn = sqlite3.connect(path, timeout=0, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA wal_autocheckpoint = 0")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open history database {path}: {exc}") from exc
        return cls(conn, path, clock)

    @property
    def path(self) -> Path:
        return self._path

    def close(self) -> None:
        """Close the connection; later calls raise StoreError. Idempotent."""
        with self._lock:
            if self._conn is None:
                return
            conn, self._conn = self._conn, None
            with contextlib.suppress(sqlite3.Error):  # a planner hint; closing matters more
                conn.execute("PRAGMA optimize")
            conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- transactions ---------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[_Conn]:
        with self._lock:
            conn = self._connection()
            try:
                yield _Conn(conn)
            except sqlite3.Error as exc:
                raise self._error(exc) from exc

    @contextmanager
    def _write(self) -> Iterator[_Conn]:
        """BEGIN IMMEDIATE takes the write lock up front, so read-check-write is atomic."""
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            try:
                yield _Conn(conn)
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._error(exc) from exc
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise self._error(exc) from exc

    def defer_checkpoints(self, journal_size_limit: int) -> None:
        """Leave WAL checkpoints to someone else (a WalCheckpointer): no commit of this
        connection copies the WAL into the database any more."""
        with self._lock:
            conn = self._connection()
            conn.execute("PRAGMA wal_autocheckpoint = 0")
            conn.execute(f"PRAGMA journal_size_limit = {int(journal_size_limit)}")

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"history database {self._path} is closed")
        return self._conn

    def _error(self, exc: sqlite3.Error) -> StoreError:
        return StoreError(f"history database {self._path}: {exc}")

    def _launch_id(self, conn: _Conn, stack_id: str) -> int:
        row = conn.execute("SELECT id FROM launches WHERE stack_id = ?", (stack_id,)).fetchone()
        if row is None:
            raise UnknownStackError(f"no tracked stack {stack_id!r}")
        return row["id"]

    # -- launches -------------------------------------------------------------------

    def add_launch(
        self,
        *,
        stack_id: str,
        stack_name: str,
        region: str,
        endpoint: str,
        sandbox: bool,
        token: str,
        notification_url: str,
        request: dict[str, Any] | None = None,
        operation: str = "CREATE",
        status: str = "CREATE_IN_PROGRESS",
        status_reason: str = "",
        outputs: list[dict[str, Any]] | None = None,
        created_at: float | None = None,
    ) -> Launch:
        """Start tracking a stack. ``request`` must already have NoEcho values masked."""
        now = self._clock()
        created = now if created_at is None else created_at
        values = (
            stack_id, stack_name, region, endpoint, int(sandbox), token, notification_url,
            operation, status, status_reason, _dump(outputs or []), created, now,
        )  # fmt: skip
        with self._write() as conn:
            try:
                cursor = conn.execute(
                    """INSERT INTO launches (stack_id, stack_name, region, endpoint, sandbox,
                        token, notification_url, operation, status, status_reason,
                        outputs, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    values,
                )
            except sqlite3.IntegrityError as exc:
                # Say which column clashed without echoing the token.
                raise StoreError(f"stack {stack_id!r} or its token is already tracked") from exc
            conn.execute(
                "INSERT INTO launch_requests (launch_id, request) VALUES (?, ?)",
                (cursor.lastrowid, _dump(request or {})),
            )
            return _launch_where(conn, "launches.id", cursor.lastrowid)

    # -- launches before CreateStack answers ------------------------------------------

    def add_pending(
        self,
        *,
        client_token: str,
        stack_name: str,
        region: str,
        endpoint: str,
        sandbox: bool,
        token: str,
        notification_url: str,
        request: dict[str, Any] | None = None,
        created_at: float | None = None,
    ) -> PendingLaunch:
        """Write a launch down before CreateStack is sent (``request`` NoEcho-masked)."""
        created = self._clock() if created_at is None else created_at
        values = (
            client_token, token, stack_name, region, endpoint, int(sandbox), notification_url,
            _dump(request or {}), created,
        )  # fmt: skip
        with self._write() as conn:
            try:
                cursor = conn.execute(
                    """INSERT INTO pending_launches (client_token, token, stack_name, region,
                        endpoint, sandbox, notification_url, request, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    values,
                )
            except sqlite3.IntegrityError as exc:
                raise StoreError(
                    f"launch {client_token!r} or its token is already pending"
                ) from exc
            row = conn.execute("SELECT * FROM pending_launches WHERE id = ?", (cursor.lastrowid,))
            return _pending_from_row(row.fetchone())

    def pending_launches(self) -> list[PendingLaunch]:
        """Launches still waiting for their StackId, oldest first."""
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM pending_launches ORDER BY created_at, id").fetchall()
        return [_pending_from_row(row) for row in rows]

    def bind_pending(
        self, client_token: str, stack_id: str, status: str = "CREATE_IN_PROGRESS"
    ) -> Launch:
        """The StackId is known: the pending launch becomes a tracked one, in one transaction.

        Idempotent across processes: if another one bound it first, its launch is returned; a
        launch marked never created that turns out to exist after all is revived.
        """
        now = self._clock()
        with self._write() as conn:
            row = conn.execute(
                "SELECT * FROM pending_launches WHERE client_token = ?", (client_token,)
            ).fetchone()
            if row is not None:
                try:
                    cursor = conn.execute(
                        """INSERT INTO launches (stack_id, stack_name, region, endpoint, sandbox,
                            token, notification_url, operation, status, created_at,
                            updated_at, client_token)
                        SELECT ?, stack_name, region, endpoint, sandbox, token, notification_url,
                            'CREATE', ?, created_at, ?, client_token
                        FROM pending_launches WHERE id = ?""",
                        (stack_id, status, now, row["id"]),
                    )
                except sqlite3.IntegrityError as exc:
                    raise StoreError(f"stack {stack_id!r} is already tracked") from exc
                _move_pending_request(conn, row["id"], cursor.lastrowid)
            else:
                bound = conn.execute(
                    "SELECT id, stack_id FROM launches WHERE client_token = ?", (client_token,)
                ).fetchone()
                if bound is None:
                    raise UnknownStackError(f"no pending launch {client_token!r}")
                if bound["stack_id"] != stack_id:
                    conn.execute(
                        """UPDATE launches SET stack_id = ?, status = ?, status_reason = '',
                            finished_at = NULL, updated_at = ? WHERE id = ?""",
                        (stack_id, status, now, bound["id"]),
                    )
            return _launch_where(conn, "stack_id", stack_id)

    def drop_pending(self, client_token: str) -> bool:
        """CreateStack was refused: no stack exists, nothing to remember."""
        with self._write() as conn:
            cursor = conn.execute(
                "DELETE FROM pending_launches WHERE client_token = ?", (client_token,)
            )
            return cursor.rowcount > 0

    def mark_never_created(self, client_token: str, reason: str) -> Launch | None:
        """Move a pending launch into the history as finished and NEVER_CREATED (no stack has
        its name and tag long after it was sent); None if it is no longer pending."""
        now = self._clock()
        with self._write() as conn:
            row = conn.execute(
                "SELECT id FROM pending_launches WHERE client_token = ?", (client_token,)
            ).fetchone()
            if row is None:
                return None
            stack_id = never_created_id(client_token)
            cursor = conn.execute(
                """INSERT INTO launches (stack_id, stack_name, region, endpoint, sandbox, token,
                    notification_url, operation, status, status_reason, created_at,
                    updated_at, finished_at, client_token)
                SELECT ?, stack_name, region, endpoint, sandbox, token, notification_url,
                    'CREATE', ?, ?, created_at, ?, ?, client_token
                FROM pending_launches WHERE id = ?""",
                (stack_id, NEVER_CREATED, reason, now, now, row["id"]),
            )
            _move_pending_request(conn, row["id"], cursor.lastrowid)
            return _launch_where(conn, "stack_id", stack_id)

    def get_by_token(self, token: str) -> Launch | None:
        return self._get_one("token", token)

    def get_by_stack(self, stack_id: str, *, with_request: bool = True) -> Launch | None:
        """``with_request=False`` for the tracker, which reads a launch per callback and never
        needs its template."""
        return self._get_one("stack_id", stack_id, with_request=with_request)

    def _get_one(self, column: str, value: str, *, with_request: bool = True) -> Launch | None:
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {_launch_columns(with_request)} WHERE {column} = ?", (value,)
            ).fetchone()
        return None if row is None else _launch_from_row(row, with_request=with_request)

    def unfinished(self) -> list[Launch]:
        """Stacks whose current operation has not been announced, oldest first (reconcile)."""
        with self._read() as conn:
            rows = conn.execute(
                f"""SELECT {_LAUNCHES_WITH_REQUESTS} WHERE finished_at IS NULL
                ORDER BY created_at, launches.id"""
            ).fetchall()
        return [_launch_from_row(row) for row in rows]

    def history(
        self,
        limit: int = 100,
        offset: int = 0,
        search: str | None = None,
        *,
        with_request: bool = True,
    ) -> list[Launch]:
        """Newest first; ``search`` is a literal, case-insensitive substring of name/id/status.
        ``with_request=False`` for lists (the stacks window): each request holds a template."""
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        where = ""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if search:
            where = "WHERE " + " OR ".join(
                f"{column} LIKE :pattern ESCAPE '\\'"
                for column in ("stack_name", "stack_id", "status")
            )
            params["pattern"] = _like_pattern(search)
        with self._read() as conn:
            rows = conn.execute(
                f"""SELECT {_launch_columns(with_request)} {where}
                ORDER BY created_at DESC, launches.id DESC LIMIT :limit OFFSET :offset""",
                params,
            ).fetchall()
        return [_launch_from_row(row, with_request=with_request) for row in rows]

    def known_launches(self, limit: int = 10_000) -> list[KnownLaunch]:
        """``history(limit)``'s launches, newest first, with only what the tracker needs at
        start: decoding every launch's request (its template) and outputs took 0.2 s of
        start-up for 1,000 launches of 20 KB templates."""
        with self._read() as conn:
            rows = conn.execute(
                """SELECT token, stack_id, status, finished_at FROM launches
                ORDER BY created_at DESC, id DESC LIMIT ?""",
                (max(limit, 0),),
            ).fetchall()
        return [KnownLaunch(*row) for row in rows]

    def update_status(
        self,
        stack_id: str,
        status: str,
        reason: str,
        outputs: list[dict[str, Any]] | None = None,
    ) -> None:
        """Record progress (not an announcement); ``outputs=None`` keeps the stored ones."""
        now = self._clock()
        with self._write() as conn:
            self._launch_id(conn, stack_id)
            conn.execute(
                """UPDATE launches SET status = ?, status_reason = ?,
                    outputs = coalesce(?, outputs), updated_at = ? WHERE stack_id = ?""",
                (status, reason, None if outputs is None else _dump(outputs), now, stack_id),
            )

    def begin_operation(
        self,
        stack_id: str,
        operation: str,
        status: str,
        *,
        notification_url: str | None = None,
    ) -> Launch:
        """Track a new operation (UPDATE/DELETE) on a known stack.

        Bumps ``operation_seq`` so the gate lets this operation announce again, reopens the
        stack (finished_at NULL) and keeps the announced list as history. A new
        ``notification_url`` (same token, new tunnel) also clears the polling flag.
        """
        now = self._clock()
        with self._write() as conn:
            launch_id = self._launch_id(conn, stack_id)
            conn.execute(
                """UPDATE launches SET operation = ?, operation_seq = operation_seq + 1,
                    status = ?, status_reason = '', finished_at = NULL, updated_at = ?,
                    notification_url = coalesce(?, notification_url),
                    polling = CASE WHEN ? IS NULL THEN polling ELSE 0 END
                WHERE id = ?""",
                (operation, status, now, notification_url, notification_url, launch_id),
            )
            return _launch_where(conn, "launches.id", launch_id)

    def restore_operation(self, previous: Launch) -> bool:
        """Undo ``begin_operation`` after the API refused the operation: the stack is back
        where ``previous`` left it. False (and nothing changed) if another operation began
        since, or the new one was already announced."""
        now = self._clock()
        with self._write() as conn:
            cursor = conn.execute(
                """UPDATE launches SET operation = ?, operation_seq = ?, status = ?,
                    status_reason = ?, finished_at = ?, notification_url = ?, polling = ?,
                    updated_at = ?
                WHERE stack_id = ? AND operation_seq = ? AND NOT EXISTS (
                    SELECT 1 FROM announcements a
                    WHERE a.launch_id = launches.id AND a.operation_seq = launches.operation_seq
                )""",
                (
                    previous.operation, previous.operation_seq, previous.status,
                    previous.status_reason, previous.finished_at, previous.notification_url,
                    int(previous.polling), now, previous.stack_id, previous.operation_seq + 1,
                ),
            )  # fmt: skip
            return cursor.rowcount > 0

    def announce(
        self,
        stack_id: str,
        status: str,
        reason: str,
        outputs: list[dict[str, Any]] | None = None,
    ) -> bool:
        """The exactly-once gate: True only for the first caller per (stack, operation, status).

        The UNIQUE row in ``announcements`` is the arbiter, inserted in the same IMMEDIATE
        transaction that finishes the launch, so racing threads, connections or processes
        cannot both win, and a crash cannot leave one half written.
        """
        now = self._clock()
        with self._write() as conn:
            row = conn.execute(
                "SELECT id, operation_seq, announced FROM launches WHERE stack_id = ?",
                (stack_id,),
            ).fetchone()
            if row is None:
                raise UnknownStackError(f"no tracked stack {stack_id!r}")
            inserted = conn.execute(
                """INSERT OR IGNORE INTO announcements (launch_id, operation_seq, status,
                    announced_at) VALUES (?, ?, ?, ?)""",
                (row["id"], row["operation_seq"], status, now),
            ).rowcount
            if not inserted:
                return False
            announced = [*json.loads(row["announced"]), status]
            conn.execute(
                """UPDATE launches SET status = ?, status_reason = ?,
                    outputs = coalesce(?, outputs), finished_at = ?, updated_at = ?,
                    announced = ? WHERE id = ?""",
                (
                    status, reason, None if outputs is None else _dump(outputs), now, now,
                    _dump(announced), row["id"],
                ),
            )  # fmt: skip
        return True

    def set_polling(self, stack_id: str, polling: bool) -> None:
        """Mark that callbacks can no longer reach us, so the tracker polls this stack."""
        now = self._clock()
        with self._write() as conn:
            launch_id = self._launch_id(conn, stack_id)
            conn.execute(
                "UPDATE launches SET polling = ?, updated_at = ? WHERE id = ?",
                (int(polling), now, launch_id),
            )

    # -- callbacks ------------------------------------------------------------------

    def record_callback(
        self,
        token: str,
        stack_id: str | None,
        remote: str,
        headers: Mapping[str, str],
        body: bytes,
        verdict: str = "pending",
        detail: str = "",
    ) -> int:
        """Keep a received POST verbatim (credentials redacted) before it is acted on."""
        row = CallbackRow(token, stack_id, remote, headers, body, verdict, detail)
        return self.record_callbacks([row])[0]

    def record_callbacks(self, rows: Sequence[CallbackRow]) -> list[int]:
        """``record_callback`` for many POSTs in one transaction (group commit): all or none.
        Returns the row ids in order."""
        if not rows:
            return []
        now = self._clock()
        # The connection itself, not _Conn: every text below is scrubbed by hand (the headers
        # are ASCII JSON), which is most of the Python work saved per row. The parameters go
        # straight into one flat list, _CALLBACK_COLUMNS per row.
        values: list[Any] = []
        for token, stack_id, remote, headers, body, verdict, detail in rows:
            if not f"{token}{stack_id}{remote}{verdict}{detail}".isascii():
                # One test for the five texts of a usual row; only then each on its own.
                token, stack_id, remote, verdict, detail = map(
                    _bindable, (token, stack_id, remote, verdict, detail)
                )
            values += (
                token, stack_id, now, remote, _dump_headers(redact_headers(headers)),
                bytes(body), verdict, detail,
            )  # fmt: skip
        # SQLite numbers the rows: one more than the largest id, row after row (no
        # AUTOINCREMENT, and the write lock is held), so a statement's rows end at its last
        # insert rowid. No "SELECT max(id)" per group.
        ids: list[int] = []
        if len(rows) <= _ONE_STATEMENT_ROWS:
            # One statement is a transaction of its own: all or none without BEGIN and COMMIT
            # and the _write layer (26,000 instructions a group), and one GIL hand-off on the
            # worker instead of one per statement.
            with self._lock:
                conn = self._connection()
                try:
                    last = conn.execute(_insert_callbacks_sql(len(rows)), values).lastrowid
                except sqlite3.Error as exc:
                    raise self._error(exc) from exc
            ids += range(last - len(rows) + 1, last + 1)
        else:
            with self._write() as tx:
                for start, size in _statement_chunks(len(rows)):
                    last = tx.raw.execute(
                        _insert_callbacks_sql(size),
                        values[start * _CALLBACK_COLUMNS : (start + size) * _CALLBACK_COLUMNS],
                    ).lastrowid
                    ids += range(last - size + 1, last + 1)
        if ids and ids[-1] // PRUNE_EVERY > (ids[0] - 1) // PRUNE_EVERY:
            # Crossed a multiple of PRUNE_EVERY; ids only grow, so this keeps the newest rows
            # in one range scan. Housekeeping after the commit: if it fails, the rows stay
            # stored (failing the group would have them written twice), and the next multiple
            # tries again.
            try:
                with self._write() as tx:
                    tx.execute(
                        "DELETE FROM callbacks WHERE id <= ?", (ids[-1] - self._max_callbacks,)
                    )
            except StoreError as exc:
                log.warning("old callbacks not pruned (next try in %d): %s", PRUNE_EVERY, exc)
        return ids

    def set_verdict(self, callback_id: int, verdict: str, detail: str = "") -> bool:
        """Record what the tracker decided; False if the row was already pruned."""
        return self.set_verdicts([(callback_id, verdict, detail)])[0]

    def set_verdicts(self, verdicts: Sequence[tuple[int, str, str]]) -> list[bool]:
        """``set_verdict`` for many ``(callback_id, verdict, detail)`` in one transaction."""
        with self._write() as conn:
            if len({v[0] for v in verdicts}) == len(verdicts):
                found: list[bool] = []
                for start, size in _statement_chunks(len(verdicts)):
                    chunk = verdicts[start : start + size]
                    if conn.execute(_verdicts_sql(size), _verdicts_params(chunk)).rowcount == size:
                        found += [True] * size
                    else:  # some were pruned: which ones (rare; the same values again)
                        found += [_set_verdict_row(conn, *verdict) for verdict in chunk]
                return found
            # One callback twice: one statement each, so the last verdict wins.
            return [_set_verdict_row(conn, *verdict) for verdict in verdicts]

    def supersede_pending(self, received_before: float, detail: str) -> int:
        """Give a verdict to callbacks whose verification a stop cut short (still 'pending'),
        received before ``received_before`` (so never one this run is verifying)."""
        with self._write() as conn:
            cursor = conn.execute(
                """UPDATE callbacks SET verdict = 'superseded', detail = ?
                WHERE verdict = 'pending' AND received_at < ?""",
                (detail, received_before),
            )
            return cursor.rowcount

    def callbacks_for(self, stack_id: str, limit: int = 50) -> list[Callback]:
        """Newest first: POSTs to this stack's token, plus any that claimed its StackId."""
        with self._read() as conn:
            rows = conn.execute(
                """SELECT * FROM callbacks WHERE stack_id = :s
                    OR token = (SELECT token FROM launches WHERE stack_id = :s)
                ORDER BY id DESC LIMIT :l""",
                {"s": stack_id, "l": max(limit, 0)},
            ).fetchall()
        return [_callback_from_row(row) for row in rows]

    def recent_callbacks(self, limit: int = 50) -> list[Callback]:
        """Newest first, every token: the receiver's event log."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT * FROM callbacks ORDER BY id DESC LIMIT ?", (max(limit, 0),)
            ).fetchall()
        return [_callback_from_row(row) for row in rows]

    def prune_callbacks(self, keep: int) -> int:
        """Delete all but the newest ``keep`` callbacks (hostile senders must not fill the disk)."""
        if keep < 0:
            raise ValueError("keep must not be negative")
        with self._write() as conn:
            cursor = conn.execute(
                """DELETE FROM callbacks WHERE id NOT IN
                    (SELECT id FROM callbacks ORDER BY id DESC LIMIT ?)""",
                (keep,),
            )
            return cursor.rowcount


class _Offload(Generic[P, T]):
    """Turns ``Store.method`` into an awaitable ``AsyncStore.method`` with the same signature.

    A descriptor rather than hand-written wrappers: one line per method, and type checkers
    see ``Callable[P, Awaitable[T]]`` with the Store method's parameters and result.
    """

    def __init__(
        self, method: Callable[Concatenate[Store, P], T], *, on_loop: str | None = None
    ) -> None:
        self._method = method
        self._on_loop = on_loop  # None, "read", "write-when-idle" or "write-past-rows"
        self.__doc__ = method.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, obj: None, owner: type) -> _Offload[P, T]: ...

    @overload
    def __get__(self, obj: AsyncStore, owner: type) -> Callable[P, Awaitable[T]]: ...

    def __get__(
        self, obj: AsyncStore | None, owner: type
    ) -> _Offload[P, T] | Callable[P, Awaitable[T]]:
        if obj is None:
            return self
        method = self._method
        on_loop = self._on_loop

        async def offloaded(*args: P.args, **kwargs: P.kwargs) -> T:
            if on_loop is not None and (conn := obj._loop_connection(on_loop)) is not None:
                # A few statements on one row (tens to hundreds of µs): cheaper here than two
                # thread hand-offs. A busy database or any other failure: the worker's way.
                with contextlib.suppress(StoreError):
                    return method(conn, *args, **kwargs)
            return await obj.run(method, *args, **kwargs)

        offloaded.__name__ = offloaded.__qualname__ = self._name
        offloaded.__doc__ = method.__doc__
        return offloaded


# Calls taken to the worker thread in one trip at most; a trip holds no lock the loop needs,
# so this only bounds how long the callers at the back of a burst wait for their answers.
MAX_TRIP = 256
# Callers woken per loop iteration when a trip's answers come back.
ANSWER_CHUNK = 32


@dataclass(slots=True)
class _Call:
    """One queued store call; ``grouped`` calls of the same ``fn`` share a transaction:
    ``fn(store, [arg, ...])`` returns one result per call."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    future: asyncio.Future[Any]
    grouped: bool = False


def _run_trip(store: Store, calls: list[_Call]) -> list[_Outcome]:
    """On the worker thread: every call in order, each its own transaction, except that a run
    of consecutive grouped calls commits once. Never touches the futures (loop-owned)."""
    outcomes: list[_Outcome] = []
    i = 0
    while i < len(calls):
        call = calls[i]
        if not call.grouped:
            outcomes.append(_outcome(call.fn, store, *call.args, **call.kwargs))
            i += 1
            continue
        j = i + 1
        while j < len(calls) and calls[j].grouped and calls[j].fn is call.fn:
            j += 1
        group = calls[i:j]
        try:
            results = call.fn(store, [c.args[0] for c in group])
            outcomes.extend((True, result) for result in results)
        except Exception as exc:
            if len(group) == 1:
                outcomes.append((False, exc))
            else:  # one bad row must not fail the others: each alone, as it would have been
                for c in group:
                    ok, value = _outcome(c.fn, store, [c.args[0]])
                    outcomes.append((True, value[0]) if ok else (False, value))
        i = j
    return outcomes


def _outcome(fn: Callable[..., Any], store: Store, *args: Any, **kwargs: Any) -> _Outcome:
    try:
        return True, fn(store, *args, **kwargs)
    except Exception as exc:
        return False, exc


class AsyncStore:
    """A Store for the event loop: every call runs on one dedicated worker thread.

    One thread keeps disk I/O off the loop and serializes calls in submission order, so
    the engine never interleaves two transactions of its own. Calls that arrive while the
    worker is busy wait and then go together in one trip (one thread hand-off and one wake-up
    of the loop for all of them, which under a burst was the receiver's bottleneck), and the
    callbacks among them are committed in one transaction. Each caller still gets its answer
    only after its own write is committed; a lone call goes at once, with no timer.
    """

    def __init__(self, store: Store, *, thread: StoreThread | None = None) -> None:
        self._store = store
        self._thread = thread or StoreThread()
        self._closed = False
        self._queue: list[_Call] = []
        self._in_trip = False
        self._trip_calls: list[_Call] = []  # the trip on the worker now
        self.trips = 0  # hand-offs to the worker thread so far
        self._loop_conn: Store | None = None
        self._loop_conn_failed = False
        self._checkpointer = WalCheckpointer(store.path)
        store.defer_checkpoints(JOURNAL_SIZE_LIMIT)

    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        clock: Callable[[], float] = time.time,
        max_callbacks: int = MAX_CALLBACKS,
    ) -> AsyncStore:
        """Open on the worker thread, so even migrations never block the loop."""
        thread = StoreThread()
        try:
            store = await thread.run(
                functools.partial(Store.open, path, clock=clock, max_callbacks=max_callbacks)
            )
        except BaseException:
            thread.stop()
            raise
        return cls(store, thread=thread)

    @property
    def store(self) -> Store:
        """The wrapped Store, for synchronous use outside the loop (tests, CLI)."""
        return self._store

    def _loop_connection(self, use: str) -> Store | None:
        """The loop's own connection, opened on first use, for a point read (it sees the last
        commit, as a read queued a moment earlier would), or for a write when the worker has
        nothing queued or running, so the write cannot overtake one submitted before it (a
        callback's row stays committed before the announcement it leads to). None once
        closed or if it cannot be opened: everything then goes through the worker.

        "write-past-rows" may also pass callbacks' rows and verdicts (grouped calls) queued or
        running on the worker, never anything else: the caller has seen the rows it depends
        on committed (``Tracker._announce``). Under a flood of callbacks the worker is never
        idle, and the announcement waited behind two trips of other stacks' rows."""
        if self._closed or self._loop_conn_failed:
            return None
        if use == "write-when-idle" and (self._in_trip or self._queue):
            return None
        if use == "write-past-rows" and not all(
            call.grouped for call in (*self._trip_calls, *self._queue)
        ):
            return None
        if self._loop_conn is None:
            try:
                self._loop_conn = Store.open_on_loop(self._store.path, clock=self._store._clock)
            except StoreError as exc:
                log.debug("no connection for the loop: %s", exc)
                self._loop_conn_failed = True
                return None
        return self._loop_conn

    async def run(
        self, fn: Callable[Concatenate[Store, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``fn(store, *args, **kwargs)`` on the worker thread, after earlier calls."""
        if self._closed:
            raise StoreError(f"history database {self._store.path} is closed")
        return await self._submit(fn, args, kwargs)

    def record_callback(
        self,
        token: str,
        stack_id: str | None,
        remote: str,
        headers: Mapping[str, str],
        body: bytes,
        verdict: str = "pending",
        detail: str = "",
    ) -> asyncio.Future[int]:
        """Keep a received POST verbatim (credentials redacted) before it is acted on; calls
        that queue up together are committed in one transaction (group commit).

        Queued when called, not when awaited: every store call made after this one (an
        announcement it leads to) is committed after it, so a caller may act on the POST
        while the row is being written."""
        if self._closed:
            raise StoreError(f"history database {self._store.path} is closed")
        row = CallbackRow(token, stack_id, remote, headers, body, verdict, detail)
        return self._submit(Store.record_callbacks, (row,), {}, grouped=True)

    async def set_verdict(self, callback_id: int, verdict: str, detail: str = "") -> bool:
        """Record what the tracker decided; False if the row was already pruned. Grouped like
        ``record_callback``: a burst of duplicates is a burst of verdicts."""
        if self._closed:
            raise StoreError(f"history database {self._store.path} is closed")
        row = (callback_id, verdict, detail)
        return await self._submit(Store.set_verdicts, (row,), {}, grouped=True)

    def _submit(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        grouped: bool = False,
    ) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.append(_Call(fn, args, kwargs, future, grouped))
        if not self._in_trip:
            # After what the loop already has to do: a woken worker takes the GIL from the
            # loop on one core, so starting at once made the task that submitted a callback
            # (and is about to send its GetStack) wait for the commit it does not need.
            # Calls made meanwhile join the trip.
            self._in_trip = True
            loop.call_soon(self._start_trip, loop)
        return future

    def _start_trip(self, loop: asyncio.AbstractEventLoop) -> None:
        calls, self._queue = self._queue[:MAX_TRIP], self._queue[MAX_TRIP:]
        self._in_trip = True
        self._trip_calls = calls
        self.trips += 1
        self._thread.call(
            loop,
            functools.partial(self._trip, calls),
            functools.partial(self._trip_done, loop, calls),
        )

    def _trip(self, calls: list[_Call]) -> list[_Outcome]:
        outcomes = _run_trip(self._store, calls)
        self._checkpointer.poke()
        return outcomes

    def _trip_done(
        self, loop: asyncio.AbstractEventLoop, calls: list[_Call], trip: _Outcome
    ) -> None:
        self._trip_calls = []
        ok, value = trip
        outcomes: list[_Outcome] = value if ok else [(False, value)] * len(calls)
        if self._queue:
            # Not at once: the calls of one more loop iteration join the trip. Under a flood
            # of callbacks, a trip started here (a trip per loop iteration) woke the worker so
            # often that the loop, taking the GIL back after each wake-up, answered a callback
            # in 55 ms (median) instead of 44 (bench/fixes.md, session 7).
            loop.call_soon(self._start_trip, loop)
        else:
            self._in_trip = False
        self._answer(loop, list(zip(calls, outcomes, strict=True)))

    def _answer(
        self, loop: asyncio.AbstractEventLoop, answers: list[tuple[_Call, _Outcome]]
    ) -> None:
        """Wake the callers ANSWER_CHUNK at a time, one loop iteration each: every caller is a
        request handler that replies when woken, and 256 of them in one iteration held the
        loop (and its timers) for 40 ms in the burst benchmark."""
        for call, outcome in answers[:ANSWER_CHUNK]:
            settle(call.future, outcome)
        if len(answers) > ANSWER_CHUNK:
            loop.call_soon(self._answer, loop, answers[ANSWER_CHUNK:])

    async def close(self) -> None:
        """Close after the calls already queued have run. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._loop_conn is not None:
            self._loop_conn.close()
        try:
            await self._submit(Store.close, (), {})
        finally:
            self._thread.stop()
            # Off the loop: it waits for a checkpoint that may be fsyncing.
            await asyncio.get_running_loop().run_in_executor(None, self._checkpointer.close)

    async def __aenter__(self) -> AsyncStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    add_launch = _Offload(Store.add_launch)
    add_pending = _Offload(Store.add_pending)
    pending_launches = _Offload(Store.pending_launches)
    bind_pending = _Offload(Store.bind_pending)
    drop_pending = _Offload(Store.drop_pending)
    mark_never_created = _Offload(Store.mark_never_created)
    restore_operation = _Offload(Store.restore_operation)
    supersede_pending = _Offload(Store.supersede_pending)
    get_by_token = _Offload(Store.get_by_token, on_loop="read")
    get_by_stack = _Offload(Store.get_by_stack, on_loop="read")
    unfinished = _Offload(Store.unfinished)
    history = _Offload(Store.history)
    known_launches = _Offload(Store.known_launches)
    update_status = _Offload(Store.update_status)
    begin_operation = _Offload(Store.begin_operation)
    # The gate. Any caller: on the loop when the worker is idle, else in submission order.
    announce = _Offload(Store.announce, on_loop="write-when-idle")
    # The tracker's: it has seen every row its announcement depends on committed, so the gate
    # may also pass other stacks' rows and verdicts queued at the worker.
    announce_past_rows = _Offload(Store.announce, on_loop="write-past-rows")
    set_polling = _Offload(Store.set_polling)
    record_callbacks = _Offload(Store.record_callbacks)
    set_verdicts = _Offload(Store.set_verdicts)
    callbacks_for = _Offload(Store.callbacks_for)
    recent_callbacks = _Offload(Store.recent_callbacks)
    prune_callbacks = _Offload(Store.prune_callbacks)

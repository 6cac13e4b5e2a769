"""Qt item models for the stacks window, and the small helpers their views share.

Every string that came from a template, ROS or a callback is shown through ``inert`` (one
line, no control or bidi tricks); views render item text as plain text, and tooltips, which
Qt would sniff for rich text, are escaped explicitly.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap

from rostray.core.ros import StackEvent
from rostray.core.store import Callback, Launch
from rostray.core.text import inert

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
RawRole = Qt.ItemDataRole.UserRole  # the untouched value (for copying)
SortRole = Qt.ItemDataRole.UserRole + 1  # numbers and timestamps sort as such
StackIdRole = Qt.ItemDataRole.UserRole + 2
CELL_LIMIT = 300  # characters in one table cell; the full value is in the tooltip and copy

# -- status groups ----------------------------------------------------------------------------

ALL, IN_PROGRESS, SUCCEEDED, FAILED = "all", "in_progress", "succeeded", "failed"
STATUS_GROUPS = (ALL, IN_PROGRESS, SUCCEEDED, FAILED)
COLORS = {
    IN_PROGRESS: "#2f6fce",
    SUCCEEDED: "#2e8540",
    FAILED: "#c62828",
    "deleted": "#6b7280",
}


def status_group(status: str) -> str:
    """A rollback that completed is still a failed operation from the user's point of view."""
    if status.endswith("_IN_PROGRESS") or not status.endswith(("_COMPLETE", "_FAILED")):
        return IN_PROGRESS
    if status.endswith("_FAILED") or "ROLLBACK" in status:
        return FAILED
    return SUCCEEDED


def status_color(status: str) -> QColor:
    if status == "DELETE_COMPLETE":
        return QColor(COLORS["deleted"])
    return QColor(COLORS[status_group(status)])


_dots: dict[str, QIcon] = {}


def status_icon(status: str) -> QIcon:
    """A small filled dot in the status colour, so the state reads without colour-only text."""
    color = status_color(status).name()
    if color not in _dots:
        pixmap = QPixmap(12, 12)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(color))
        painter.drawEllipse(1, 1, 10, 10)
        painter.end()
        _dots[color] = QIcon(pixmap)
    return _dots[color]


# -- text helpers -----------------------------------------------------------------------------


def plain_tooltip(text: str) -> str:
    """Tooltips are rich text when they look like HTML; escape so they never are."""
    if not text:
        return ""
    return f"<p style='white-space:pre-wrap'>{html.escape(text, quote=False)}</p>"


def value_text(value: Any) -> str:
    """An output value as the user would copy it: strings as they are, the rest as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def format_time(epoch: float | None) -> str:
    if not epoch:
        return ""
    local = time.localtime(epoch)
    if time.strftime("%Y-%m-%d", local) == time.strftime("%Y-%m-%d"):
        return time.strftime("%H:%M:%S", local)
    return time.strftime("%Y-%m-%d %H:%M", local)


def ros_time(text: str) -> str:
    """ROS times are UTC ISO 8601 without a zone; show them in local time like the history."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text.replace("T", " ")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return format_time(parsed.timestamp())


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = max(seconds, 0.0)
    if seconds < 1:
        return QCoreApplication.translate("HistoryModel", "< 1 s")
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return QCoreApplication.translate("HistoryModel", "{h} h {m:02d} min").format(
            h=hours, m=minutes
        )
    if minutes:
        return QCoreApplication.translate("HistoryModel", "{m} min {s:02d} s").format(
            m=minutes, s=secs
        )
    return QCoreApplication.translate("HistoryModel", "{s} s").format(s=secs)


def launch_duration(launch: Launch, now: float | None = None) -> float | None:
    """Only the create operation has a known start; later operations reuse created_at."""
    if launch.operation != "CREATE":
        return None
    end = launch.finished_at if launch.finished_at is not None else (now or time.time())
    return end - launch.created_at


# -- history ----------------------------------------------------------------------------------


class HistoryModel(QAbstractTableModel):
    """Tracked stacks, one row each; merged in place so selection and scroll survive refreshes."""

    NAME, REGION, STATUS, STARTED, DURATION = range(5)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Launch] = []
        self._row_of: dict[str, int] = {}
        self._headers = [
            self.tr("Name"),
            self.tr("Region"),
            self.tr("Status"),
            self.tr("Started"),
            self.tr("Duration"),
        ]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def launch(self, row: int) -> Launch:
        return self._rows[row]

    def row_of(self, stack_id: str) -> int | None:
        return self._row_of.get(stack_id)

    def launches(self) -> list[Launch]:
        return list(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        launch = self._rows[index.row()]
        column = index.column()
        if role == StackIdRole:
            return launch.stack_id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(launch, column)
        if role == SortRole:
            return self._sort_key(launch, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(launch, column)
        if column == self.STATUS and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(status_color(launch.status))
        if column == self.STATUS and role == Qt.ItemDataRole.DecorationRole:
            return status_icon(launch.status)
        return None

    def _display(self, launch: Launch, column: int) -> str:
        if column == self.NAME:
            return inert(launch.stack_name, 120)
        if column == self.REGION:
            return inert(launch.region, 40)
        if column == self.STATUS:
            return inert(launch.status, 60)
        if column == self.STARTED:
            return format_time(launch.created_at)
        return format_duration(launch_duration(launch))

    def _sort_key(self, launch: Launch, column: int) -> Any:
        if column == self.STARTED:
            return launch.created_at
        if column == self.DURATION:
            return launch_duration(launch) or -1.0
        return self._display(launch, column).casefold()

    def _tooltip(self, launch: Launch, column: int) -> str:
        if column == self.NAME:
            return plain_tooltip(f"{launch.stack_name}\n{launch.stack_id}")
        if column == self.STATUS and launch.status_reason:
            return plain_tooltip(f"{launch.status}\n{inert(launch.status_reason, 600)}")
        if column == self.DURATION and launch.operation != "CREATE":
            return self.tr("Only the create operation's duration is known.")
        return ""

    def set_launches(self, launches: Sequence[Launch]) -> None:
        """Update changed rows, append new ones, drop vanished ones: no reset, no lost state."""
        fresh = {x.stack_id: x for x in launches}
        for stack_id in [s for s in self._row_of if s not in fresh]:
            row = self._row_of[stack_id]
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self._reindex()
            self.endRemoveRows()
        for launch in launches:
            row = self._row_of.get(launch.stack_id)
            if row is None:
                end = len(self._rows)
                self.beginInsertRows(QModelIndex(), end, end)
                self._rows.append(launch)
                self._row_of[launch.stack_id] = end
                self.endInsertRows()
            elif self._rows[row] != launch:
                self._rows[row] = launch
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def touch_running(self) -> bool:
        """Repaint the duration of running stacks; True while any is still running."""
        running = [r for r, x in enumerate(self._rows) if x.finished_at is None]
        for row in running:
            cell = self.index(row, self.DURATION)
            self.dataChanged.emit(cell, cell)
        return bool(running)

    def _reindex(self) -> None:
        self._row_of = {x.stack_id: r for r, x in enumerate(self._rows)}


class HistoryFilter(QSortFilterProxyModel):
    """Status group plus a case-insensitive substring over name, id, region and status."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._group = ALL
        self._needle = ""
        self.setSortRole(SortRole)
        self.setDynamicSortFilter(True)

    @property
    def group(self) -> str:
        return self._group

    @property
    def search(self) -> str:
        return self._needle

    def set_group(self, group: str) -> None:
        if group not in STATUS_GROUPS:
            raise ValueError(f"unknown status group {group!r}")
        if group != self._group:
            self._refilter(lambda: setattr(self, "_group", group))

    def set_search(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle != self._needle:
            self._refilter(lambda: setattr(self, "_needle", needle))

    def _refilter(self, change: Callable[[], None]) -> None:
        """begin/endFilterChange exist from Qt 6.10; older Qt only has invalidateFilter."""
        if hasattr(self, "endFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange()
        else:
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, HistoryModel):
            return True
        launch = model.launch(source_row)
        if self._group != ALL and status_group(launch.status) != self._group:
            return False
        if not self._needle:
            return True
        haystack = (launch.stack_name, launch.stack_id, launch.region, launch.status)
        return any(self._needle in field.casefold() for field in haystack)


# -- simple tables for the details pane -------------------------------------------------------


@dataclass(frozen=True)
class Column:
    title: str
    get: Callable[[Any], Any]
    limit: int = CELL_LIMIT
    tip: Callable[[Any], str] | None = None  # a tooltip other than the full cell text
    status: bool = False  # the cell is a ROS status: colour it like the history does


class RecordsModel(QAbstractTableModel):
    """A read-only table of records; each column says how to read its cell from a record."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._records: list[Any] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self._columns[index.column()]
        raw = column.get(self._records[index.row()])
        if role == RawRole:
            return raw
        text = "" if raw is None else value_text(raw)
        if role == Qt.ItemDataRole.DisplayRole:
            return inert(text, column.limit)
        if role == Qt.ItemDataRole.ForegroundRole and column.status and text:
            return QBrush(status_color(text))
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.tip is not None:
                return plain_tooltip(column.tip(self._records[index.row()]))
            return plain_tooltip(text[:4000]) if len(text) > 40 else None
        return None

    def record(self, row: int) -> Any:
        return self._records[row]

    def records(self) -> list[Any]:
        return list(self._records)

    def set_records(self, records: Sequence[Any]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()


def outputs_model(parent: QObject | None = None) -> RecordsModel:
    """Rows are the stored ``{OutputKey, OutputValue, Description}`` dicts."""
    return RecordsModel(
        [
            Column(
                QCoreApplication.translate("HistoryModel", "Key"),
                lambda o: o.get("OutputKey", ""),
                80,
            ),
            Column(
                QCoreApplication.translate("HistoryModel", "Value"), lambda o: o.get("OutputValue")
            ),
            Column(
                QCoreApplication.translate("HistoryModel", "Description"),
                lambda o: o.get("Description", ""),
                160,
            ),
        ],
        parent,
    )


def parameters_model(parent: QObject | None = None) -> RecordsModel:
    """Rows are ``(key, value)`` from the stored launch request (NoEcho already ****)."""
    return RecordsModel(
        [
            Column(QCoreApplication.translate("HistoryModel", "Parameter"), lambda p: p[0], 80),
            Column(QCoreApplication.translate("HistoryModel", "Value"), lambda p: p[1]),
        ],
        parent,
    )


def events_model(parent: QObject | None = None) -> RecordsModel:
    return RecordsModel(
        [
            Column(
                QCoreApplication.translate("HistoryModel", "Time"),
                lambda e: ros_time(e.create_time),
                40,
            ),
            Column(
                QCoreApplication.translate("HistoryModel", "Resource"),
                lambda e: e.logical_id,
                80,
                tip=event_tip,
            ),
            Column(
                QCoreApplication.translate("HistoryModel", "Status"),
                lambda e: e.status,
                40,
                status=True,
            ),
            Column(QCoreApplication.translate("HistoryModel", "Reason"), lambda e: e.status_reason),
        ],
        parent,
    )


def callbacks_model(parent: QObject | None = None) -> RecordsModel:
    return RecordsModel(
        [
            Column(
                QCoreApplication.translate("HistoryModel", "Received"),
                lambda c: format_time(c.received_at),
                40,
            ),
            Column(QCoreApplication.translate("HistoryModel", "Verdict"), lambda c: c.verdict, 30),
            Column(
                QCoreApplication.translate("HistoryModel", "Claimed status"), claimed_status, 40
            ),
            Column(QCoreApplication.translate("HistoryModel", "Detail"), lambda c: c.detail),
        ],
        parent,
    )


def event_tip(event: StackEvent) -> str:
    lines = [event.logical_id, event.resource_type]
    if event.physical_id:
        lines.append(event.physical_id)
    return "\n".join(lines)


def newest_first(events: Sequence[StackEvent]) -> list[StackEvent]:
    """ROS pages newest first already; sort anyway so a backend that does not still reads right."""
    return sorted(events, key=lambda e: e.create_time, reverse=True)


def claimed_status(callback: Callback) -> str:
    try:
        document = json.loads(callback.body)
    except (ValueError, UnicodeDecodeError):
        return ""
    status = document.get("Status") if isinstance(document, dict) else None
    return status if isinstance(status, str) else ""


# -- background tasks -------------------------------------------------------------------------


class TaskSet:
    """Strong references for fire-and-forget coroutines on the (qasync) loop.

    Widgets start engine calls from plain slots; without a reference a pending task can be
    garbage-collected, and without a done-callback its failure would vanish silently.
    """

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a plain Qt slot while qasync runs: the loop is set, not running
            loop = asyncio.get_event_loop()
        task = loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("background task failed", exc_info=exc)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until no task is pending (tasks may start others); for tests and shutdown."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._tasks:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError("background tasks still running")
            await asyncio.wait(list(self._tasks), timeout=remaining)

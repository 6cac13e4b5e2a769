"""The stacks window: launch history with filters, and the details of the selected stack.

It is also the main window when there is no tray, so it must be useful on its own: it
says which backend is in use (sandbox or cloud) and shows the engine's warnings. It reads
history from the store and refreshes when the bridge relays an engine event; it keeps no
timer running while nothing is in progress or the window is hidden.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rostray.core.engine import Engine
from rostray.core.events import (
    CallbackReceived,
    EngineWarning,
    StackFinished,
    StackLaunched,
    StackStatusChanged,
)
from rostray.core.i18n import Text, localized
from rostray.core.text import inert
from rostray.gui.models import (
    ALL,
    FAILED,
    IN_PROGRESS,
    SUCCEEDED,
    HistoryFilter,
    HistoryModel,
    StackIdRole,
    TaskSet,
    status_group,
)
from rostray.gui.stack_details import EVENTS_INTERVAL_MS, StackDetails

HISTORY_LIMIT = 1000
REFRESH_DELAY_MS = 150  # events come in bursts (launch, callback, finish): one reload each
DURATION_TICK_MS = 5000  # repaint running durations; only while visible and something runs
SEGMENT_STYLE = """
QToolButton#segment {
    padding: 4px 14px; border: 1px solid palette(mid); border-left: none;
    background: palette(base); border-radius: 0;
}
QToolButton#segment[edge="first"] {
    border-left: 1px solid palette(mid);
    border-top-left-radius: 5px; border-bottom-left-radius: 5px;
}
QToolButton#segment[edge="last"] { border-top-right-radius: 5px; border-bottom-right-radius: 5px; }
QToolButton#segment:hover { background: palette(alternate-base); }
QToolButton#segment:checked { background: #2f6fce; border-color: #2f6fce; color: white; }
"""
STACK_EVENTS = (StackLaunched, StackStatusChanged, StackFinished, CallbackReceived)


class Banner(QFrame):
    """Which backend rostray talks to, and anything the engine wants the user to know."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        self.mode_label = QLabel()
        self.mode_label.setTextFormat(Qt.TextFormat.PlainText)
        self.mode_label.setObjectName("mode")
        self.warnings_label = QLabel()
        self.warnings_label.setTextFormat(Qt.TextFormat.PlainText)
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setObjectName("warnings")
        self.warnings_label.hide()
        layout.addWidget(self.mode_label)
        layout.addWidget(self.warnings_label)
        self._warnings: list[str] = []

    def set_mode(self, text: str, sandbox: bool) -> None:
        self.mode_label.setText(text)
        self.setProperty("sandbox", sandbox)
        self.setStyleSheet(
            "QFrame#banner { background: %s; border: 1px solid %s; border-radius: 6px; }"
            "QLabel#mode { font-weight: 600; color: %s; }"
            "QLabel#warnings { color: #7a4b00; }"
            % (("#eef4ff", "#c9dafc", "#1d4ed8") if sandbox else ("#eefbf1", "#c4e8cd", "#1f6f35"))
        )

    def add_warning(self, text: str | Text) -> None:
        """An engine warning (``Text`` is shown in the UI language) or an already shown line."""
        line = inert(localized(text, QCoreApplication.translate), 400)
        if line and line not in self._warnings:
            self._warnings.append(line)
            self.warnings_label.setText("\n".join(f"⚠ {w}" for w in self._warnings))
            self.warnings_label.show()

    @property
    def warnings(self) -> list[str]:
        return list(self._warnings)


class StacksWindow(QMainWindow):
    """History table (filter by status group, search) beside a StackDetails pane."""

    replayRequested = Signal(object)  # StackFinished rebuilt from the store: re-send the alert
    updateRequested = Signal(str)  # stack id: open the launch form in update mode
    refreshed = Signal()  # the history table was reloaded (tests, status bar)

    def __init__(
        self,
        engine: Engine,
        parent: QWidget | None = None,
        *,
        events_interval_ms: int = EVENTS_INTERVAL_MS,
        history_limit: int = HISTORY_LIMIT,
    ) -> None:
        super().__init__(parent)
        self.engine = engine
        self.tasks = TaskSet()
        self.destroyed.connect(self.tasks.cancel)  # no task may touch a deleted widget
        self._history_limit = history_limit
        self._refresh_task: asyncio.Task[Any] | None = None
        self._refresh_again = False
        self._loaded_once = False
        self._sized = False
        self._pending_select: str | None = None
        self.setWindowTitle(self.tr("Stacks — rostray"))
        self.resize(1180, 720)
        self.model = HistoryModel(self)
        self.proxy = HistoryFilter(self)
        self.proxy.setSourceModel(self.model)
        self.details = StackDetails(engine, self, events_interval_ms=events_interval_ms)
        self.details.replayRequested.connect(self.replayRequested)
        self.details.updateRequested.connect(self.updateRequested)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._duration_timer = QTimer(self)
        self._duration_timer.setInterval(DURATION_TICK_MS)
        self._duration_timer.timeout.connect(self._tick_durations)
        self._build()
        self.update_banner()

    # -- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(10, 10, 10, 4)
        layout.setSpacing(8)
        self.banner = Banner()
        layout.addWidget(self.banner)
        layout.addLayout(self._build_filters())
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(self._build_table())
        split.addWidget(self.details)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 6)
        split.setSizes([600, 680])
        layout.addWidget(split, 1)
        self.setCentralWidget(central)
        central.setStyleSheet(SEGMENT_STYLE)
        self.count_label = QLabel()
        self.count_label.setContentsMargins(8, 0, 0, 0)
        self.statusBar().addWidget(self.count_label)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        QShortcut(QKeySequence.StandardKey.Refresh, self, self.refresh)

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(0)
        self.status_group_buttons = QButtonGroup(self)
        self.status_buttons: dict[str, QToolButton] = {}
        labels = {
            ALL: self.tr("All"),
            IN_PROGRESS: self.tr("In progress"),
            SUCCEEDED: self.tr("Succeeded"),
            FAILED: self.tr("Failed"),
        }
        for group, label in labels.items():
            button = QToolButton()
            button.setText(label)
            button.setCheckable(True)
            button.setObjectName("segment")
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.clicked.connect(lambda _=False, g=group: self.set_status_filter(g))
            self.status_group_buttons.addButton(button)
            self.status_buttons[group] = button
            row.addWidget(button)
        self.status_buttons[ALL].setChecked(True)
        first, last = self.status_buttons[ALL], self.status_buttons[FAILED]
        first.setProperty("edge", "first")
        last.setProperty("edge", "last")
        row.addSpacing(12)
        row.addStretch(1)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search name, stack ID, region or status"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(280)
        self.search.textChanged.connect(self._on_search)
        row.addWidget(self.search)
        row.addSpacing(6)
        self.refresh_button = QToolButton()
        self.refresh_button.setText(self.tr("Refresh"))
        self.refresh_button.setToolTip(self.tr("Reload the history (F5)"))
        self.refresh_button.clicked.connect(self.refresh)
        row.addWidget(self.refresh_button)
        return row

    def _build_table(self) -> QWidget:
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(HistoryModel.STARTED, Qt.SortOrder.DescendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(26)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(HistoryModel.NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (HistoryModel.REGION, 96),
            (HistoryModel.STATUS, 200),
            (HistoryModel.STARTED, 80),
            (HistoryModel.DURATION, 70),
        ):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.view.setColumnWidth(column, width)
        self.view.selectionModel().selectionChanged.connect(self._on_selection)
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: palette(placeholder-text); padding: 24px;")
        self._table_pages = QStackedWidget()
        self._table_pages.addWidget(self.view)
        self._table_pages.addWidget(self.empty_label)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset):
            signal.connect(self._update_counts)
        self.proxy.layoutChanged.connect(self._update_counts)
        return self._table_pages

    # -- banner -------------------------------------------------------------------------------

    def update_banner(self) -> None:
        engine = self.engine
        if engine.sandbox is not None:
            self.banner.set_mode(self.tr("Embedded ROS sandbox — no cloud account used"), True)
        elif engine.ros is not None:
            self.banner.set_mode(
                self.tr("Alibaba Cloud ROS · {endpoint} · credentials: {source}").format(
                    endpoint=inert(engine.ros.endpoint, 120),
                    source=inert(engine.credential_source, 60),
                ),
                False,
            )
        else:
            self.banner.set_mode(self.tr("Not connected: the engine has not started"), False)
        for warning in engine.warnings:
            self.banner.add_warning(warning)

    def add_warning(self, text: str | Text) -> None:
        self.banner.add_warning(text)

    # -- engine events ------------------------------------------------------------------------

    def connect_bridge(self, bridge: Any) -> None:
        """Wire the app's EngineBridge: its typed signals carry the engine's event objects."""
        for name in ("stackLaunched", "stackStatusChanged", "stackFinished", "callbackReceived"):
            getattr(bridge, name).connect(self.on_event)
        if hasattr(bridge, "warning"):
            bridge.warning.connect(self.on_event)

    def on_event(self, event: object) -> None:
        """Any engine event; stack events schedule one coalesced reload of the history."""
        if isinstance(event, EngineWarning):
            translate = QCoreApplication.translate
            detail = f" ({localized(event.detail, translate)})" if event.detail else ""
            self.add_warning(f"{localized(event.message, translate)}{detail}")
            return
        if not isinstance(event, STACK_EVENTS):
            return
        self._refresh_timer.start()
        if getattr(event, "stack_id", None) == self.details.stack_id:
            self.details.reload()

    # -- history ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload history from the store (coalesced while a reload is running)."""
        if self._refresh_task is not None and not self._refresh_task.done():
            self._refresh_again = True
            return
        self._refresh_task = self.tasks.spawn(self._refresh())

    async def reload(self) -> None:
        """Reload now and wait for it (for the app's start-up and for tests)."""
        self.refresh()
        await self.tasks.idle()

    async def _refresh(self) -> None:
        try:
            if self.engine.store is None:
                return
            launches = await self.engine.history(limit=self._history_limit, with_request=False)
            self.model.set_launches(launches)
            self._after_refresh()
        finally:
            if self._refresh_again:
                self._refresh_again = False
                self._refresh_task = self.tasks.spawn(self._refresh())

    def _after_refresh(self) -> None:
        first = not self._loaded_once
        self._loaded_once = True
        if self._pending_select is not None:
            stack_id, self._pending_select = self._pending_select, None
            self._select(stack_id)
        elif first and self.proxy.rowCount() and not self.view.selectionModel().hasSelection():
            self.view.selectRow(0)
        if not self._sized and self.model.rowCount():
            self._sized = True  # once, so a width the user dragged is kept afterwards
            self.view.resizeColumnToContents(HistoryModel.STATUS)
            width = self.view.columnWidth(HistoryModel.STATUS) + 12
            self.view.setColumnWidth(HistoryModel.STATUS, max(160, min(width, 280)))
        self._update_counts()
        self._update_duration_timer()
        self.refreshed.emit()

    def _update_counts(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        running = sum(1 for x in self.model.launches() if status_group(x.status) == IN_PROGRESS)
        # No English .qm ships, so %n plurals would read "stack(s)": pick the form here.
        text = self.tr("1 stack") if total == 1 else self.tr("{n} stacks").format(n=total)
        if shown != total:
            text = self.tr("{shown} of {total}").format(shown=shown, total=text)
        if running:
            text += " · " + self.tr("{n} in progress").format(n=running)
        self.count_label.setText(text)
        if shown:
            self._table_pages.setCurrentIndex(0)
        else:
            self.empty_label.setText(
                self.tr("No stacks match the filter.")
                if total
                else self.tr(
                    "No stacks yet. Launch one from the tray menu or with `rostray launch`."
                )
            )
            self._table_pages.setCurrentIndex(1)

    # -- filters ------------------------------------------------------------------------------

    def set_status_filter(self, group: str) -> None:
        self.proxy.set_group(group)
        self.status_buttons[group].setChecked(True)
        self._update_counts()

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_counts()

    # -- selection ----------------------------------------------------------------------------

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.view.selectionModel().selectedRows()
        self.details.show_stack(rows[0].data(StackIdRole) if rows else None)

    def selected_stack(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].data(StackIdRole) if rows else None

    def show_stack(self, stack_id: str) -> None:
        """Bring the window up with ``stack_id`` selected (e.g. from a notification click)."""
        self.show()
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()
        if not self._select(stack_id):
            self._pending_select = stack_id
            self.refresh()

    def _select(self, stack_id: str) -> bool:
        row = self.model.row_of(stack_id)
        if row is None:
            return False
        source = self.model.index(row, 0)
        index = self.proxy.mapFromSource(source)
        if not index.isValid():  # filtered out: the user asked for this one, so show it
            self.search.clear()
            self.set_status_filter(ALL)
            index = self.proxy.mapFromSource(source)
        self.view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.view.scrollTo(index)
        return True

    # -- timers and visibility ----------------------------------------------------------------

    def _tick_durations(self) -> None:
        if not self.model.touch_running():
            self._duration_timer.stop()

    def _update_duration_timer(self) -> None:
        running = any(x.finished_at is None for x in self.model.launches())
        wanted = running and self.isVisible() and not self.isMinimized()
        if wanted and not self._duration_timer.isActive():
            self._duration_timer.start()
        elif not wanted:
            self._duration_timer.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded_once:
            self.refresh()
        self._update_duration_timer()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._update_duration_timer()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            self._update_duration_timer()
            self.details.update_polling()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._duration_timer.stop()
        self.details.events_timer.stop()
        super().closeEvent(event)

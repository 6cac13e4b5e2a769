"""The details pane of the stacks window: one stack's outputs, parameters, events, callbacks.

Everything shown here came from a template, ROS or the network, so labels are plain text
and table cells go through ``inert``. Engine calls run as tasks on the qasync loop; the
delete confirmation is a non-blocking ``QMessageBox.open()`` (no nested event loop).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QDesktopServices,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QHideEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rostray.core.engine import Engine, LaunchRefused
from rostray.core.events import StackFinished, console_url
from rostray.core.i18n import localized
from rostray.core.ros import RosError, StackEvent, StackInfo, is_loopback_endpoint
from rostray.core.store import Callback, Launch
from rostray.core.text import inert
from rostray.core.tracker import outputs_from_dicts
from rostray.gui.models import (
    COLORS,
    FAILED,
    IN_PROGRESS,
    RawRole,
    RecordsModel,
    TaskSet,
    callbacks_model,
    events_model,
    format_duration,
    format_time,
    launch_duration,
    newest_first,
    outputs_model,
    parameters_model,
    status_color,
    status_group,
    value_text,
)

EVENTS_INTERVAL_MS = 3000
_HIDDEN = {0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF}


def visible_controls(text: str) -> str:
    """Raw text for an inspector: keep newlines and tabs, show every other control as \\uXXXX.

    A callback body is shown as sent, but a bidi override or an escape sequence must be seen,
    not obeyed.
    """

    def shown(ch: str) -> str:
        code = ord(ch)
        hidden = (
            (code < 0x20 and ch not in "\n\t")
            or 0x7F <= code < 0xA0
            or 0x202A <= code <= 0x202E
            or 0x2066 <= code <= 0x2069
            or code in _HIDDEN
        )
        return f"\\u{code:04x}" if hidden else ch

    return "".join(shown(ch) for ch in text)


def pretty_body(body: bytes) -> tuple[str, bool]:
    """(text, is_json): JSON re-indented, anything else decoded as it came."""
    text = body.decode("utf-8", errors="replace")
    try:
        document = json.loads(text)
    except ValueError:
        return visible_controls(text), False
    return visible_controls(json.dumps(document, indent=2, ensure_ascii=False)), True


def replay_event(launch: Launch) -> StackFinished:
    """The alert the app sent (or would have sent) for the stored result, to send again."""
    return StackFinished(
        stack_id=launch.stack_id,
        stack_name=launch.stack_name,
        region=launch.region,
        operation=launch.operation,
        status=launch.status,
        status_reason=launch.status_reason,
        outputs=outputs_from_dicts(launch.outputs),
        via="replay",
        launched_at=launch.created_at,
        sandbox=launch.sandbox,
        at=launch.finished_at or time.time(),
    )


def error_text(exc: BaseException) -> str:
    if isinstance(exc, RosError):
        return f"{exc.code}: {inert(exc.message, 400)}"
    return inert(localized(exc, QCoreApplication.translate) or type(exc).__name__, 400)


def plain_label(text: str = "", *, selectable: bool = False, wrap: bool = False) -> QLabel:
    """A label that never interprets its text as HTML (stack names and reasons are hostile)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def records_view(model: RecordsModel, stretch: int) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(24)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for column in range(model.columnCount()):
        stretchy = column == stretch
        header.setSectionResizeMode(
            column,
            QHeaderView.ResizeMode.Stretch if stretchy else QHeaderView.ResizeMode.Interactive,
        )
    return view


class StackDetails(QWidget):
    """Everything rostray knows about one stack, plus the actions a user takes on it."""

    replayRequested = Signal(object)  # a StackFinished rebuilt from the stored result
    updateRequested = Signal(str)  # stack id: the app opens the launch form in update mode
    deleteStarted = Signal(str)  # stack id: ROS accepted DeleteStack
    loaded = Signal(str)  # stack id: a (re)load finished (tests, status bars)

    def __init__(
        self,
        engine: Engine,
        parent: QWidget | None = None,
        *,
        events_interval_ms: int = EVENTS_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self.engine = engine
        self.tasks = TaskSet()
        self.destroyed.connect(self.tasks.cancel)  # no task may touch a deleted widget
        self._stack_id: str | None = None
        self._launch: Launch | None = None
        self._info: StackInfo | None = None
        self._generation = 0
        self._live_task: asyncio.Task[Any] | None = None
        self._load_task: asyncio.Task[Any] | None = None
        self._reload_again = False
        self._deleting: set[str] = set()
        self.confirm_box: QMessageBox | None = None
        self.events_timer = QTimer(self)
        self.events_timer.setInterval(events_interval_ms)
        self.events_timer.timeout.connect(self._on_tick)
        self._build()
        self.clear()

    # -- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        self._pages = QStackedWidget()
        self.placeholder = QLabel(
            self.tr("Select a stack to see its outputs, parameters, events and callbacks.")
        )
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setObjectName("placeholder")
        self._pages.addWidget(self.placeholder)
        self._pages.addWidget(self._build_content())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._pages)

    def _build_content(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(8)
        layout.addLayout(self._build_header())
        self.reason_label = plain_label(selectable=True, wrap=True)
        self.reason_label.setObjectName("reason")
        layout.addWidget(self.reason_label)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setMaximumHeight(16)
        layout.addWidget(self.progress)
        layout.addLayout(self._build_meta())
        layout.addLayout(self._build_actions())
        self.error_label = plain_label(selectable=True, wrap=True)
        self.error_label.setObjectName("error")
        layout.addWidget(self.error_label)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_outputs(), "")
        self.tabs.addTab(self._build_parameters(), "")
        self.tabs.addTab(self._build_events(), "")
        self.tabs.addTab(self._build_callbacks(), "")
        layout.addWidget(self.tabs, 1)
        page.setStyleSheet(
            f"QLabel#reason {{ color: {COLORS[FAILED]}; }}"
            "QLabel#error { background: #fdecea; color: #8a1c1c; border: 1px solid #f5c2c0;"
            " border-radius: 4px; padding: 6px 8px; }"
            "QLabel#meta { color: palette(placeholder-text); }"
            "QLabel#hint { color: palette(placeholder-text); }"
        )
        return page

    def _build_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.name_label = plain_label(selectable=True)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.name_label.setFont(font)
        self.name_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status_label = plain_label()
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row.addWidget(self.name_label, 1)
        row.addWidget(self.status_label, 0, Qt.AlignmentFlag.AlignVCenter)
        return row

    def _build_meta(self) -> QFormLayout:
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(3)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.meta: dict[str, QLabel] = {}
        rows = {
            "stack_id": self.tr("Stack ID"),
            "region": self.tr("Region"),
            "operation": self.tr("Operation"),
            "started": self.tr("Started"),
            "finished": self.tr("Finished"),
        }
        for key, title in rows.items():
            value = plain_label(selectable=True)
            value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            caption = QLabel(title)
            caption.setObjectName("meta")
            form.addRow(caption, value)
            self.meta[key] = value
        return form

    def _build_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        self.console_button = QPushButton(self.tr("Open in console"))
        self.console_button.clicked.connect(self._open_console)
        self.replay_button = QPushButton(self.tr("Replay notification"))
        self.replay_button.clicked.connect(self._replay)
        self.update_button = QPushButton(self.tr("Update stack…"))
        self.update_button.clicked.connect(self._request_update)
        self.delete_button = QPushButton(self.tr("Delete stack…"))
        self.delete_button.clicked.connect(self.confirm_delete)
        for button in (
            self.console_button,
            self.replay_button,
            self.update_button,
            self.delete_button,
        ):
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _build_outputs(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        self.outputs = outputs_model(self)
        self.outputs_view = records_view(self.outputs, stretch=1)
        self.outputs_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.outputs_view.customContextMenuRequested.connect(self._outputs_menu)
        self.outputs_view.doubleClicked.connect(lambda index: self.copy_value(index.row()))
        self.outputs_view.selectionModel().selectionChanged.connect(self._update_copy_buttons)
        layout.addWidget(self.outputs_view, 1)
        row = QHBoxLayout()
        self.copy_value_button = QPushButton(self.tr("Copy value"))
        self.copy_value_button.clicked.connect(lambda: self.copy_value(self._selected_output()))
        self.copy_all_button = QPushButton(self.tr("Copy all as JSON"))
        self.copy_all_button.clicked.connect(self.copy_all_json)
        self.copy_note = plain_label()
        self.copy_note.setObjectName("hint")
        row.addWidget(self.copy_value_button)
        row.addWidget(self.copy_all_button)
        row.addWidget(self.copy_note, 1)
        layout.addLayout(row)
        return page

    def _build_parameters(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        self.parameters = parameters_model(self)
        self.parameters_view = records_view(self.parameters, stretch=1)
        layout.addWidget(self.parameters_view, 1)
        self.request_label = plain_label(selectable=True, wrap=True)
        self.request_label.setObjectName("hint")
        layout.addWidget(self.request_label)
        return page

    def _build_events(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        self.events = events_model(self)
        self.events_view = records_view(self.events, stretch=3)
        layout.addWidget(self.events_view, 1)
        self.events_note = plain_label(wrap=True)
        self.events_note.setObjectName("hint")
        layout.addWidget(self.events_note)
        return page

    def _build_callbacks(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Vertical)
        self.callbacks = callbacks_model(self)
        self.callbacks_view = records_view(self.callbacks, stretch=3)
        self.callbacks_view.selectionModel().currentRowChanged.connect(self._show_callback)
        self.callback_text = QPlainTextEdit()
        self.callback_text.setReadOnly(True)
        self.callback_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.callback_text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        split.addWidget(self.callbacks_view)
        split.addWidget(self.callback_text)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(split)
        return page

    # -- public API ---------------------------------------------------------------------------

    @property
    def stack_id(self) -> str | None:
        return self._stack_id

    @property
    def launch(self) -> Launch | None:
        return self._launch

    def show_stack(self, stack_id: str | None) -> None:
        """Show another stack (None: the placeholder); stale answers for the old one are dropped."""
        if stack_id == self._stack_id:
            return
        self._stack_id = stack_id
        self._generation += 1
        self._launch = self._info = None
        self._cancel_live()
        if self._load_task is not None and not self._load_task.done():
            self._load_task.cancel()  # its answer would be for the previous stack
        self._load_task = None
        self._reload_again = False
        self.error_label.hide()
        if stack_id is None:
            self.clear()
            return
        self.reload()

    def clear(self) -> None:
        self._stack_id = self._launch = self._info = None
        self._pages.setCurrentIndex(0)
        self.events_timer.stop()

    def reload(self) -> None:
        """Re-read the store and ROS for the shown stack; calls during a load are coalesced."""
        if self._stack_id is None:
            return
        if self._load_task is not None and not self._load_task.done():
            self._reload_again = True
            return
        self._load_task = self.tasks.spawn(self._load(self._generation))

    @property
    def polling(self) -> bool:
        return self.events_timer.isActive()

    # -- loading ------------------------------------------------------------------------------

    async def _load(self, generation: int) -> None:
        try:
            await self._load_once(generation)
        finally:
            if self._reload_again:
                self._reload_again = False
                self._load_task = self.tasks.spawn(self._load(self._generation))

    async def _load_once(self, generation: int) -> None:
        stack_id = self._stack_id
        store = self.engine.store
        if stack_id is None or store is None:
            return
        launch = await store.get_by_stack(stack_id)
        callbacks = await store.callbacks_for(stack_id) if launch else []
        if generation != self._generation:
            return
        if launch is None:
            self._pages.setCurrentIndex(0)
            self.placeholder.setText(self.tr("This stack is not in rostray's history."))
            return
        self._show_launch(launch, callbacks)
        await self._refresh_live(generation)
        if generation == self._generation:
            self.loaded.emit(stack_id)

    def _show_launch(self, launch: Launch, callbacks: list[Callback]) -> None:
        self._launch = launch
        self._info = None
        self._pages.setCurrentIndex(1)
        self.name_label.setText(inert(launch.stack_name, 200))
        self.name_label.setToolTip("")
        self._show_status(launch.status)
        self.reason_label.setText(inert(launch.status_reason, 1000))
        self.reason_label.setVisible(
            bool(launch.status_reason) and status_group(launch.status) == FAILED
        )
        self.meta["stack_id"].setText(inert(launch.stack_id, 200))
        self.meta["region"].setText(inert(launch.region, 60))
        self.meta["operation"].setText(inert(launch.operation, 20))
        self.meta["started"].setText(format_time(launch.created_at))
        self._show_finished(launch)
        self._show_outputs(launch)
        self._show_parameters(launch)
        self._show_callbacks(callbacks)
        self.progress.hide()
        self._update_actions()

    def _show_status(self, status: str) -> None:
        self.status_label.setText(inert(status, 60))
        self.status_label.setStyleSheet(
            f"background: {status_color(status).name()}; color: white; border-radius: 9px;"
            " padding: 2px 10px; font-weight: 600;"
        )

    def _show_finished(self, launch: Launch) -> None:
        duration = launch_duration(launch)
        if launch.finished_at is None:
            text = self.tr("running for {duration}").format(duration=format_duration(duration))
        elif duration is None:
            text = format_time(launch.finished_at)
        else:
            text = self.tr("{time} (took {duration})").format(
                time=format_time(launch.finished_at), duration=format_duration(duration)
            )
        self.meta["finished"].setText(text)

    def _show_outputs(self, launch: Launch) -> None:
        outputs = [o for o in launch.outputs if isinstance(o, dict)]
        self.outputs.set_records(outputs)
        self.outputs_view.resizeColumnToContents(0)
        self.outputs_view.resizeColumnToContents(2)
        self.outputs_view.setColumnWidth(2, min(self.outputs_view.columnWidth(2) + 8, 280))
        self.tabs.setTabText(0, self.tr("Outputs ({n})").format(n=len(outputs)))
        if outputs:
            self.outputs_view.selectRow(0)
        self.copy_note.setText("" if outputs else self.tr("No outputs."))
        self._update_copy_buttons()

    def _show_parameters(self, launch: Launch) -> None:
        request = launch.request if isinstance(launch.request, dict) else {}
        raw = request.get("parameters")
        parameters = sorted(raw.items()) if isinstance(raw, dict) else []
        self.parameters.set_records(parameters)
        self.parameters_view.resizeColumnToContents(0)
        self.tabs.setTabText(1, self.tr("Parameters ({n})").format(n=len(parameters)))
        facts = []
        if request.get("template_name"):
            facts.append(self.tr("Template: {name}").format(name=inert(request["template_name"])))
        if request.get("timeout_minutes"):
            facts.append(self.tr("Timeout: {n} min").format(n=inert(request["timeout_minutes"])))
        if "disable_rollback" in request:
            facts.append(
                self.tr("Rollback: disabled")
                if request["disable_rollback"]
                else self.tr("Rollback: on failure")
            )
        tags = request.get("tags")
        if isinstance(tags, dict) and tags:
            shown = ", ".join(f"{inert(k, 40)}={inert(v, 60)}" for k, v in tags.items())
            facts.append(self.tr("Tags: {tags}").format(tags=shown))
        self.request_label.setText("   ·   ".join(facts))

    def _show_callbacks(self, callbacks: list[Callback]) -> None:
        self.callbacks.set_records(callbacks)
        self.tabs.setTabText(3, self.tr("Callbacks ({n})").format(n=len(callbacks)))
        if callbacks:
            self.callbacks_view.selectionModel().setCurrentIndex(
                self.callbacks.index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        else:
            self.callback_text.setPlainText(
                self.tr(
                    "No callback has reached rostray for this stack yet. ROS POSTs to the "
                    "stack's notification URL when an operation finishes."
                )
            )

    def _show_callback(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        self.callback_text.setPlainText(self.callback_report(self.callbacks.record(current.row())))

    def callback_report(self, callback: Callback) -> str:
        """The raw POST as the inspector shows it; plain text by construction (QPlainTextEdit)."""
        body, is_json = pretty_body(callback.body)
        lines = [
            self.tr("Received:  {time}  from {remote}").format(
                time=time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(callback.received_at)),
                remote=inert(callback.remote, 100),
            ),
            self.tr("Verdict:   {verdict}").format(verdict=inert(callback.verdict, 40)),
        ]
        if callback.detail:
            lines.append(self.tr("Detail:    {detail}").format(detail=inert(callback.detail, 600)))
        lines += ["", self.tr("Headers:")]
        lines += [f"  {inert(k, 200)}: {inert(v, 2000)}" for k, v in callback.headers.items()]
        lines += [
            "",
            self.tr("Body ({size} bytes, JSON pretty-printed):").format(size=len(callback.body))
            if is_json
            else self.tr("Body ({size} bytes, as received):").format(size=len(callback.body)),
            body,
        ]
        return "\n".join(lines)

    # -- live state from ROS (progress, events) -----------------------------------------------

    async def _refresh_live(self, generation: int) -> None:
        launch = self._launch
        if launch is None:
            return
        if launch.status == "DELETE_COMPLETE":
            self._show_events([], self.tr("The stack was deleted; ROS keeps no events for it."))
            self._update_polling()
            return
        if not self._reachable():
            self._show_events(
                [],
                self.tr("This stack ran on the embedded sandbox, which is not running now.")
                if launch.sandbox
                else self.tr("This stack ran on Alibaba Cloud; rostray now uses the sandbox."),
            )
            self._update_polling()
            return
        info, events = await asyncio.gather(
            self.engine.stack_info(launch.stack_id),
            self.engine.stack_events(launch.stack_id),
            return_exceptions=True,
        )
        if generation != self._generation:
            return
        if isinstance(info, BaseException) and not isinstance(info, Exception):
            raise info
        if isinstance(info, StackInfo):
            self._info = info
            self._show_progress(info)
            if info.status != launch.status:
                self._show_status(info.status)
        if isinstance(events, list):
            when = time.strftime("%H:%M:%S")
            note = (
                self.tr("Refreshing every {n} s while the stack is in progress.").format(
                    n=max(self.events_timer.interval() // 1000, 1)
                )
                if self._in_progress()
                else self.tr("Loaded at {time}.").format(time=when)
            )
            self._show_events(events, note)
        else:
            failure = events if isinstance(events, BaseException) else info
            self._show_events(
                [],
                self.tr("Events are not available: {error}").format(
                    error=error_text(failure)  # type: ignore[arg-type]
                ),
            )
        self._update_actions()
        self._update_polling()

    def _show_progress(self, info: StackInfo) -> None:
        """Only while an operation runs: after a rollback "3 of 3 done" would mislead."""
        progress = info.progress
        if progress is None or progress.total <= 0 or info.terminal:
            self.progress.hide()
            return
        done = progress.succeeded + progress.failed
        self.progress.setRange(0, progress.total)
        self.progress.setValue(min(done, progress.total))
        self.progress.setFormat(
            self.tr("%v of %m resources done")
            + (self.tr(", {n} failed").format(n=progress.failed) if progress.failed else "")
        )
        self.progress.show()

    def _show_events(self, events: list[StackEvent], note: str) -> None:
        self.events.set_records(newest_first(events))
        for column in range(3):
            self.events_view.resizeColumnToContents(column)
        self.tabs.setTabText(2, self.tr("Events ({n})").format(n=len(events)))
        self.events_note.setText(note)

    def _in_progress(self) -> bool:
        launch = self._launch
        if launch is None:
            return False
        status = self._info.status if self._info is not None else launch.status
        return status_group(status) == IN_PROGRESS

    def _reachable(self) -> bool:
        """GetStack must go to the backend the stack ran on (the sandbox cannot answer for ROS)."""
        return self._launch is not None and self._launch.sandbox == (self.engine.mode == "sandbox")

    def _update_polling(self) -> None:
        """Poll ROS only while it can show something new and someone can see it."""
        window = self.window()
        wanted = (
            self._in_progress()
            and self._reachable()
            and self.isVisible()
            and not (window is not None and window.isMinimized())
        )
        if wanted and not self.events_timer.isActive():
            self.events_timer.start()
        elif not wanted and self.events_timer.isActive():
            self.events_timer.stop()

    def update_polling(self) -> None:
        """For the window: its visibility or minimised state changed."""
        self._update_polling()

    def _on_tick(self) -> None:
        if self._launch is None:
            self.events_timer.stop()
            return
        if self._launch.finished_at is None:
            self._show_finished(self._launch)
        if self._live_task is None or self._live_task.done():
            self._live_task = self.tasks.spawn(self._refresh_live(self._generation))

    def _cancel_live(self) -> None:
        if self._live_task is not None and not self._live_task.done():
            self._live_task.cancel()
        self._live_task = None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._update_polling()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._update_polling()

    # -- actions ------------------------------------------------------------------------------

    def _update_actions(self) -> None:
        launch = self._launch
        if launch is None:
            return
        status = self._info.status if self._info is not None else launch.status
        local = launch.sandbox or is_loopback_endpoint(launch.endpoint)
        self.console_button.setVisible(not local)
        self.console_button.setToolTip(console_url(launch.region, launch.stack_id))
        busy = status_group(status) == IN_PROGRESS
        gone = status == "DELETE_COMPLETE"
        self.replay_button.setEnabled(launch.finished_at is not None)
        # Like CloudFormation, ROS only deletes a stack whose creation was rolled back.
        rolled_back = status.startswith("CREATE_ROLLBACK_")
        self.update_button.setEnabled(not busy and not gone and not rolled_back)
        self.update_button.setToolTip(
            self.tr("A stack whose creation was rolled back can only be deleted.")
            if rolled_back
            else ""
        )
        deleting = launch.stack_id in self._deleting or status.startswith("DELETE_IN")
        self.delete_button.setEnabled(not gone and not deleting)

    def _open_console(self) -> None:
        if self._launch is not None and not self._launch.sandbox:
            QDesktopServices.openUrl(QUrl(console_url(self._launch.region, self._launch.stack_id)))

    def _replay(self) -> None:
        if self._launch is not None and self._launch.finished_at is not None:
            self.replayRequested.emit(replay_event(self._launch))

    def _request_update(self) -> None:
        if self._launch is not None:
            self.updateRequested.emit(self._launch.stack_id)

    def confirm_delete(self) -> None:
        """Ask first, without a nested loop: open() and continue from ``finished``."""
        launch = self._launch
        if launch is None:
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Delete stack"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        name = inert(launch.stack_name, 120)
        box.setText(self.tr("Delete the stack “{name}”?").format(name=name))
        box.setInformativeText(
            self.tr("ROS deletes every resource the stack created. This cannot be undone.")
        )
        confirm = box.addButton(self.tr("Delete"), QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        stack_id = launch.stack_id

        def finished(_result: int) -> None:
            if box.clickedButton() is confirm:
                self.tasks.spawn(self._delete(stack_id))
            box.deleteLater()
            if self.confirm_box is box:
                self.confirm_box = None

        box.finished.connect(finished)
        self.confirm_box = box
        box.confirm_button = confirm  # type: ignore[attr-defined]  # for tests and a11y tools
        box.open()

    async def _delete(self, stack_id: str) -> None:
        self._deleting.add(stack_id)
        self._update_actions()
        self.error_label.hide()
        try:
            await self.engine.delete(stack_id)
        except (RosError, LaunchRefused, OSError) as exc:
            if stack_id == self._stack_id:
                self.error_label.setText(
                    self.tr("Could not delete the stack: {error}").format(error=error_text(exc))
                )
                self.error_label.show()
        else:
            self.deleteStarted.emit(stack_id)
        finally:
            self._deleting.discard(stack_id)
        if stack_id == self._stack_id:
            self.reload()

    # -- outputs: copy ------------------------------------------------------------------------

    def _selected_output(self) -> int:
        rows = self.outputs_view.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _update_copy_buttons(self) -> None:
        self.copy_value_button.setEnabled(self._selected_output() >= 0)
        self.copy_all_button.setEnabled(self.outputs.rowCount() > 0)

    def copy_value(self, row: int) -> None:
        if not 0 <= row < self.outputs.rowCount():
            return
        output = self.outputs.record(row)
        QGuiApplication.clipboard().setText(value_text(output.get("OutputValue")))
        self._note(self.tr("Copied {key}.").format(key=inert(output.get("OutputKey", ""), 60)))

    def copy_all_json(self) -> None:
        document = {
            str(o.get("OutputKey", "")): o.get("OutputValue") for o in self.outputs.records()
        }
        QGuiApplication.clipboard().setText(json.dumps(document, indent=2, ensure_ascii=False))
        self._note(self.tr("Copied {n} outputs as JSON.").format(n=len(document)))

    def _note(self, text: str) -> None:
        self.copy_note.setText(text)
        QTimer.singleShot(3000, self, lambda: self.copy_note.setText(""))

    def _outputs_menu(self, pos: QPoint) -> None:
        index = self.outputs_view.indexAt(pos)
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one per right-click
        if index.isValid():
            row = index.row()
            menu.addAction(self.tr("Copy value"), lambda: self.copy_value(row))
            key = self.outputs.index(row, 0).data(RawRole)
            menu.addAction(
                self.tr("Copy key"), lambda: QGuiApplication.clipboard().setText(str(key))
            )
        menu.addAction(self.tr("Copy all as JSON"), self.copy_all_json)
        menu.popup(self.outputs_view.viewport().mapToGlobal(pos))


__all__ = ["EVENTS_INTERVAL_MS", "StackDetails", "pretty_body", "replay_event", "visible_controls"]

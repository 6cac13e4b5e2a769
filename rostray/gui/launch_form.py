"""The launch form: pick a template, fill in its parameters, launch a stack without blocking.

Everything the form checks locally (stack name, tags, URLs, parameters through the shared
template model) is shown next to its field before any API call. The API itself is behind a
small ``FormBackend`` protocol, so the form runs against the real engine (cloud or the
embedded sandbox) and UI-state tests can use a tiny stand-in.

No nested event loops: the file dialog is opened with ``open()``, and Launch / Validate /
region loading are asyncio tasks on the qasync loop, started from plain sync slots.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QShortcut,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rostray.assets import sample_templates
from rostray.core.engine import Engine, LaunchRefused, LaunchRequest
from rostray.core.i18n import localized
from rostray.core.ros import RosError
from rostray.core.templates import Template, TemplateError, load_template
from rostray.core.yamlload import MAX_TEMPLATE_BYTES
from rostray.gui.param_fields import (
    ParametersPanel,
    align_label_columns,
    error_label,
    guard_wheel,
    make_form_layout,
    muted_label,
    plain_label,
    plain_tooltip,
    show_error,
)
from rostray.gui.recent import RecentTemplates

log = logging.getLogger(__name__)

STACK_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,254}$")
TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")
MAX_EXTRA_URLS = 4  # ROS takes 5 NotificationURLs; rostray's own callback is one of them
MAX_URL_BYTES = 1024
MAX_TAGS = 19  # ROS takes 20 tags per stack; rostray's own rostray-launch tag is one of them
MAX_TAG_LENGTH = 128
TIMEOUT_RANGE = (10, 1440)
DEFAULT_TIMEOUT = 60
# Shown until regions() answers (and if it fails): id, English name, Chinese name.
FALLBACK_REGIONS: tuple[tuple[str, str, str], ...] = (
    ("cn-hangzhou", "China (Hangzhou)", "华东1（杭州）"),
    ("cn-shanghai", "China (Shanghai)", "华东2（上海）"),
    ("cn-beijing", "China (Beijing)", "华北2（北京）"),
    ("cn-zhangjiakou", "China (Zhangjiakou)", "华北3（张家口）"),
    ("cn-shenzhen", "China (Shenzhen)", "华南1（深圳）"),
    ("cn-hongkong", "China (Hong Kong)", "中国香港"),
    ("ap-southeast-1", "Singapore", "新加坡"),
    ("ap-northeast-1", "Japan (Tokyo)", "日本（东京）"),
    ("us-west-1", "US (Silicon Valley)", "美国（硅谷）"),
    ("us-east-1", "US (Virginia)", "美国（弗吉尼亚）"),
    ("eu-central-1", "Germany (Frankfurt)", "德国（法兰克福）"),
    ("eu-west-1", "UK (London)", "英国（伦敦）"),
)


class FormBackend(Protocol):
    """What the form needs from the outside world; the engine adapter is the real one."""

    async def launch(self, request: LaunchRequest) -> str: ...  # StackId; LaunchRefused/RosError

    async def validate_template(self, body: str) -> dict: ...  # raises RosError

    async def regions(self, language: str) -> list[tuple[str, str]]: ...

    def default_region(self) -> str: ...

    def mode_text(self) -> str: ...


class EngineFormBackend:
    """The form's backend over a started Engine; region lists are cached per language."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._regions: dict[str, list[tuple[str, str]]] = {}

    def _ros(self) -> Any:
        if self.engine.ros is None:
            raise RosError("EngineNotStarted", "the engine is not started")
        return self.engine.ros

    async def launch(self, request: LaunchRequest) -> str:
        return (await self.engine.launch(request)).stack_id

    async def validate_template(self, body: str) -> dict:
        return await self._ros().validate_template(body)

    async def regions(self, language: str) -> list[tuple[str, str]]:
        accept = "zh-CN" if language.lower().startswith("zh") else "en-US"
        if accept not in self._regions:
            self._regions[accept] = await self._ros().describe_regions(accept)
        return list(self._regions[accept])

    def default_region(self) -> str:
        ros = self.engine.ros
        return ros.region if ros is not None else self.engine.settings.ros.region

    def mode_text(self) -> str:
        if self.engine.sandbox is not None:
            return QCoreApplication.translate(
                "EngineFormBackend", "Embedded ROS sandbox — no cloud account used"
            )
        ros = self.engine.ros
        if ros is not None and ros.local:
            return QCoreApplication.translate(
                "EngineFormBackend", "Local ROS sandbox at {0} — no cloud account used"
            ).format(ros.endpoint)
        endpoint = ros.endpoint if ros is not None else "ros.aliyuncs.com"
        return QCoreApplication.translate(
            "EngineFormBackend", "Alibaba Cloud ROS at {0} ({1}) — resources may be billed"
        ).format(endpoint, self.engine.credential_source or "?")


class UpdateBackend(EngineFormBackend):
    """The launch form in update mode: same fields, UpdateStack instead of CreateStack."""

    def __init__(self, engine: Engine, stack_id: str) -> None:
        super().__init__(engine)
        self.stack_id = stack_id

    async def launch(self, request: LaunchRequest) -> str:
        launch = await self.engine.update(
            self.stack_id, template_body=request.template_body, parameters=request.parameters
        )
        return launch.stack_id


# --- pure checks (module level so the CLI hand-over and tests can use them) -----------------


def check_stack_name(name: str) -> str | None:
    if not name:
        return QCoreApplication.translate("LaunchForm", "Enter a stack name.")
    if not STACK_NAME_RE.fullmatch(name):
        return QCoreApplication.translate(
            "LaunchForm",
            "Start with a letter; then up to 254 letters, digits, '-' or '_'.",
        )
    return None


def suggest_stack_name(stem: str, now: datetime) -> str:
    """``<template-stem>-<yyyymmdd-hhmmss>``, made valid whatever the file was called."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")
    cleaned = re.sub(r"-{2,}", "-", cleaned)
    if not cleaned or not cleaned[0].isascii() or not cleaned[0].isalpha():
        cleaned = f"stack-{cleaned}" if cleaned else "stack"
    return f"{cleaned[:200]}-{now:%Y%m%d-%H%M%S}"


def parse_tags(text: str) -> tuple[dict[str, str], str | None]:
    """``k=v, k2=v2`` into a dict, or the first problem (ROS's tag rules)."""
    tags: dict[str, str] = {}
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        if "=" not in item:
            return {}, QCoreApplication.translate(
                "LaunchForm", "Write each tag as key=value: {0}"
            ).format(item)
        key, value = (part.strip() for part in item.split("=", 1))
        if not key:
            return {}, QCoreApplication.translate("LaunchForm", "A tag key is empty: {0}").format(
                item
            )
        if key in tags:
            return {}, QCoreApplication.translate(
                "LaunchForm", "The tag key {0} is given twice."
            ).format(key)
        if len(key) > MAX_TAG_LENGTH or len(value) > MAX_TAG_LENGTH:
            return {}, QCoreApplication.translate(
                "LaunchForm", "Tag keys and values are at most 128 characters."
            )
        if key.lower().startswith(("aliyun", "acs:")):
            return {}, QCoreApplication.translate(
                "LaunchForm", "Tag keys may not start with aliyun or acs: ({0})."
            ).format(key)
        if any(s in item.lower() for s in ("http://", "https://")):
            return {}, QCoreApplication.translate(
                "LaunchForm", "Tags may not contain http:// or https://."
            )
        tags[key] = value
    if len(tags) > MAX_TAGS:
        return {}, QCoreApplication.translate("LaunchForm", "At most {0} tags.").format(MAX_TAGS)
    return tags, None


def parse_urls(text: str) -> tuple[tuple[str, ...], str | None]:
    """One http(s) URL per line, at most four (rostray's own callback takes the fifth)."""
    urls = [line.strip() for line in text.splitlines() if line.strip()]
    if len(urls) > MAX_EXTRA_URLS:
        return (), QCoreApplication.translate(
            "LaunchForm", "At most {0} extra notification URLs."
        ).format(MAX_EXTRA_URLS)
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in url:
            return (), QCoreApplication.translate("LaunchForm", "Not an http(s) URL: {0}").format(
                url
            )
        if len(url.encode()) > MAX_URL_BYTES:
            return (), QCoreApplication.translate("LaunchForm", "A URL is longer than 1024 bytes.")
    if len(set(urls)) != len(urls):
        return (), QCoreApplication.translate("LaunchForm", "A URL is listed twice.")
    return tuple(urls), None


def local_template_file(urls: Sequence[QUrl]) -> Path | None:
    """The first dropped local file (a template is whatever the user drops; we validate)."""
    for url in urls:
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if path.is_file():
                return path
    return None


# --- form sections --------------------------------------------------------------------------


class TemplatePicker(QGroupBox):
    """Where a template comes from: bundled samples, recent files or a file dialog.

    It only offers paths (``chosen``); loading and reporting belong to the form, which also
    takes drops, so every source goes through the same checks.
    """

    chosen = Signal(Path)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Template"))
        self.file_dialog: QFileDialog | None = None
        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        row = QHBoxLayout()
        self.combo = QComboBox()
        self.combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.combo.setPlaceholderText(self.tr("Choose a sample or recent template…"))
        self.combo.activated.connect(self._on_activated)
        guard_wheel(self.combo)
        row.addWidget(self.combo, 1)
        self.open_button = QPushButton(self.tr("Open file…"))
        self.open_button.clicked.connect(lambda: self.open_file_dialog(None))
        row.addWidget(self.open_button)
        layout.addLayout(row)
        self.description = muted_label()
        layout.addWidget(self.description)
        self.error = error_label()
        layout.addWidget(self.error)
        self.drop_hint = muted_label(self.tr("Tip: drop a .json or .yaml template on this window."))
        layout.addWidget(self.drop_hint)

    def fill(self, recent: Sequence[Path], samples: Sequence[Path], current: Path | None) -> None:
        """Recent files first, then samples, each under a bold, unselectable heading."""
        combo = self.combo
        combo.blockSignals(True)
        try:
            combo.clear()
            model = combo.model()
            for title, paths in ((self.tr("Recent"), recent), (self.tr("Samples"), samples)):
                if not paths:
                    continue
                if combo.count():
                    combo.insertSeparator(combo.count())
                combo.addItem(title)
                if isinstance(model, QStandardItemModel):
                    item = model.item(combo.count() - 1)
                    item.setFlags(Qt.ItemFlag.NoItemFlags)
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                for path in paths:
                    combo.addItem(path.name, str(path))
                    combo.setItemData(
                        combo.count() - 1, plain_tooltip(str(path)), Qt.ItemDataRole.ToolTipRole
                    )
            self.select(current)
        finally:
            combo.blockSignals(False)

    def select(self, current: Path | None) -> None:
        self.combo.setCurrentIndex(-1 if current is None else self.combo.findData(str(current)))

    def choices(self) -> list[Path]:
        combo = self.combo
        return [Path(combo.itemData(i)) for i in range(combo.count()) if combo.itemData(i)]

    def _on_activated(self, index: int) -> None:
        data = self.combo.itemData(index)
        if data:
            self.chosen.emit(Path(data))

    def open_file_dialog(self, current: Path | None) -> QFileDialog:
        """Opened with ``open()`` and answered by a signal, never ``exec()`` (no nested loop)."""
        if self.file_dialog is None:
            start = str(current.parent) if current else str(Path.home())
            dialog = QFileDialog(self.window(), self.tr("Open a ROS template"), start)
            dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
            dialog.setNameFilters(
                [
                    self.tr("ROS templates (*.json *.yaml *.yml *.template)"),
                    self.tr("All files (*)"),
                ]
            )
            dialog.fileSelected.connect(lambda name: self.chosen.emit(Path(name)))
            self.file_dialog = dialog
        self.file_dialog.open()
        return self.file_dialog

    def set_description(self, text: str) -> None:
        self.description.setText(text)
        self.description.setToolTip(plain_tooltip(text))
        self.description.setVisible(bool(text))

    def set_error(self, text: str | None) -> None:
        show_error(self.error, None, text)


class LaunchOptionsBox(QGroupBox):
    """Timeout, rollback, tags and extra notification URLs, each checked as it is typed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Options"))
        self.row_labels: list[QLabel] = []
        form = make_form_layout(self)
        self.timeout_spin = QSpinBox()
        self.timeout_spin.setRange(*TIMEOUT_RANGE)
        self.timeout_spin.setValue(DEFAULT_TIMEOUT)
        self.timeout_spin.setSuffix(self.tr(" min"))
        self.timeout_spin.setMinimumWidth(120)
        self.timeout_spin.setMaximumWidth(160)
        guard_wheel(self.timeout_spin)
        form.addRow(self._label(self.tr("Timeout"), self.timeout_spin), self.timeout_spin)

        self.rollback_check = QCheckBox(self.tr("Disable rollback (keep resources on failure)"))
        form.addRow(self._label(self.tr("On failure"), self.rollback_check), self.rollback_check)

        self.poll_check = QCheckBox(
            self.tr("If ROS cannot reach this computer, launch anyway and poll for the result")
        )
        form.addRow(self._label(self.tr("No tunnel"), self.poll_check), self.poll_check)

        self.tags_edit = QLineEdit()
        self.tags_edit.setPlaceholderText(self.tr("env=dev, team=platform"))
        self.tags_edit.setClearButtonEnabled(True)
        self.tags_edit.textChanged.connect(self._check_tags)
        self.tags_error = error_label()
        form.addRow(
            self._label(self.tr("Tags"), self.tags_edit), _stacked(self.tags_edit, self.tags_error)
        )

        self.urls_edit = QPlainTextEdit()
        self.urls_edit.setTabChangesFocus(True)
        self.urls_edit.setPlaceholderText(
            self.tr("https://example.com/hook (one per line, up to 4)")
        )
        self.urls_edit.setFixedHeight(self.urls_edit.fontMetrics().lineSpacing() * 3 + 14)
        self.urls_edit.textChanged.connect(self._check_urls)
        self.urls_error = error_label()
        urls_help = muted_label(
            self.tr("rostray adds its own callback URL; these receive the same notifications.")
        )
        form.addRow(
            self._label(self.tr("Notify URLs"), self.urls_edit),
            _stacked(self.urls_edit, self.urls_error, urls_help),
        )

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = plain_label(text)
        label.setBuddy(buddy)
        self.row_labels.append(label)
        return label

    def _check_tags(self) -> str | None:
        problem = parse_tags(self.tags_edit.text())[1]
        show_error(self.tags_error, self.tags_edit, problem)
        return problem

    def _check_urls(self) -> str | None:
        problem = parse_urls(self.urls_edit.toPlainText())[1]
        show_error(self.urls_error, self.urls_edit, problem)
        return problem

    def check(self) -> tuple[dict[str, str], tuple[str, ...], list[QWidget]]:
        """Tags, URLs and the inputs that are wrong (their errors are on show)."""
        invalid: list[QWidget] = []
        if self._check_tags():
            invalid.append(self.tags_edit)
        if self._check_urls():
            invalid.append(self.urls_edit)
        tags = parse_tags(self.tags_edit.text())[0]
        urls = parse_urls(self.urls_edit.toPlainText())[0]
        return tags, urls, invalid


# --- the form ---------------------------------------------------------------------------------


class LaunchForm(QWidget):
    """Launch one stack: template source, stack settings, the template's parameters."""

    launched = Signal(str, str)  # stack id, stack name — emitted just before the form closes
    template_loaded = Signal(str)  # the template's display name

    def __init__(
        self,
        backend: FormBackend,
        *,
        language: str = "en",
        recent: RecentTemplates | None = None,
        samples: Sequence[Path] | None = None,
        clock: Callable[[], datetime] = datetime.now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.language = language
        self.recent = recent if recent is not None else RecentTemplates()
        self.samples = list(samples) if samples is not None else _safe_samples()
        self._clock = clock
        self.template: Template | None = None
        self.template_body = ""
        self.template_path: Path | None = None
        self.template_name = ""
        self.panel: ParametersPanel | None = None
        self._extra_parameters: dict[str, str] = {}
        self._name_auto = True
        self._last_suggestion = ""
        self._tasks: set[asyncio.Task[Any]] = set()
        self.launch_task: asyncio.Task[Any] | None = None
        self._launching = False
        self.validate_task: asyncio.Task[Any] | None = None
        self._fixed_row_labels: list[QLabel] = []

        self.setWindowTitle(self.tr("Launch stack — rostray"))
        self.setAcceptDrops(True)
        self.setMinimumWidth(560)
        self.resize(700, 780)
        self._build()
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.close)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self._on_launch_clicked)
        self._fill_template_choices()
        self._set_regions([(rid, zh if self._zh else en) for rid, en, zh in FALLBACK_REGIONS])
        self._select_region(backend.default_region())
        self.regions_task = self._spawn(self._refresh_regions())

    # --- layout ---------------------------------------------------------------------------

    @property
    def _zh(self) -> bool:
        return self.language.lower().startswith("zh")

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 14, 14, 12)
        outer.setSpacing(10)

        self.mode_banner = _banner("modeBanner", "26, 115, 232")
        self.mode_banner.setText(self.backend.mode_text())
        self.mode_banner.show()
        outer.addWidget(self.mode_banner)

        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        self.content_layout = QVBoxLayout(content)
        self.content_layout.setContentsMargins(0, 0, 4, 0)
        self.content_layout.setSpacing(12)
        self.picker = TemplatePicker()
        self.picker.chosen.connect(self.load_template_file)
        self.template_combo = self.picker.combo
        self.open_button = self.picker.open_button
        self.template_description = self.picker.description
        self.template_error = self.picker.error
        self.content_layout.addWidget(self.picker)
        self.content_layout.addWidget(self._build_stack_box())
        self.params_holder = QVBoxLayout()
        self.params_holder.setContentsMargins(0, 0, 0, 0)
        self.no_template_label = muted_label(self.tr("Choose a template to see its parameters."))
        self.params_holder.addWidget(self.no_template_label)
        self.content_layout.addLayout(self.params_holder)
        self.options = LaunchOptionsBox()
        self.timeout_spin = self.options.timeout_spin
        self.rollback_check = self.options.rollback_check
        self.poll_check = self.options.poll_check
        self.tags_edit, self.tags_error = self.options.tags_edit, self.options.tags_error
        self.urls_edit, self.urls_error = self.options.urls_edit, self.options.urls_error
        self.content_layout.addWidget(self.options)
        self.content_layout.addStretch(1)
        self.scroll.setWidget(content)
        outer.addWidget(self.scroll, 1)

        self.result_label = _banner("resultBanner", "46, 125, 50")
        outer.addWidget(self.result_label)
        self.error_banner = _banner("errorBanner", "211, 47, 47")
        outer.addWidget(self.error_banner)

        outer.addLayout(self._build_buttons())
        self._align_labels()

    def _build_stack_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Stack"))
        form = make_form_layout(box)
        name_row = QWidget()
        name_layout = QHBoxLayout(name_row)
        name_layout.setContentsMargins(0, 0, 0, 0)
        name_layout.setSpacing(6)
        self.name_edit = QLineEdit()
        self.name_edit.textEdited.connect(self._on_name_edited)
        self.name_edit.textChanged.connect(self._check_name_live)
        name_layout.addWidget(self.name_edit, 1)
        self.suggest_button = QToolButton()
        self.suggest_button.setText(self.tr("New name"))
        self.suggest_button.setToolTip(self.tr("Suggest a fresh, unique stack name"))
        self.suggest_button.clicked.connect(self._apply_suggestion)
        name_layout.addWidget(self.suggest_button)
        self.name_error = error_label()
        form.addRow(
            self._row_label(self.tr("Stack name"), self.name_edit),
            _stacked(name_row, self.name_error),
        )

        self.region_combo = QComboBox()
        guard_wheel(self.region_combo)
        form.addRow(self._row_label(self.tr("Region"), self.region_combo), self.region_combo)
        return box

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # indeterminate: we do not know how long ROS takes
        self.progress.setTextVisible(False)
        self.progress.setFixedSize(90, 10)
        self.progress.hide()
        row.addWidget(self.progress)
        self.status_label = muted_label()
        row.addWidget(self.status_label, 1)
        row.addStretch(0)
        self.validate_button = QPushButton(self.tr("Validate"))
        self.validate_button.setToolTip(self.tr("Ask ROS to check the template (ValidateTemplate)"))
        self.validate_button.clicked.connect(self._on_validate_clicked)
        row.addWidget(self.validate_button)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.close)
        row.addWidget(self.cancel_button)
        self.launch_button = QPushButton(self.tr("Launch"))
        self.launch_button.setDefault(True)
        self.launch_button.setAutoDefault(True)
        self.launch_button.clicked.connect(self._on_launch_clicked)
        row.addWidget(self.launch_button)
        return row

    def _row_label(self, text: str, buddy: QWidget) -> QLabel:
        label = plain_label(text)
        label.setBuddy(buddy)
        self._fixed_row_labels.append(label)
        return label

    # --- tasks ----------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any] | None:
        """Start a task on the running (qasync) loop and keep a strong reference to it."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            coro.close()  # no loop (a plain widget test): the form still works, synchronously
            return None
        task = loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # --- template source ------------------------------------------------------------------

    def _fill_template_choices(self) -> None:
        recent = [p for p in self.recent.paths() if p not in self.samples]
        self.picker.fill(recent, self.samples, self.template_path)

    def template_choices(self) -> list[Path]:
        """The paths the template combo offers (recent first, then samples)."""
        return self.picker.choices()

    @property
    def file_dialog(self) -> QFileDialog | None:
        return self.picker.file_dialog

    def open_file_dialog(self) -> QFileDialog:
        return self.picker.open_file_dialog(self.template_path)

    def load_template_file(self, path: Path) -> bool:
        """Load a template file; on failure the error is shown and the form keeps its state."""
        path = Path(path).expanduser()
        try:
            size = path.stat().st_size
            if size > MAX_TEMPLATE_BYTES:
                raise TemplateError(
                    "InvalidTemplate",
                    self.tr("The file is larger than ROS's limit of {0} bytes.").format(
                        MAX_TEMPLATE_BYTES
                    ),
                )
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            self._show_template_error(
                path.name, self.tr("The file is not UTF-8 text, so it is not a template.")
            )
            return False
        except OSError as exc:
            self._show_template_error(
                path.name, self.tr("Cannot read the file: {0}").format(exc.strerror or exc)
            )
            return False
        except TemplateError as exc:
            self._show_template_error(path.name, f"{exc.code}: {exc.message}")
            return False
        return self.load_template_text(text, path.name, path=path.resolve())

    def load_template_text(self, text: str, name: str, *, path: Path | None = None) -> bool:
        try:
            template = load_template(text)
        except TemplateError as exc:
            self._show_template_error(name, f"{exc.code}: {exc.message}")
            return False
        self.template = template
        self.template_body = text
        self.template_path = path
        self.template_name = name
        self._extra_parameters = {}
        self._rebuild_panel(template)
        description = template.description_text(self.language)
        self.picker.set_description(description)
        self.picker.set_error(None)
        self._clear_messages()
        if path is not None and path not in self.samples:
            self.recent.add(path)
        self._fill_template_choices()
        if self._name_auto or not self.name_edit.text():
            self._apply_suggestion()
        self.template_loaded.emit(name)
        return True

    def _show_template_error(self, name: str, message: str) -> None:
        text = self.tr("Could not load {0} — {1}").format(name, message)
        if self.template is not None:
            text += "\n" + self.tr("Still using {0}.").format(self.template_name)
        self.picker.set_error(text)
        self.picker.select(self.template_path)

    def _rebuild_panel(self, template: Template) -> None:
        if self.panel is not None:
            self.params_holder.removeWidget(self.panel)
            self.panel.hide()
            self.panel.deleteLater()
        self.no_template_label.hide()
        self.panel = ParametersPanel(template, self.language)
        self.panel.edited.connect(self._on_parameter_edited)
        self.params_holder.addWidget(self.panel)
        self._align_labels()

    def _align_labels(self) -> None:
        labels = self._fixed_row_labels + self.options.row_labels
        if self.panel is not None:
            labels += self.panel.row_labels()
        align_label_columns(labels)

    # --- drag and drop --------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and local_template_file(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = local_template_file(event.mimeData().urls()) if event.mimeData().hasUrls() else None
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.load_template_file(path)

    # --- stack settings -------------------------------------------------------------------

    def suggested_name(self) -> str:
        stem = Path(self.template_name).stem if self.template_name else "stack"
        name = suggest_stack_name(stem, self._clock())
        if name == self._last_suggestion:  # two suggestions within one second
            name = f"{name}-2"
        return name

    def _apply_suggestion(self) -> None:
        name = self.suggested_name()
        self._last_suggestion = name
        self._name_auto = True
        self.name_edit.setText(name)
        self.name_edit.setPlaceholderText(name)

    def _on_name_edited(self, text: str) -> None:
        self._name_auto = False

    def _check_name_live(self, text: str) -> None:
        show_error(self.name_error, self.name_edit, check_stack_name(text) if text else None)

    def _set_regions(self, regions: Sequence[tuple[str, str]]) -> None:
        current = self.region()
        combo = self.region_combo
        combo.blockSignals(True)
        try:
            combo.clear()
            for rid, name in regions:
                combo.addItem(f"{name} · {rid}" if name and name != rid else rid, rid)
            if current:
                self._select_region(current)
        finally:
            combo.blockSignals(False)

    def _select_region(self, region: str) -> None:
        combo = self.region_combo
        index = combo.findData(region)
        if index < 0 and region:
            combo.addItem(region, region)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    def region(self) -> str:
        data = self.region_combo.currentData()
        return str(data) if data else ""

    def region_ids(self) -> list[str]:
        return [str(self.region_combo.itemData(i)) for i in range(self.region_combo.count())]

    async def _refresh_regions(self) -> None:
        try:
            regions = await self.backend.regions(self.language)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the fallback list stays; regions are not worth an error
            log.info("region list unavailable, keeping the bundled one: %s", exc)
            return
        if regions:
            self._set_regions(regions)

    # --- parameters -----------------------------------------------------------------------

    def _on_parameter_edited(self, key: str) -> None:
        self.result_label.hide()

    def prefill(
        self,
        template_path: Path | None,
        name: str | None,
        parameters: Mapping[str, str],
    ) -> bool:
        """The single-instance hand-over (``rostray launch T -n NAME -p K=V``).

        Returns False when the template could not be loaded or a parameter is unknown to
        it; the problem is shown in the form either way, so the user can fix and launch.
        """
        ok = True
        if template_path is not None:
            ok = self.load_template_file(Path(template_path))
        if name:
            self.name_edit.setText(name)
            self._name_auto = False
        if parameters:
            unknown = (
                self.panel.set_values(parameters) if self.panel is not None else dict(parameters)
            )
            self._extra_parameters = dict(unknown)
            if unknown:
                ok = False
                self._show_error(
                    self.tr("The template does not define: {0}").format(", ".join(sorted(unknown)))
                )
        return ok

    # --- submit ---------------------------------------------------------------------------

    def build_request(self) -> LaunchRequest | None:
        """Every local check at once, each shown next to its field; None when any fails."""
        self._clear_messages()
        if self.template is None or self.panel is None:
            self._show_error(self.tr("Choose a template first."))
            return None
        name = self.name_edit.text().strip()
        name_problem = check_stack_name(name)
        show_error(self.name_error, self.name_edit, name_problem)
        parameters, general = self.panel.check(self._extra_parameters)
        tags, urls, bad_options = self.options.check()
        if name_problem is None and not self.region():
            general.append(self.tr("Choose a region."))
        # Top to bottom, as the user reads the form: the first one gets the focus.
        invalid = [self.name_edit] if name_problem else []
        invalid += [f.focus_widget() for f in self.panel.invalid_fields()] + bad_options
        if invalid or general:
            lines = [self.tr("Please correct the highlighted fields.")] if invalid else []
            self._show_error("\n".join(lines + general))
            if invalid:
                invalid[0].setFocus(Qt.FocusReason.OtherFocusReason)
                self.scroll.ensureWidgetVisible(invalid[0])
            return None
        return LaunchRequest(
            template_body=self.template_body,
            stack_name=name,
            parameters=parameters,
            region=self.region() or None,
            timeout_minutes=self.timeout_spin.value(),
            disable_rollback=self.rollback_check.isChecked(),
            tags=tags,
            extra_notification_urls=urls,
            template_name=self.template_name,
            allow_polling=self.poll_check.isChecked(),
        )

    def submit(self) -> asyncio.Task[Any] | None:
        """Launch now (the Launch button and ``--yes``): the task, or None if checks failed."""
        if self.busy:
            return self.launch_task
        request = self.build_request()
        if request is None:
            return None
        self._set_busy(True, self.tr("Launching {0}…").format(request.stack_name))
        task = self._spawn(self._launch(request))
        if task is None:
            self._set_busy(False)
            self._show_error(self.tr("Internal error: no event loop is running."))
            return None
        self.launch_task = task
        return task

    def _on_launch_clicked(self) -> None:
        self.submit()

    @property
    def busy(self) -> bool:
        """A launch is waiting for the API (set and cleared by ``_set_busy``)."""
        return self._launching

    async def _launch(self, request: LaunchRequest) -> str | None:
        try:
            stack_id = await self.backend.launch(request)
        except asyncio.CancelledError:
            self._set_busy(False)
            raise
        except Exception as exc:
            self._launch_failed(exc)
            return None
        self._set_busy(False)
        self.launched.emit(stack_id, request.stack_name)
        self.close()
        return stack_id

    def _launch_failed(self, exc: Exception) -> None:
        """Show why, next to the fields where possible; the form (re)appears, values intact."""
        self._set_busy(False)
        if isinstance(exc, LaunchRefused):
            rest = self.panel.set_errors(exc.errors) if self.panel is not None else exc.errors
            lines = [
                self.tr("Launch refused: {0}").format(localized(exc, QCoreApplication.translate))
            ]
            lines += [f"{key}: {message}" for key, message in rest.items()]
            self._show_error("\n".join(lines))
        elif isinstance(exc, RosError):
            self._show_ros_error(self.tr("Launch failed"), exc)
            if exc.code in ("StackExists", "InvalidStackName"):
                show_error(self.name_error, self.name_edit, exc.message)
        else:
            log.error("launch failed", exc_info=exc)
            self._show_error(self.tr("Launch failed: {0}").format(f"{type(exc).__name__}: {exc}"))
        # Closed while busy, or launched with --yes without showing: the error must be seen.
        self.show()
        self.raise_()

    # --- validate -------------------------------------------------------------------------

    def _on_validate_clicked(self) -> None:
        self.validate()

    def validate(self) -> asyncio.Task[Any] | None:
        """Ask the backend's ValidateTemplate about the loaded template."""
        self._clear_messages()
        if not self.template_body:
            self._show_error(self.tr("Choose a template first."))
            return None
        if self.validate_task is not None and not self.validate_task.done():
            return self.validate_task
        self.validate_button.setEnabled(False)
        self.status_label.setText(self.tr("Validating…"))
        self.status_label.show()
        self.validate_task = self._spawn(self._validate(self.template_body))
        if self.validate_task is None:
            self.validate_button.setEnabled(True)
        return self.validate_task

    async def _validate(self, body: str) -> dict | None:
        try:
            result = await self.backend.validate_template(body)
        except RosError as exc:
            self._show_ros_error(self.tr("The template is not valid"), exc)
            return None
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("validate failed")
            self._show_error(self.tr("Validation failed: {0}").format(exc))
            return None
        finally:
            self.validate_button.setEnabled(not self.busy)
            if not self.busy:
                self.status_label.setText("")
        self._show_result(self._describe_validation(result))
        return result

    def _describe_validation(self, result: Mapping[str, Any]) -> str:
        def count(key: str) -> int:
            value = result.get(key)
            return len(value) if isinstance(value, list) else 0

        types = result.get("ResourceTypes")
        names = types.get("Resources") if isinstance(types, Mapping) else None
        text = self.tr("ROS accepts this template: {0} parameters, {1} resources, {2} outputs.")
        text = text.format(count("Parameters"), count("Resources"), count("Outputs"))
        if isinstance(names, list) and names:
            text += "\n" + self.tr("Resource types: {0}").format(", ".join(map(str, names)))
        return text

    # --- state and messages ---------------------------------------------------------------

    def _set_busy(self, busy: bool, message: str = "") -> None:
        self._launching = busy
        self.launch_button.setEnabled(not busy)
        self.launch_button.setText(self.tr("Launching…") if busy else self.tr("Launch"))
        validating = self.validate_task is not None and not self.validate_task.done()
        self.validate_button.setEnabled(not busy and not validating)
        self.progress.setVisible(busy)
        self.status_label.setText(message)
        self.status_label.setVisible(bool(message))
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def _clear_messages(self) -> None:
        self.error_banner.hide()
        self.error_banner.setText("")
        self.result_label.hide()
        self.result_label.setText("")

    def _show_error(self, text: str) -> None:
        self.result_label.hide()
        self.error_banner.setText(text)
        self.error_banner.show()

    def _show_ros_error(self, title: str, exc: RosError) -> None:
        lines = [f"{title} — {exc.code}: {exc.message}"]
        if exc.request_id:
            lines.append(self.tr("Request ID: {0}").format(exc.request_id))
        self._show_error("\n".join(lines))

    def _show_result(self, text: str) -> None:
        self.error_banner.hide()
        self.result_label.setText(text)
        self.result_label.show()

    def error_text(self) -> str:
        """Every form-level problem on show: a template that failed to load, then the banner."""
        parts = [
            label.text()
            for label in (self.template_error, self.error_banner)
            if not label.isHidden() and label.text()
        ]
        return "\n".join(parts)

    def result_text(self) -> str:
        return self.result_label.text() if not self.result_label.isHidden() else ""

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            # Only hide: the launch goes on (cancelling mid-CreateStack could orphan a stack),
            # and the form must outlive it (WA_DeleteOnClose) to report or re-show an error.
            event.ignore()
            self.hide()
            return
        for task in list(self._tasks):
            if task is not self.launch_task:
                task.cancel()  # region and validate answers are no longer wanted
        super().closeEvent(event)


def _banner(name: str, rgb: str) -> QLabel:
    """A tinted, selectable plain-text strip (mode, validation result, errors)."""
    label = plain_label("", wrap=True)
    label.setObjectName(name)
    label.setStyleSheet(
        f"#{name} {{ background: rgba({rgb}, 0.10); border: 1px solid rgba({rgb}, 0.40);"
        " border-radius: 4px; padding: 6px 10px; }"
    )
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _stacked(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    box = QVBoxLayout(holder)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(2)
    for widget in widgets:
        box.addWidget(widget)
    return holder


def _safe_samples() -> list[Path]:
    try:
        return sample_templates()
    except FileNotFoundError:
        return []

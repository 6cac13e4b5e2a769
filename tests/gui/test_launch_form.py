"""The launch form: template sources, local checks before any API call, and launches against
a real Engine on the sandbox without ever blocking the Qt loop.

Async tests run on the qasync loop, so signals are awaited with ``wait_signal`` (never
``qtbot.waitSignal``, which would nest a Qt loop inside a coroutine).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QLineEdit
from pytestqt.qtbot import QtBot
from qt_helpers import fit_form, wait_signal
from shared import FAST_POLL, sandbox_engine

from rostray.assets import resources_dir
from rostray.core.engine import Engine, LaunchRefused, LaunchRequest
from rostray.core.events import StackFinished, Subscription
from rostray.gui.launch_form import (
    EngineFormBackend,
    FormBackend,
    LaunchForm,
    check_stack_name,
    parse_tags,
    parse_urls,
    suggest_stack_name,
)
from rostray.gui.param_fields import SecretField
from rostray.gui.recent import RecentTemplates
from rostray.sandbox import Sandbox

TEMPLATES = resources_dir() / "templates"
SHOWCASE = TEMPLATES / "parameters-showcase.yaml"
SEED = TEMPLATES / "seed-webhook.json"
SLEEP = TEMPLATES / "sleep-smoke-test.yaml"
NOW = datetime(2025, 3, 14, 15, 9, 26)
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
FAST = FAST_POLL


class StaticBackend:
    """For UI-state tests only: answers at once, or waits until ``release`` is set."""

    def __init__(self, *, error: Exception | None = None) -> None:
        self.release = asyncio.Event()
        self.blocking = False
        self.error = error
        self.requests: list[LaunchRequest] = []

    async def launch(self, request: LaunchRequest) -> str:
        self.requests.append(request)
        if self.blocking:
            await self.release.wait()
        if self.error is not None:
            raise self.error
        return str(uuid.uuid4())

    async def validate_template(self, body: str) -> dict:
        return {}

    async def regions(self, language: str) -> list[tuple[str, str]]:
        return [("cn-hangzhou", "Hangzhou")]

    def default_region(self) -> str:
        return "cn-hangzhou"

    def mode_text(self) -> str:
        return "Test backend <b>not bold</b>"


@pytest.fixture(autouse=True)
def keep_app_running(qapp: QApplication) -> Iterator[None]:
    """Like the tray app: closing the form (the last window) must not quit the qasync loop."""
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


@pytest.fixture
def recent(tmp_path: Path) -> RecentTemplates:
    return RecentTemplates(tmp_path / "recent.json")


def make_form(
    qtbot: QtBot, backend: FormBackend, recent: RecentTemplates, language: str = "en"
) -> LaunchForm:
    form = LaunchForm(backend, language=language, recent=recent, clock=lambda: NOW)
    qtbot.addWidget(form)
    return form


@pytest.fixture
def form(qtbot: QtBot, recent: RecentTemplates) -> LaunchForm:
    return make_form(qtbot, StaticBackend(), recent)


@pytest.fixture
async def engine(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Engine]:
    eng = sandbox_engine(sandbox, tmp_path / "history.sqlite3", policy=FAST)
    async with eng:
        yield eng


async def finished(sub: Subscription, stack_id: str, timeout: float = 15) -> StackFinished:
    """Wait for the engine to announce the stack (so no callback is in flight at teardown)."""

    async def loop() -> StackFinished:
        async for event in sub:
            if isinstance(event, StackFinished) and event.stack_id == stack_id:
                return event
        raise AssertionError("event stream ended")

    return await asyncio.wait_for(loop(), timeout)


def fill_password(form: LaunchForm, value: str = "s3cret-pass") -> None:
    assert form.panel is not None
    field = form.panel.field("AdminPassword")
    assert isinstance(field, SecretField) and field.confirm_editor is not None
    field.editor.setText(value)
    field.confirm_editor.setText(value)


# --- template sources -------------------------------------------------------------------------


def test_window_title_banner_and_samples(form: LaunchForm) -> None:
    assert form.windowTitle() == "Launch stack — rostray"
    assert form.mode_banner.text() == "Test backend <b>not bold</b>"
    assert form.mode_banner.textFormat() == Qt.TextFormat.PlainText
    names = [p.name for p in form.template_choices()]
    assert "seed-webhook.json" in names and "parameters-showcase.yaml" in names
    assert form.template is None and form.panel is None


def test_choosing_a_sample_builds_fields_and_a_name_suggestion(form: LaunchForm) -> None:
    index = form.template_combo.findData(str(SHOWCASE))
    form.template_combo.activated.emit(index)
    assert form.template is not None and form.panel is not None
    assert form.template_name == "parameters-showcase.yaml"
    assert form.panel.section_titles() == [
        "Basic settings",
        "Instance settings",
        "Other parameters",
    ]
    assert form.name_edit.text() == "parameters-showcase-20250314-150926"
    assert form.template_description.text().startswith("Launch-form showcase")
    assert form.template_combo.currentData() == str(SHOWCASE)


def test_seed_sample_has_no_parameters(form: LaunchForm) -> None:
    assert form.load_template_file(SEED)
    assert form.panel is not None and form.panel.fields == {}
    assert form.panel.section_titles() == ["Parameters"]
    assert form.build_request() is not None


def test_malformed_template_shows_the_error_and_keeps_everything(
    form: LaunchForm, tmp_path: Path
) -> None:
    assert form.load_template_file(SHOWCASE)
    form.name_edit.setText("kept-name")
    form.tags_edit.setText("team=ops")
    assert form.panel is not None
    form.panel.field("Owner").editor.setText("carol")
    bad = tmp_path / "broken.yaml"
    bad.write_text("ROSTemplateFormatVersion: '2015-09-01'\nParameters: [1, 2\n")
    assert not form.load_template_file(bad)
    error = form.template_error.text()
    assert error.startswith("Could not load broken.yaml — InvalidTemplate: Template format error")
    assert "Still using parameters-showcase.yaml." in error
    assert not form.template_error.isHidden()
    assert form.name_edit.text() == "kept-name"
    assert form.tags_edit.text() == "team=ops"
    assert form.panel.field("Owner").text() == "carol"
    assert form.template_name == "parameters-showcase.yaml"
    wrong_version = tmp_path / "old.json"
    wrong_version.write_text(json.dumps({"ROSTemplateFormatVersion": "2010-01-01"}))
    assert not form.load_template_file(wrong_version)
    assert "InvalidTemplateVersion: The template version is invalid" in form.template_error.text()
    assert not form.load_template_file(tmp_path / "missing.yaml")
    assert "Cannot read the file" in form.template_error.text()
    # A good template clears the error.
    assert form.load_template_file(SEED)
    assert form.template_error.isHidden()


def test_drag_and_drop_loads_a_file(form: LaunchForm, tmp_path: Path) -> None:
    target = tmp_path / "dropped.yaml"
    target.write_text(SLEEP.read_text(encoding="utf-8"))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(target))])
    enter = QDragEnterEvent(
        QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(form, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(form, drop)
    assert drop.isAccepted()
    assert form.template_name == "dropped.yaml"
    assert form.template_path == target.resolve()
    assert form.panel is not None and "CreateDuration" in form.panel.fields


def test_dropping_something_that_is_not_a_file_is_refused(form: LaunchForm) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.com/template.yaml")])
    enter = QDragEnterEvent(
        QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(form, enter)
    assert not enter.isAccepted()
    assert form.template is None


def test_recent_templates_are_persisted_and_offered(
    qtbot: QtBot, form: LaunchForm, recent: RecentTemplates, tmp_path: Path
) -> None:
    first = tmp_path / "one.yaml"
    second = tmp_path / "two.json"
    first.write_text(SLEEP.read_text(encoding="utf-8"))
    second.write_text(SEED.read_text(encoding="utf-8"))
    assert form.load_template_file(first)
    assert form.load_template_file(second)
    assert form.load_template_file(SHOWCASE)  # samples are listed anyway, not as recent
    saved = json.loads(recent.path.read_text(encoding="utf-8"))
    assert saved["templates"] == [str(second.resolve()), str(first.resolve())]
    # A new form (the next launch of the app) reads the file and lists recent files first.
    again = make_form(qtbot, StaticBackend(), RecentTemplates(recent.path))
    choices = again.template_choices()
    assert choices[:2] == [second.resolve(), first.resolve()]
    assert again.template_combo.itemText(0) == "Recent"
    index = again.template_combo.findData(str(first.resolve()))
    again.template_combo.activated.emit(index)
    assert again.template_name == "one.yaml"


def test_recent_list_is_bounded_deduplicated_and_robust(tmp_path: Path) -> None:
    store = RecentTemplates(tmp_path / "data" / "recent.json", limit=3)
    files = []
    for i in range(4):
        path = tmp_path / f"t{i}.yaml"
        path.write_text("x")
        files.append(path)
        store.add(path)
    store.add(files[1])  # again: moves to the front, no duplicate
    assert store.paths() == [files[1], files[3], files[2]]
    files[3].unlink()
    assert store.paths() == [files[1], files[2]]  # vanished files are not offered
    assert len(RecentTemplates(store.path).all()) == 3
    store.path.write_text("{not json")
    assert RecentTemplates(store.path).paths() == []
    store.path.write_text(json.dumps({"templates": ["relative.yaml", 42, str(files[0])]}))
    assert RecentTemplates(store.path).paths() == [files[0]]


def test_open_file_uses_a_non_blocking_dialog(form: LaunchForm, tmp_path: Path) -> None:
    target = tmp_path / "picked.yaml"
    target.write_text(SLEEP.read_text(encoding="utf-8"))
    form.show()
    form.open_button.click()  # returns at once: open(), not exec()
    dialog = form.file_dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    assert dialog.fileMode() == QFileDialog.FileMode.ExistingFile
    dialog.fileSelected.emit(str(target))
    dialog.close()
    assert form.template_name == "picked.yaml"


# --- stack settings ---------------------------------------------------------------------------


def test_stack_name_is_checked_live_and_suggested(form: LaunchForm) -> None:
    assert form.load_template_file(SHOWCASE)
    form.name_edit.setText("1bad name")
    assert form.name_error.text() == (
        "Start with a letter; then up to 254 letters, digits, '-' or '_'."
    )
    assert form.name_edit.property("invalid") is True
    form.name_edit.setText("good_name-2")
    assert form.name_error.isHidden() and form.name_edit.property("invalid") is False
    form.suggest_button.click()
    assert form.name_edit.text() == "parameters-showcase-20250314-150926-2"  # same second
    assert check_stack_name("a" * 255) is None
    assert check_stack_name("a" * 256) is not None
    assert check_stack_name("") == "Enter a stack name."
    assert suggest_stack_name("My template (v2)", NOW) == "My-template-v2-20250314-150926"
    assert suggest_stack_name("42.yaml", NOW) == "stack-42-yaml-20250314-150926"
    assert suggest_stack_name("模板", NOW) == "stack-20250314-150926"
    assert check_stack_name(suggest_stack_name("x" * 300, NOW)) is None


def test_a_typed_name_survives_a_template_change(form: LaunchForm) -> None:
    assert form.load_template_file(SEED)
    form.name_edit.clear()
    form.name_edit.textEdited.emit("")
    form.name_edit.setText("mine")
    form.name_edit.textEdited.emit("mine")
    assert form.load_template_file(SLEEP)
    assert form.name_edit.text() == "mine"


def test_tags_and_urls_are_validated(form: LaunchForm) -> None:
    assert parse_tags("env=dev, team = ops ,empty=") == (
        {"env": "dev", "team": "ops", "empty": ""},
        None,
    )
    assert parse_tags("novalue")[1] == "Write each tag as key=value: novalue"
    assert parse_tags("a=1,a=2")[1] == "The tag key a is given twice."
    assert parse_tags("aliyun-x=1")[1] is not None
    assert parse_tags("k=https://x")[1] is not None
    assert parse_tags(",".join(f"k{i}=v" for i in range(19)))[1] is None
    assert parse_tags(",".join(f"k{i}=v" for i in range(20)))[1] == "At most 19 tags."
    assert parse_urls("https://a.example/h\n\nhttp://b.example:8080/x") == (
        ("https://a.example/h", "http://b.example:8080/x"),
        None,
    )
    assert parse_urls("ftp://a.example")[1] == "Not an http(s) URL: ftp://a.example"
    assert parse_urls("eventbridge")[1] is not None
    assert parse_urls("\n".join(f"https://h{i}.example" for i in range(5)))[1] == (
        "At most 4 extra notification URLs."
    )
    form.tags_edit.setText("oops")
    assert form.tags_error.text() == "Write each tag as key=value: oops"
    form.urls_edit.setPlainText("javascript:alert(1)")
    assert form.urls_error.text() == "Not an http(s) URL: javascript:alert(1)"
    assert form.urls_edit.property("invalid") is True


def test_timeout_and_rollback_defaults(form: LaunchForm) -> None:
    assert (form.timeout_spin.minimum(), form.timeout_spin.maximum()) == (10, 1440)
    assert form.timeout_spin.value() == 60
    assert not form.rollback_check.isChecked()
    assert form.region() == "cn-hangzhou"
    assert "cn-beijing" in form.region_ids()  # the fallback list is there immediately


# --- submit without the network ---------------------------------------------------------------


def test_submit_blocks_on_every_local_problem_at_once(form: LaunchForm) -> None:
    assert form.submit() is None
    assert form.error_text() == "Choose a template first."
    assert form.load_template_file(SHOWCASE)
    assert form.panel is not None
    form.name_edit.setText("9lives")
    form.tags_edit.setText("bad")
    form.panel.field("ExtraTags").editor.setPlainText("{nope")
    assert form.submit() is None
    assert form.error_text().startswith("Please correct the highlighted fields.")
    assert form.name_error.text() and form.tags_error.text()
    assert form.panel.field("ExtraTags").error() == "The value is not valid JSON."
    assert form.panel.field("AdminPassword").error() == "Required."
    assert not form.busy and form.launch_button.isEnabled()


def test_confirm_mismatch_blocks_submit_with_a_message(form: LaunchForm) -> None:
    assert form.load_template_file(SHOWCASE)
    assert form.panel is not None
    field = form.panel.field("AdminPassword")
    assert isinstance(field, SecretField) and field.confirm_editor is not None
    assert field.editor.echoMode() == QLineEdit.EchoMode.Password
    field.editor.setText("s3cret-pass")
    field.confirm_editor.setText("s3cret-pasS")
    assert form.submit() is None
    assert field.confirm_error() == "The two entries do not match."
    assert "Please correct the highlighted fields." in form.error_text()
    field.confirm_editor.setText("s3cret-pass")
    request = form.build_request()
    assert request is not None and request.parameters["AdminPassword"] == "s3cret-pass"


def test_build_request_collects_every_setting(form: LaunchForm) -> None:
    assert form.load_template_file(SHOWCASE)
    fill_password(form)
    form.timeout_spin.setValue(90)
    form.rollback_check.setChecked(True)
    form.tags_edit.setText("env=dev, team=ops")
    form.urls_edit.setPlainText("https://hooks.example/a")
    assert form.panel is not None
    form.panel.field("ReplicaCount").editor.setValue(4)
    request = form.build_request()
    assert request is not None
    assert request.stack_name == "parameters-showcase-20250314-150926"
    assert request.region == "cn-hangzhou"
    assert (request.timeout_minutes, request.disable_rollback) == (90, True)
    assert request.tags == {"env": "dev", "team": "ops"}
    assert request.extra_notification_urls == ("https://hooks.example/a",)
    assert request.template_name == "parameters-showcase.yaml"
    assert request.template_body == SHOWCASE.read_text(encoding="utf-8")
    assert request.parameters["ReplicaCount"] == "4"
    assert request.parameters["EnableMonitoring"] == "true"
    assert "ZoneId" not in request.parameters


def test_prefill_reports_unknown_parameters(form: LaunchForm) -> None:
    assert not form.prefill(SHOWCASE, "handed-over", {"Owner": "dave", "Typo": "x"})
    assert form.name_edit.text() == "handed-over"
    assert form.panel is not None and form.panel.field("Owner").text() == "dave"
    assert form.error_text() == "The template does not define: Typo"
    fill_password(form)
    assert form.submit() is None
    assert "The Parameter (Typo) was not defined in template." in form.error_text()


def test_all_labels_are_plain_text(qtbot: QtBot, form: LaunchForm, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.json"
    hostile.write_text(
        json.dumps(
            {
                "ROSTemplateFormatVersion": "2015-09-01",
                "Description": "<b>x</b> <img src='https://evil.example/t.png'>",
                "Parameters": {"P": {"Type": "String", "Label": "<b>x</b>", "Default": "v"}},
            }
        )
    )
    assert form.load_template_file(hostile)
    assert form.panel is not None
    assert form.panel.field("P").label.text() == "<b>x</b>"
    assert form.template_description.text().startswith("<b>x</b> <img")
    labels = form.findChildren(QLabel)
    assert len(labels) > 10
    offenders = [lbl.text() for lbl in labels if lbl.textFormat() != Qt.TextFormat.PlainText]
    assert offenders == []


# --- against the real engine on the sandbox ---------------------------------------------------


async def test_regions_come_from_the_backend(
    qtbot: QtBot, engine: Engine, recent: RecentTemplates
) -> None:
    form = make_form(qtbot, EngineFormBackend(engine), recent, language="zh-cn")
    assert form.regions_task is not None
    await asyncio.wait_for(form.regions_task, 10)
    index = form.region_combo.findData("cn-shanghai")
    assert form.region_combo.itemText(index) == "华东2（上海） · cn-shanghai"
    assert form.region() == "cn-hangzhou"
    assert "sandbox" in form.mode_banner.text()


async def test_the_engine_backend_caches_regions_per_language(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = EngineFormBackend(engine)
    assert engine.ros is not None
    calls: list[str] = []
    original = engine.ros.describe_regions

    async def counting(language: str = "en-US") -> list[tuple[str, str]]:
        calls.append(language)
        return await original(language)

    monkeypatch.setattr(engine.ros, "describe_regions", counting)
    english = await backend.regions("en")
    assert ("cn-hangzhou", "China (Hangzhou)") in english
    assert await backend.regions("en") == english
    assert ("cn-hangzhou", "华东1（杭州）") in await backend.regions("zh-cn")
    assert calls == ["en-US", "zh-CN"]
    assert backend.default_region() == "cn-hangzhou"
    assert backend.mode_text().startswith("Local ROS sandbox at 127.0.0.1:")


async def test_launch_emits_launched_with_a_real_stack_id_and_closes(
    qtbot: QtBot, engine: Engine, recent: RecentTemplates
) -> None:
    sub = engine.subscribe()
    form = make_form(qtbot, EngineFormBackend(engine), recent)
    form.show()
    assert form.load_template_file(SEED)
    qtbot.mouseClick(form.launch_button, Qt.MouseButton.LeftButton)
    stack_id, name = await wait_signal(form.launched, 15)
    assert UUID_RE.match(stack_id)
    assert name == "seed-webhook-20250314-150926"
    assert not form.isVisible()
    launch = await engine.find(stack_id)
    assert (launch.stack_name, launch.region) == (name, "cn-hangzhou")
    # The sandbox calls back and the engine announces the result, as for any launch.
    event = await finished(sub, stack_id)
    assert (event.status, event.via) == ("CREATE_COMPLETE", "callback")


async def test_the_ui_stays_responsive_while_a_launch_is_pending(
    qtbot: QtBot, recent: RecentTemplates
) -> None:
    backend = StaticBackend()
    backend.blocking = True
    form = make_form(qtbot, backend, recent)
    form.show()
    assert form.load_template_file(SEED)
    qtbot.mouseClick(form.launch_button, Qt.MouseButton.LeftButton)
    await asyncio.sleep(0.01)
    assert form.busy
    assert not form.launch_button.isEnabled() and form.launch_button.text() == "Launching…"
    assert not form.validate_button.isEnabled()
    assert form.progress.isVisible()
    assert form.status_label.text() == "Launching seed-webhook-20250314-150926…"
    # The Qt loop keeps running: a timer fires and the form still takes input.
    timer = QTimer()
    timer.setSingleShot(True)
    timer.start(20)
    await wait_signal(timer.timeout, 2)
    form.tags_edit.setText("still=typing")
    qtbot.mouseClick(form.launch_button, Qt.MouseButton.LeftButton)  # disabled: ignored
    assert form.submit() is form.launch_task  # --yes while busy: the same launch
    assert len(backend.requests) == 1
    backend.release.set()
    stack_id, _ = await wait_signal(form.launched, 5)
    assert UUID_RE.match(stack_id)
    assert not form.busy and not form.isVisible()


async def test_an_api_error_is_shown_with_its_code_and_the_form_stays_open(
    qtbot: QtBot, engine: Engine, recent: RecentTemplates
) -> None:
    sub = engine.subscribe()
    backend = EngineFormBackend(engine)
    first = make_form(qtbot, backend, recent)
    first.show()
    assert first.prefill(SHOWCASE, "twin-stack", {})
    fill_password(first)
    first_task = first.submit()
    assert first_task is not None
    first_id = await asyncio.wait_for(first_task, 15)
    assert first_id is not None and UUID_RE.match(first_id)
    await finished(sub, first_id)

    form = make_form(qtbot, backend, recent)
    form.show()
    assert form.prefill(SHOWCASE, "twin-stack", {"Owner": "erin"})
    fill_password(form)
    form.timeout_spin.setValue(30)
    form.tags_edit.setText("env=dev")
    launched: list[tuple] = []
    form.launched.connect(lambda *args: launched.append(args))
    task = form.submit()
    assert task is not None
    assert await asyncio.wait_for(task, 15) is None
    assert launched == []
    assert form.isVisible()
    assert form.error_text().startswith("Launch failed — StackExists: The Stack (twin-stack)")
    assert form.name_error.text() == "The Stack (twin-stack) already exists."
    assert form.launch_button.isEnabled() and not form.busy and form.progress.isHidden()
    # Nothing typed was lost.
    assert form.name_edit.text() == "twin-stack"
    assert (form.timeout_spin.value(), form.tags_edit.text()) == (30, "env=dev")
    assert form.panel is not None and form.panel.field("Owner").text() == "erin"
    assert form.panel.field("AdminPassword").text() == "s3cret-pass"


async def test_a_refused_launch_maps_errors_to_fields(
    qtbot: QtBot, recent: RecentTemplates
) -> None:
    backend = StaticBackend(
        error=LaunchRefused("some parameters are not valid", {"Owner": "Not this owner."})
    )
    form = make_form(qtbot, backend, recent)
    form.show()
    assert form.load_template_file(SHOWCASE)
    fill_password(form)
    task = form.submit()
    assert task is not None and await task is None
    assert form.panel is not None and form.panel.field("Owner").error() == "Not this owner."
    assert form.error_text() == "Launch refused: some parameters are not valid"
    assert form.isVisible()


async def test_a_failure_after_the_form_was_closed_brings_it_back(
    qtbot: QtBot, recent: RecentTemplates
) -> None:
    backend = StaticBackend(error=RuntimeError("network down"))
    backend.blocking = True
    form = make_form(qtbot, backend, recent)
    form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # as the app opens it
    form.show()
    assert form.load_template_file(SEED)
    task = form.submit()
    assert task is not None
    form.close()  # the user closes the window; the launch goes on in the background
    assert not form.isVisible() and not task.done()
    backend.release.set()
    assert await task is None
    assert form.isVisible()
    assert form.error_text() == "Launch failed: RuntimeError: network down"


async def test_a_form_closed_while_launching_lives_until_the_launch_answers(
    recent: RecentTemplates,
) -> None:
    backend = StaticBackend()
    backend.blocking = True
    form = LaunchForm(backend, recent=recent, clock=lambda: NOW)
    form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    form.show()
    assert form.load_template_file(SEED)
    assert form.submit() is not None
    destroyed: list[bool] = []
    launched: list[tuple[str, str]] = []
    form.destroyed.connect(lambda *_: destroyed.append(True))
    form.launched.connect(lambda *args: launched.append(args))
    form.close()
    await asyncio.sleep(0.05)
    assert destroyed == [] and form.isHidden() and form.busy
    backend.release.set()
    for _ in range(100):  # the launch answers, then deleteLater runs on a later loop turn
        if destroyed:
            break
        await asyncio.sleep(0.01)
    assert destroyed == [True]
    assert len(launched) == 1 and UUID_RE.match(launched[0][0])


async def test_an_unexpected_error_is_shown_not_swallowed(
    qtbot: QtBot, recent: RecentTemplates
) -> None:
    form = make_form(qtbot, StaticBackend(error=RuntimeError("boom")), recent)
    assert form.load_template_file(SEED)
    task = form.submit()
    assert task is not None and await task is None
    assert form.error_text() == "Launch failed: RuntimeError: boom"
    assert form.launch_button.isEnabled()


async def test_validate_shows_the_sandbox_result_and_errors(
    qtbot: QtBot, engine: Engine, recent: RecentTemplates, tmp_path: Path
) -> None:
    form = make_form(qtbot, EngineFormBackend(engine), recent)
    form.show()
    assert form.load_template_file(SHOWCASE)
    qtbot.mouseClick(form.validate_button, Qt.MouseButton.LeftButton)
    assert form.validate_task is not None
    result = await asyncio.wait_for(form.validate_task, 10)
    assert result is not None and len(result["Parameters"]) == 11
    assert form.result_text().startswith(
        "ROS accepts this template: 11 parameters, 3 resources, 10 outputs."
    )
    assert "ALIYUN::ROS::Sleep" in form.result_text()
    assert form.validate_button.isEnabled()

    broken = tmp_path / "dangling.json"
    broken.write_text(
        json.dumps(
            {
                "ROSTemplateFormatVersion": "2015-09-01",
                "Resources": {"Pause": {"Type": "ALIYUN::ROS::Sleep"}},
                "Outputs": {"X": {"Value": {"Fn::GetAtt": ["Missing", "Attr"]}}},
            }
        )
    )
    assert form.load_template_file(broken)  # the outline is fine locally; ROS knows better
    task = form.validate()
    assert task is not None
    assert await asyncio.wait_for(task, 10) is None
    assert form.result_text() == ""
    assert form.error_text().startswith("The template is not valid — InvalidTemplate")
    assert "Request ID: " in form.error_text()


async def test_prefill_and_submit_launch_directly(
    qtbot: QtBot, engine: Engine, recent: RecentTemplates
) -> None:
    sub = engine.subscribe()
    form = make_form(qtbot, EngineFormBackend(engine), recent)
    form.show()
    ok = form.prefill(
        SHOWCASE,
        "handed-over",
        {"AdminPassword": "pw-1234567", "ReplicaCount": "3", "Environment": "test"},
    )
    assert ok
    task = form.submit()
    assert task is not None
    stack_id, name = await wait_signal(form.launched, 15)
    assert name == "handed-over" and UUID_RE.match(stack_id)
    assert await task == stack_id
    info = await engine.stack_info(stack_id)
    assert info.parameters["ReplicaCount"] == "3"
    assert info.parameters["Environment"] == "test"
    assert info.parameters["AdminPassword"] == "****"
    assert (await finished(sub, stack_id)).status == "CREATE_COMPLETE"


async def test_an_invalid_prefill_is_not_launched(
    qtbot: QtBot, engine: Engine, recent: RecentTemplates
) -> None:
    form = make_form(qtbot, EngineFormBackend(engine), recent)
    assert form.prefill(SHOWCASE, "bad-handover", {"AdminPassword": "x", "ReplicaCount": "99"})
    assert form.submit() is None
    assert form.panel is not None
    assert form.panel.field("ReplicaCount").error() == "99 is out of range (min: 1, max: 5)."
    assert form.panel.field("AdminPassword").error() == (
        "Length must be between 8 and 30 characters."
    )
    assert await engine.history() == []


# --- screenshot -------------------------------------------------------------------------------


def test_screenshot_of_the_showcase_form(
    qtbot: QtBot, recent: RecentTemplates, tmp_path: Path
) -> None:
    """Set ROSTRAY_SCREENSHOTS=1 to refresh docs/screenshots/launch-form.png."""
    backend = StaticBackend()
    backend.mode_text = lambda: "Embedded ROS sandbox — no cloud account used"  # type: ignore[method-assign]
    form = make_form(qtbot, backend, recent)
    assert form.load_template_file(SHOWCASE)
    fill_password(form)
    form.tags_edit.setText("env=dev, team=platform")
    form.urls_edit.setPlainText("https://hooks.example.com/ros")
    fit_form(form)
    image = form.grab()
    assert not image.isNull() and image.width() >= 700
    target = tmp_path / "launch-form.png"
    if os.environ.get("ROSTRAY_SCREENSHOTS"):
        target = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "launch-form.png"
        target.parent.mkdir(parents=True, exist_ok=True)
    assert image.save(str(target))
    assert form.scroll.verticalScrollBar().maximum() == 0  # the whole form is in the picture

"""The Simplified Chinese catalogue: complete, compiled, placeholders intact, really used.

``make translations`` refreshes ``resources/translations/rostray_zh_CN.ts`` from the Makefile's
``TR_SOURCES`` (the GUI, the alert texts in the core, the commands) and compiles
``rostray_zh_CN.qm``; both files are committed. These tests fail when a new string is not
translated, a file with translatable strings is missing from ``TR_SOURCES``, a translation
breaks a ``{placeholder}``, the ``.qm`` was not recompiled, or the Qt-free reader
(``rostray.core.i18n``) reads the catalogue differently from Qt. Set ROSTRAY_SCREENSHOTS=1
to refresh ``docs/screenshots/launch-form-zh.png``.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from qt_helpers import fit_form

from rostray.core import i18n as core_i18n
from rostray.gui import i18n
from rostray.gui.bridge import EngineBridge
from rostray.gui.launch_form import EngineFormBackend, LaunchForm, parse_tags
from rostray.gui.models import format_duration
from rostray.gui.recent import RecentTemplates
from rostray.gui.settings_dialog import cli_profiles
from rostray.gui.tray import TrayController

REPO = Path(__file__).resolve().parents[2]
TS = REPO / "resources" / "translations" / "rostray_zh_CN.ts"
QM = TS.with_suffix(".qm")
GUI = REPO / "rostray" / "gui"
MAKEFILE = REPO / "Makefile"
SHOWCASE = REPO / "resources" / "templates" / "parameters-showcase.yaml"
# {name}, {0}, {m:02d}; %n (plurals); %v / %m (QProgressBar formats).
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%[nvm]")
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    comment: str
    translations: tuple[str, ...]  # one per <numerusform>, or the single <translation>
    kind: str  # "" when finished, else unfinished / vanished / obsolete
    numerus: bool
    where: str  # file:line of the first location

    def __str__(self) -> str:
        text = f"{self.where}: [{self.context}] {self.source!r}"
        return f"{text} ({self.comment!r})" if self.comment else text


def read_catalogue(path: Path) -> list[Message]:
    messages = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            forms = translation.findall("numerusform")
            texts = [f.text or "" for f in forms] if forms else [translation.text or ""]
            location = message.find("location")
            where = "?"
            if location is not None:
                where = f"{Path(location.get('filename', '?')).name}:{location.get('line', '?')}"
            messages.append(
                Message(
                    context=name,
                    source=message.findtext("source") or "",
                    comment=message.findtext("comment") or "",
                    translations=tuple(texts),
                    kind=translation.get("type", ""),
                    numerus=message.get("numerus") == "yes",
                    where=where,
                )
            )
    return messages


def tool(name: str) -> str:
    """A Qt tool from the venv running the tests (PySide6 ships lupdate and lrelease)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} not found: install PySide6 (make test bootstraps .venv)"
    return found


def run(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], check=True, capture_output=True, timeout=120)


def tr_sources() -> list[Path]:
    """The files ``make translations`` hands to lupdate (the Makefile's ``TR_SOURCES``)."""
    found = re.search(r"^TR_SOURCES\s*:?=(.*)$", MAKEFILE.read_text(encoding="utf-8"), re.M)
    assert found, "TR_SOURCES not found in the Makefile"
    return sorted({p for pattern in found.group(1).split() for p in REPO.glob(pattern)})


def marks_strings(tree: ast.AST) -> bool:
    """Whether a module has calls lupdate extracts: ``self.tr``, ``translate("Ctx", "…")``,
    ``QCoreApplication.translate`` or ``QT_TRANSLATE_NOOP`` with literal text."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        literal = all(isinstance(a, ast.Constant) for a in node.args[:2])
        if name == "tr" and isinstance(func, ast.Attribute) and literal:
            return True
        if name in ("translate", "QT_TRANSLATE_NOOP") and len(node.args) >= 2 and literal:
            return True
    return False


def listing(messages: list[Message]) -> str:
    return "\n".join(f"  {m}" for m in messages)


def translated(context: str, source: str) -> str:
    """The committed translation of one message (so wording changes need no test edits)."""
    for message in read_catalogue(TS):
        if (message.context, message.source) == (context, source):
            return message.translations[0]
    raise AssertionError(f"[{context}] {source!r} is not in the catalogue")


# -- catalogue ---------------------------------------------------------------------------------


def test_catalogue_has_every_source_string(tmp_path: Path) -> None:
    """lupdate over the sources adds nothing to (and retires nothing from) the committed .ts."""
    copy = tmp_path / TS.name
    shutil.copyfile(TS, copy)
    run(tool("pyside6-lupdate"), *tr_sources(), "-ts", copy)
    updated = read_catalogue(copy)
    new = [m for m in updated if m.kind == "unfinished"]
    assert not new, (
        f"{len(new)} string(s) lack a Chinese translation; run `make translations` and "
        f"translate them in {TS.name}:\n{listing(new)}"
    )
    gone = [m for m in updated if m.kind in ("vanished", "obsolete")]
    assert not gone, f"translated but no longer in the sources:\n{listing(gone)}"


def test_every_file_with_visible_strings_is_scanned() -> None:
    """A module that marks strings but is not in TR_SOURCES would stay English forever."""
    scanned = set(tr_sources())
    assert GUI / "tray.py" in scanned and REPO / "rostray" / "core" / "alerts.py" in scanned
    missing = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / "rostray").rglob("*.py"))
        if path not in scanned and marks_strings(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not missing, f"add these to TR_SOURCES in the Makefile: {missing}"


def test_qt_free_reader_agrees_with_qt(qapp: QApplication) -> None:
    """Headless mode and the CLI read the .ts; the GUI the .qm: both say the same."""
    compiled = QTranslator()
    assert compiled.load(str(QM))
    translate = core_i18n.translator("zh_CN")
    checked = 0
    for message in read_catalogue(TS):
        if message.comment or message.numerus:
            continue  # the Qt-free callers use neither
        qt = compiled.translate(message.context, message.source)
        assert translate(message.context, message.source) == qt, str(message)
        checked += 1
    assert checked > 300
    assert translate("Alerts", "not in the catalogue") == "not in the catalogue"
    assert core_i18n.translator("en") is core_i18n.english


def test_committed_catalogue_is_finished() -> None:
    messages = read_catalogue(TS)
    assert len(messages) > 300
    stale = [m for m in messages if m.kind in ("vanished", "obsolete")]
    assert not stale, f"drop these (lupdate -no-obsolete):\n{listing(stale)}"
    open_ = [m for m in messages if m.kind or not all(t.strip() for t in m.translations)]
    assert not open_, f"unfinished or empty translations:\n{listing(open_)}"
    plural = [m for m in messages if m.numerus and len(m.translations) != 1]
    assert not plural, f"Chinese has one plural form:\n{listing(plural)}"


def test_translations_keep_placeholders() -> None:
    """Same {placeholders} and %n/%v/%m as the source, and a trailing ellipsis stays."""
    broken = []
    for message in read_catalogue(TS):
        # lupdate reads ``tr = QCoreApplication.translate; tr("Ctx", "text")`` as a self.tr()
        # call with "text" as the disambiguation comment: its placeholders count too.
        expected = set(PLACEHOLDER.findall(message.source + message.comment))
        for text in message.translations:
            if set(PLACEHOLDER.findall(text)) != expected:
                broken.append(f"  {message}: {text!r}")
            elif message.source.endswith("…") and not text.endswith("…"):
                broken.append(f"  {message}: {text!r} (lost its '…')")
    assert not broken, "translations with different placeholders:\n" + "\n".join(broken)


def test_compiled_catalogue_is_up_to_date(tmp_path: Path, qapp: QApplication) -> None:
    """The committed .qm is what lrelease makes of the committed .ts."""
    fresh = tmp_path / QM.name
    run(tool("pyside6-lrelease"), TS, "-qm", fresh)
    if fresh.read_bytes() == QM.read_bytes():
        return
    # Another lrelease version may lay the file out differently: compare what it translates.
    committed, compiled = QTranslator(), QTranslator()
    assert committed.load(str(QM)) and compiled.load(str(fresh))
    stale = []
    for message in read_catalogue(TS):
        args = (message.context, message.source, message.comment or None, 2)
        if committed.translate(*args) != compiled.translate(*args):
            stale.append(message)
    assert not stale, f"{QM.name} is out of date; run `make translations`:\n{listing(stale)}"


# -- at run time -------------------------------------------------------------------------------


class Backend:
    """The launch form's backend without an engine: the cloud is never reached here."""

    async def launch(self, request: object) -> str:
        raise AssertionError("not launched in these tests")

    async def validate_template(self, body: str) -> dict:
        return {}

    async def regions(self, language: str) -> list[tuple[str, str]]:
        return []

    def default_region(self) -> str:
        return "cn-hangzhou"

    def mode_text(self) -> str:
        # The real text, so the picture shows what users see.
        return EngineFormBackend(SimpleNamespace(sandbox=object(), ros=None)).mode_text()


def make_tray() -> TrayController:
    tray = TrayController(EngineBridge(), tray_available=lambda: True, variant=None)
    tray.menu.aboutToShow.emit()  # the menu is rebuilt when it opens
    return tray


def drop_tray(tray: TrayController) -> None:
    tray.icon.hide()
    tray.deleteLater()


def make_form(qtbot: QtBot, tmp_path: Path) -> LaunchForm:
    recent = RecentTemplates(tmp_path / "recent.json")
    form = LaunchForm(
        Backend(), language="zh-cn", recent=recent, clock=lambda: datetime(2025, 3, 14, 15, 9)
    )
    qtbot.addWidget(form)
    return form


def test_widgets_switch_language(chinese: None, qtbot: QtBot, tmp_path: Path) -> None:
    launch = translated("TrayController", "Launch stack…")
    title = translated("LaunchForm", "Launch stack — rostray")
    assert CJK.search(launch) and CJK.search(title)
    tray = make_tray()
    try:
        assert launch in tray.action_texts()
        assert translated("TrayController", "Quit") in tray.action_texts()
    finally:
        drop_tray(tray)
    form = make_form(qtbot, tmp_path)
    assert form.windowTitle() == title
    assert form.picker.title() == translated("TemplatePicker", "Template")

    assert i18n.install("en") == "en"
    tray = make_tray()
    try:
        assert "Launch stack…" in tray.action_texts()
        assert launch not in tray.action_texts()
    finally:
        drop_tray(tray)
    assert make_form(qtbot, tmp_path).windowTitle() == "Launch stack — rostray"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("zh_TW", "zh_CN"),
        ("zh_HK", "zh_CN"),
        ("zh_CN", "zh_CN"),
        ("zh", "zh_CN"),
        ("zh-Hant-TW", "zh_CN"),
        ("en_US", "en"),
        ("de_DE", "en"),
        ("en", "en"),
    ],
)
def test_language_code(name: str, code: str) -> None:
    assert i18n.language_code(name) == code
    assert i18n.language_code("auto", system=name) == code


@pytest.mark.parametrize(
    ("environ", "code"),
    [
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LANG": "zh_TW.UTF-8"}, "zh_CN"),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LANG": "de_DE.UTF-8", "LANGUAGE": "zh_CN:en"}, "zh_CN"),
    ],
)
def test_gui_reads_the_locale_like_the_command_line(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], code: str
) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert i18n.language_code("auto") == code == core_i18n.language_code("auto")
    assert i18n.language_code("en") == "en"


# -- every context lupdate files is one the code asks for ---------------------------------------


def runtime_contexts() -> set[str]:
    """Class names (``self.tr``) and literal contexts of ``translate`` (``QCoreApplication``'s
    or the Qt-free one) and ``QT_TRANSLATE_NOOP``."""
    names: set[str] = set()
    for path in tr_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names.add(node.name)
            elif (
                isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
            ):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in ("translate", "QT_TRANSLATE_NOOP"):
                    names.add(str(node.args[0].value))
    return names


def test_catalogue_contexts_are_looked_up_at_run_time() -> None:
    known = runtime_contexts()
    lost = [m for m in read_catalogue(TS) if m.context not in known]
    assert not lost, f"never translated at run time:\n{listing(lost)}"


def test_module_level_messages_are_translated(chinese: None, tmp_path: Path) -> None:
    texts = {
        "parse_tags": parse_tags("oops")[1] or "",
        "format_duration": format_duration(0.5),
        "cli_profiles": cli_profiles(tmp_path)[2],
        "mode_text": Backend().mode_text(),
    }
    english = {name: text for name, text in texts.items() if not CJK.search(text)}
    assert not english, f"still English in Chinese: {english}"


# -- screenshot --------------------------------------------------------------------------------


def test_screenshot_in_chinese(chinese: None, qtbot: QtBot, tmp_path: Path) -> None:
    """The showcase form and the tray menu side by side, in Chinese."""
    form = make_form(qtbot, tmp_path)
    assert form.load_template_file(SHOWCASE)
    form.tags_edit.setText("env=dev, team=platform")
    form.urls_edit.setPlainText("https://hooks.example.com/ros")
    fit_form(form)
    assert form.scroll.verticalScrollBar().maximum() == 0  # the whole form is in the picture
    tray = make_tray()
    try:
        tray.menu.adjustSize()
        menu = tray.menu.grab()
    finally:
        drop_tray(tray)
    shot = form.grab()
    margin = 16
    image = QImage(
        shot.width() + menu.width() + 2 * margin,
        max(shot.height(), menu.height() + 2 * margin),
        QImage.Format.Format_RGB32,
    )
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.drawPixmap(0, 0, shot)
    painter.drawPixmap(shot.width() + margin, margin, menu)
    painter.end()
    target = tmp_path / "launch-form-zh.png"
    if os.environ.get("ROSTRAY_SCREENSHOTS"):
        target = REPO / "docs" / "screenshots" / "launch-form-zh.png"
    assert image.save(str(target))
    assert QCoreApplication.translate("LaunchForm", "Launch") != "Launch"

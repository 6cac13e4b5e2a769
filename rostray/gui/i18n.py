"""Load the UI language: Qt's own strings and rostray's, chosen by locale or settings.

English is the source language and needs no file. Every Chinese locale (zh_CN, zh_SG, zh_TW,
zh_HK) gets the Simplified Chinese file: Qt does not fall back from zh_TW to zh_CN by itself.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from rostray.assets import resources_dir
from rostray.core import i18n as core_i18n

_installed: list[QTranslator] = []


def system_locale() -> str:
    """The messages locale. From the environment when it names one, exactly as headless mode
    and the command line read it (Qt would look at LC_NUMERIC, not LC_MESSAGES); from the OS
    otherwise (macOS and Windows sessions set no locale variables)."""
    if any(os.environ.get(name) for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")):
        return core_i18n.system_language()
    return QLocale.system().name()


def language_code(choice: str, system: str | None = None) -> str:
    """``auto``/``en``/``zh_CN`` (settings) to the language we ship: ``en`` or ``zh_CN``.

    The rule is the Qt-free one (``rostray.core.i18n``), so all front ends agree.
    """
    return core_i18n.language_code(choice, system or system_locale())


def install(choice: str = "auto") -> str:
    """Install translators for ``choice`` (replacing earlier ones); returns the code used."""
    app = QCoreApplication.instance()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    code = language_code(choice)
    if code == "en":
        return code
    qt = QTranslator(app)
    if qt.load(
        QLocale(code), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(qt)
        _installed.append(qt)
    ours = QTranslator(app)
    if ours.load(f"rostray_{code}", str(resources_dir() / "translations")):
        app.installTranslator(ours)
        _installed.append(ours)
    return code

"""Translations without Qt: one catalogue for the tray app, headless mode and the CLI.

The catalogue is ``resources/translations/rostray_zh_CN.ts``. The GUI loads its compiled
``.qm`` through Qt; everything Qt-free reads the ``.ts`` XML itself (a few hundred messages,
parsed once per process), so there is no second catalogue to keep in step.

Code that shows words takes a ``translate`` callable ``(context, text) -> str``: the GUI passes
``QCoreApplication.translate``, headless mode and the CLI pass ``translator(code)``, and the
default ``english`` returns the source text. Calls are written ``translate("Context", "text")``
and module-level words ``QT_TRANSLATE_NOOP("Context", "text")`` because those are the forms
``pyside6-lupdate`` extracts from any Python file (``make translations`` lists the files).
"""

from __future__ import annotations

import logging
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

Translate = Callable[[str, str], str]
SHIPPED = ("en", "zh_CN")  # English is the source language and needs no file


def english(context: str, text: str) -> str:
    """The identity translation: the source text is English."""
    return text


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks ``text`` for lupdate without translating it (translated where it is shown)."""
    return text


@dataclass(frozen=True)
class Text:
    """A message translated where it is shown, for text made where the language is unknown
    (an engine exception reaches the tray, the command line and the hand-over reply).

    ``str()`` is the English text; ``render(translate)`` the shown one. Arguments that are
    ``Text`` themselves are rendered in the same language.
    """

    context: str
    source: str
    args: Mapping[str, object] = field(default_factory=dict)

    def format(self, **args: object) -> Text:
        return Text(self.context, self.source, {**self.args, **args})

    def render(self, translate: Translate = english) -> str:
        args = {k: v.render(translate) if isinstance(v, Text) else v for k, v in self.args.items()}
        return translate(self.context, self.source).format(**args)

    def __str__(self) -> str:
        return self.render()


class _Deferred:
    def translate(self, context: str, text: str) -> Text:
        return Text(context, text)


# ``deferred.translate("Engine", "…").format(…)``: spelled like a translation so lupdate
# extracts it, evaluated later by whoever shows it.
deferred = _Deferred()


def localized(message: object, translate: Translate) -> str:
    """An exception's (or any object's) text in the shown language: its ``Text`` when it
    carries one (``exc.text``), else ``str()``."""
    text = message if isinstance(message, Text) else getattr(message, "text", None)
    return text.render(translate) if isinstance(text, Text) else str(message)


def system_language(environ: Mapping[str, str] | None = None) -> str:
    """The messages locale as gettext sees it: LC_ALL > LC_MESSAGES > LANG, then LANGUAGE's
    first entry unless the locale is C/POSIX (gettext ignores LANGUAGE there)."""
    env = os.environ if environ is None else environ
    locale = next((env[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(k)), "")
    if not locale or locale in ("C", "POSIX") or locale.startswith("C."):
        return "C"
    first = next((x for x in env.get("LANGUAGE", "").split(":") if x), "")
    return first or locale


def language_code(choice: str, system: str | None = None) -> str:
    """``auto``/``en``/``zh_CN`` (the ``ui.language`` setting) to a shipped language.

    Every Chinese locale (zh_CN, zh_SG, zh_TW, zh_HK) gets Simplified Chinese; anything else
    gets English. ``system`` defaults to the environment's messages locale.
    """
    name = (system if system is not None else system_language()) if choice == "auto" else choice
    return "zh_CN" if name.lower().replace("-", "_").startswith("zh") else "en"


def read_catalogue(path: Path) -> dict[tuple[str, str], str]:
    """(context, source) → translation for the finished messages of a Qt ``.ts`` file.

    Unfinished and retired entries are skipped as lrelease skips them; messages with a
    disambiguation comment are left out (the Qt-free callers never pass one); a plural
    message contributes its single Chinese form.
    """
    messages: dict[tuple[str, str], str] = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is None or translation.get("type") or message.findtext("comment"):
                continue
            forms = translation.findall("numerusform")
            text = (forms[0].text if forms else translation.text) or ""
            if text:
                messages[(name, message.findtext("source") or "")] = text
    return messages


def catalogue_path(code: str) -> Path:
    from rostray.assets import resources_dir

    return resources_dir() / "translations" / f"rostray_{code}.ts"


@lru_cache(maxsize=4)
def translator(code: str) -> Translate:
    """The Qt-free ``translate`` for a shipped language code (``en`` → ``english``)."""
    if code == "en":
        return english
    try:
        messages = read_catalogue(catalogue_path(code))
    except (OSError, ET.ParseError) as exc:
        log.warning("translations for %s unavailable (%s); using English", code, exc)
        return english

    def translate(context: str, text: str) -> str:
        return messages.get((context, text), text)

    return translate


def translator_for(choice: str = "auto") -> Translate:
    """The translator for a ``ui.language`` setting, with ``auto`` read from the locale."""
    return translator(language_code(choice))

"""The language of the command line's human output (``--json`` and log lines stay English).

The config's ``ui.language`` when it is not ``auto``, else the messages locale (LC_ALL,
LC_MESSAGES, LANG, LANGUAGE). The catalogue is the GUI's (``rostray.core.i18n``). Commands
write ``translate("Cli", "…")`` so that ``make translations`` extracts the text.
"""

from __future__ import annotations

from pathlib import Path

from rostray.core.i18n import Translate, translator_for

_current: Translate | None = None


def translate(context: str, text: str) -> str:
    """``text`` in the command line's language."""
    global _current
    if _current is None:
        _current = translator_for(_configured_language(None))
    return _current(context, text)


def use_language(choice: str) -> None:
    """Switch to a ``ui.language`` setting (called once a ``--config`` file is loaded)."""
    global _current
    _current = translator_for(choice)


def _configured_language(path: Path | None) -> str:
    from rostray.config import ConfigError, load_settings

    try:
        return load_settings(path).ui.language
    except (ConfigError, OSError):
        return "auto"  # the command itself reports a broken config file

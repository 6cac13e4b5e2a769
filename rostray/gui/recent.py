"""The recently used template files, newest first, kept in a small JSON file.

Qt-free on purpose: the launch form shows the list, and the CLI hand-over may add to it. The
file is user-writable input, so anything unexpected in it is ignored rather than trusted.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path

from rostray.config import data_dir

log = logging.getLogger(__name__)

FILENAME = "recent-templates.json"
DEFAULT_LIMIT = 10
_FORMAT_VERSION = 1


class RecentTemplates:
    """A bounded most-recent-first list of absolute template paths, persisted on every change."""

    def __init__(self, path: Path | None = None, *, limit: int = DEFAULT_LIMIT) -> None:
        self._path = path
        self.limit = max(1, limit)
        self._entries: list[Path] | None = None  # loaded lazily: no disk access at import

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = data_dir() / FILENAME
        return self._path

    def _load(self) -> list[Path]:
        if self._entries is not None:
            return self._entries
        entries: list[Path] = []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = None
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable recent-templates file %s: %s", self.path, exc)
            data = None
        items = data.get("templates") if isinstance(data, dict) else None
        if isinstance(items, list):
            for item in items:
                if isinstance(item, str) and item and Path(item).is_absolute():
                    path = Path(item)
                    if path not in entries:
                        entries.append(path)
        self._entries = entries[: self.limit]
        return self._entries

    def _save(self) -> None:
        payload = {"version": _FORMAT_VERSION, "templates": [str(p) for p in self._load()]}
        target = self.path
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write-then-rename so a crash never leaves half a file behind.
        fd, tmp = tempfile.mkstemp(prefix=".recent-", suffix=".json", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, ensure_ascii=False, indent=2)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def all(self) -> list[Path]:
        """Every remembered path, newest first, including files that have since vanished."""
        return list(self._load())

    def paths(self) -> list[Path]:
        """Remembered paths that still exist, newest first (what a menu should offer)."""
        return [p for p in self._load() if p.is_file()]

    def add(self, path: Path) -> None:
        """Move ``path`` to the front; the oldest entry falls off past ``limit``."""
        resolved = Path(path).expanduser().resolve()
        entries = [p for p in self._load() if p != resolved]
        entries.insert(0, resolved)
        self._entries = entries[: self.limit]
        self._persist()

    def remove(self, path: Path) -> None:
        resolved = Path(path).expanduser().resolve()
        entries = self._load()
        if resolved in entries:
            entries.remove(resolved)
            self._persist()

    def clear(self) -> None:
        self._entries = []
        self._persist()

    def _persist(self) -> None:
        try:
            self._save()
        except OSError as exc:  # a read-only data dir must not break launching stacks
            log.warning("could not save recent templates to %s: %s", self.path, exc)

"""Locate files shipped in ``resources/``.

In a wheel the folder is installed as ``rostray/resources``; in a source checkout (and an
editable install) it sits beside the package. Both are found through the package itself, so
nothing depends on the working directory.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resources_dir() -> Path:
    installed = Path(str(resources.files("rostray"))) / "resources"
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parent.parent / "resources"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("rostray resources folder not found (broken installation?)")


def resource_path(*parts: str) -> Path:
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"resource not found: {'/'.join(parts)}")
    return path


def sample_templates() -> list[Path]:
    """The bundled sample templates, sorted by file name."""
    folder = resources_dir() / "templates"
    return sorted(p for p in folder.iterdir() if p.suffix in {".json", ".yaml", ".yml"})

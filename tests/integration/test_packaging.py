"""The built wheel, installed (not editable) into a fresh virtualenv, works on its own: the
sample templates ship inside the package and load, the console script runs, and the sandbox
starts from the installed copy."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from shared import REPO, TEMPLATES

from rostray import __version__

PROBE = """
import json, sys, sysconfig
from rostray.assets import resources_dir, sample_templates
from rostray.core.templates import load_template
from rostray.core.i18n import translator
import rostray
print(json.dumps({
    "package": rostray.__file__,
    "resources": str(resources_dir()),
    "purelib": sysconfig.get_paths()["purelib"],
    "samples": {p.name: len(load_template(p.read_bytes()).parameters) for p in sample_templates()},
    "created_zh": translator("zh_CN")("Alerts", "created"),
}))
"""


def run(*command: str | Path, cwd: Path, timeout: float = 600) -> str:
    """Run outside this checkout's environment; fail with the tool's own output."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the project's wheel (and its runtime dependencies) installed."""
    work = tmp_path_factory.mktemp("packaging")
    dist = work / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, REPO, cwd=work)
    [wheel] = dist.glob("rostray-*.whl")
    venv = work / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=work)
    run(venv / "bin" / "python", "-m", "pip", "install", wheel, cwd=work)
    return venv


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_installed_wheel_ships_and_loads_every_sample(installed: Path, tmp_path: Path) -> None:
    probe = json.loads(run(installed / "bin" / "python", "-c", PROBE, cwd=tmp_path))
    purelib = Path(probe["purelib"])
    assert Path(probe["package"]).is_relative_to(purelib)  # not this checkout
    assert Path(probe["resources"]) == purelib / "rostray" / "resources"
    expected = sorted(p.name for p in TEMPLATES.iterdir() if p.suffix in {".json", ".yaml", ".yml"})
    assert sorted(probe["samples"]) == expected
    assert probe["samples"]["parameters-showcase.yaml"] == 11
    assert probe["created_zh"] == "已创建"  # the catalogue ships for headless mode and the CLI


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_installed_console_script_reports_the_version(installed: Path, tmp_path: Path) -> None:
    out = run(installed / "bin" / "rostray-cli", "--version", cwd=tmp_path, timeout=60)
    assert out.strip() == f"rostray {__version__}"


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_installed_sandbox_starts_and_stops(installed: Path, tmp_path: Path) -> None:
    command = [str(installed / "bin" / "rostray-cli"), "sandbox", "--port", "0"]
    with subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert re.match(r"rostray sandbox listening on http://127\.0\.0\.1:\d+ ", line), line
        finally:
            process.terminate()
            assert process.wait(timeout=30) == 0

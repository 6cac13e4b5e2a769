"""What `make dist` builds works on its own. The sdist carries resources/ and the wheel carries
them as rostray/resources; the wheel, installed (not editable) into a fresh virtualenv, loads
every sample, its console scripts run, its sandbox starts, and a real launch against that
installed sandbox completes and prints its outputs. `pipx install '.[gui]'` and `pipx install .`
from the checkout give a working `rostray` too.

Dependencies are resolved once per run into a wheelhouse (from pip's cache when warm); every
install after that is offline (`--no-index --find-links`). Each launch runs in the test's
temporary HOME/XDG directories, so nothing reaches the developer's."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from shared import REPO, TEMPLATES

from rostray import __version__

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

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
# What the running app needs from resources/, besides the samples.
PACKAGE_RESOURCES = (
    "icons/rostray.svg",
    "icons/tray-idle-light.svg",
    "translations/rostray_zh_CN.qm",
    "templates/seed-webhook.json",
)


def clean_env(**extra: str) -> dict[str, str]:
    """This checkout's environment minus anything that would make a tool import it."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, **extra}


def run(*command: str | Path, cwd: Path, timeout: float = 600, **env: str) -> str:
    """Run outside this checkout's environment; fail with the tool's own output."""
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def offline(wheelhouse: Path) -> dict[str, str]:
    """pip settings (also honoured by pipx's pip) that install only from the wheelhouse."""
    return {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse)}


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path
    wheelhouse: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """`make dist`'s command, then every runtime dependency as a wheel."""
    work = tmp_path_factory.mktemp("packaging")
    dist = work / "dist"
    run(sys.executable, "-m", "build", "--outdir", dist, REPO, cwd=work)
    [sdist] = dist.glob("rostray-*.tar.gz")
    [wheel] = dist.glob("rostray-*.whl")
    wheelhouse = work / "wheelhouse"
    # + the build backend (pipx builds from the checkout) and pip (pipx upgrades its own)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "-w", wheelhouse, f"{wheel}[gui]",
        "hatchling>=1.21", "pip", cwd=work)  # fmt: skip
    return Built(sdist, wheel, wheelhouse)


@pytest.fixture(scope="module")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the built wheel (and its runtime dependencies) installed."""
    work = tmp_path_factory.mktemp("venv")
    venv = work / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=work)
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", built.wheel, cwd=work,
        **offline(built.wheelhouse))  # fmt: skip
    return venv


def test_make_dist_runs_the_same_build() -> None:
    recipe = run("make", "-n", "dist", cwd=REPO, timeout=60)
    assert "-m build --outdir dist ." in recipe


def test_sdist_carries_the_resources(built: Built) -> None:
    with tarfile.open(built.sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    expected = {str(p.relative_to(REPO)) for p in (REPO / "resources").rglob("*") if p.is_file()}
    assert expected and expected <= names
    assert {"pyproject.toml", "README.md", "rostray/cli.py"} <= names


def test_wheel_carries_the_resources_inside_the_package(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as archive:
        names = set(archive.namelist())
    for resource in PACKAGE_RESOURCES:
        assert f"rostray/resources/{resource}" in names
    assert not any(name.startswith("resources/") for name in names)  # never top-level
    assert not any(name.startswith("tests/") for name in names)


def test_installed_wheel_ships_and_loads_every_sample(installed: Path, tmp_path: Path) -> None:
    probe = json.loads(run(installed / "bin" / "python", "-c", PROBE, cwd=tmp_path))
    purelib = Path(probe["purelib"])
    assert Path(probe["package"]).is_relative_to(purelib)  # not this checkout
    assert Path(probe["resources"]) == purelib / "rostray" / "resources"
    expected = sorted(p.name for p in TEMPLATES.iterdir() if p.suffix in {".json", ".yaml", ".yml"})
    assert sorted(probe["samples"]) == expected
    assert probe["samples"]["parameters-showcase.yaml"] == 11
    assert probe["created_zh"] == "已创建"  # the catalogue ships for headless mode and the CLI


@pytest.mark.parametrize("script", ["rostray", "rostray-cli"])
def test_installed_scripts_report_the_version(installed: Path, tmp_path: Path, script: str) -> None:
    out = run(installed / "bin" / script, "--version", cwd=tmp_path, timeout=60)
    assert out.strip() == f"rostray {__version__}"


@pytest.fixture
def installed_sandbox(installed: Path, tmp_path: Path) -> Iterator[str]:
    """The installed copy's `rostray sandbox`, running; yields its endpoint."""
    command = [str(installed / "bin" / "rostray-cli"), "sandbox", "--port", "0"]
    with subprocess.Popen(
        command, cwd=tmp_path, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    ) as process:  # fmt: skip
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            match = re.match(r"rostray sandbox listening on http://(127\.0\.0\.1:\d+) ", line)
            assert match, line + (process.stderr.read() if process.stderr else "")
            yield match.group(1)
        finally:
            process.terminate()
            assert process.wait(timeout=30) == 0


def test_installed_sandbox_starts_and_stops(installed_sandbox: str) -> None:
    assert re.fullmatch(r"127\.0\.0\.1:\d+", installed_sandbox)


def assert_seed_launch_completed(out: str) -> None:
    assert "CREATE_COMPLETE" in out, out
    assert "learned by callback" in out, out
    assert "Outputs:" in out and "CurlCli: curl" in out, out  # the seed's output printed


def test_installed_wheel_launches_on_the_installed_sandbox(
    installed: Path, installed_sandbox: str, tmp_path: Path
) -> None:
    """The installed CLI, signing with the SDK, against the installed standalone sandbox."""
    cli = installed / "bin" / "rostray-cli"
    keys = {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "sandbox",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "sandbox-secret",
    }
    endpoint = ("--endpoint", installed_sandbox)
    out = run(cli, "launch", "seed-webhook", "-n", "from-wheel", *endpoint, "--wait",
              cwd=tmp_path, timeout=120, **keys)  # fmt: skip
    assert_seed_launch_completed(out)
    assert "from-wheel" in out
    history = json.loads(run(cli, "history", "--json", *endpoint, cwd=tmp_path, timeout=60, **keys))
    assert [(x["stack_name"], x["status"]) for x in history] == [("from-wheel", "CREATE_COMPLETE")]
    # The history went to the test's temporary HOME, not the developer's.
    assert (Path(os.environ["HOME"]) / ".local" / "share" / "rostray").is_dir()


def pipx_available() -> bool:
    try:
        import pipx  # noqa: F401
    except ImportError:
        return False
    return True


GUI_PROBE = """
from rostray.assets import resource_path
resource_path("translations", "rostray_zh_CN.qm")
import rostray.gui.app, PySide6, qasync, desktop_notifier, keyring
print("gui ok")
"""


@pytest.mark.skipif(not pipx_available(), reason="pipx is not installed (it is in the dev extra)")
@pytest.mark.parametrize("extra", ["[gui]", ""], ids=["gui", "cli-only"])
def test_pipx_install_from_the_checkout(built: Built, tmp_path: Path, extra: str) -> None:
    """The README's `pipx install '.[gui]'` and `pipx install .`: their own venv, a `rostray`
    on PATH that finds its resources and launches on the built-in sandbox (no credentials)."""
    pipx_env = {
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
        "PIPX_MAN_DIR": str(tmp_path / "man"),
        **offline(built.wheelhouse),
    }
    run(sys.executable, "-m", "pipx", "install", f"{REPO}{extra}", cwd=tmp_path, **pipx_env)
    rostray = tmp_path / "bin" / "rostray"
    assert run(rostray, "--version", cwd=tmp_path, timeout=60).strip() == f"rostray {__version__}"
    out = run(rostray, "launch", "seed-webhook", "-n", "from-pipx", "--wait",
              cwd=tmp_path, timeout=120)  # fmt: skip
    assert_seed_launch_completed(out)
    assert "from-pipx" in out
    python = tmp_path / "pipx" / "venvs" / "rostray" / "bin" / "python"
    if extra:
        assert run(python, "-c", GUI_PROBE, cwd=tmp_path, timeout=120).strip() == "gui ok"
    else:  # the base install has no Qt: plain `rostray` runs headless
        probe = "import importlib.util as u; print(u.find_spec('PySide6') is None)"
        assert run(python, "-c", probe, cwd=tmp_path).strip() == "True"

"""Every command in the docs is exercised by a test.

The commands are read from README.md, docs/*.md and resources/templates/README.md: every line
of a shell code block (```sh, ```bash, ```console, ```bat or an untagged block; in a block with
`$ ` prompts only the prompted lines) and every inline code span that is a program name with
an argument (a bare `rostray` in prose names the program). Each one must be run below
(registered with ``runs``), be run by a named test elsewhere (``ELSEWHERE``), or be listed in
``NOT_HERE`` with the reason it cannot run on this machine. A new command in the docs that is
none of these fails ``test_every_doc_command_is_accounted_for``; so does a list entry whose
command left the docs.

The commands run as written, in the test's temporary HOME/XDG directories. The few documented
substitutions: `rostray`/`keyring` run as `python -m …` of this checkout, `make` runs as
`make -n` (its targets bootstrap .venv and run the whole suite), and the fixed port 8000 becomes
a free port. The TOML and plist examples are checked too (they are what the commands read).
"""

from __future__ import annotations

import asyncio
import json
import os
import plistlib
import re
import shlex
import signal
import socket
import subprocess
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomli_w
from fakes.ssh_servers import AsyncsshTunnelServer, require_ssh_client, with_test_options
from shared import REPO

from rostray.config import TunnelSettings, load_settings
from rostray.core.tunnels.presets import preset_for
from rostray.desktop_entry import LaunchAgentAutostart
from rostray.sandbox import Sandbox, SandboxConfig

pytestmark = pytest.mark.timeout(300)

DOCS = (
    REPO / "README.md",
    *sorted((REPO / "docs").glob("*.md")),
    REPO / "resources/templates/README.md",
)
SHELL_BLOCKS = {"", "sh", "bash", "shell", "console", "bat"}
PROGRAMS = (
    "rostray", "make", "pipx", "pip", "python", "python3", "keyring", "aliyun", "ngrok",
    "cloudflared", "ssh", "launchctl", "reg", "gnome-extensions", "notify-send", "curl", "which",
)  # fmt: skip
_FENCE = re.compile(r"^( *)```([\w-]*)\n(.*?)^\1```", re.M | re.S)
_INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
_PROGRAM = re.compile(rf"^(?:{'|'.join(map(re.escape, PROGRAMS))})\s+\S")  # + an argument
_COMMENT = re.compile(r"\s+#\s.*$")


@dataclass(frozen=True)
class Block:
    """A fenced block: its language, its text, and where it starts."""

    where: str
    lang: str
    text: str


def blocks() -> list[Block]:
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for m in _FENCE.finditer(text):
            line = text[: m.start()].count("\n") + 1
            body = re.sub(rf"^{m.group(1)}", "", m.group(3), flags=re.M)  # indented in a list
            found.append(Block(f"{doc.relative_to(REPO)}:{line}", m.group(2), body))
    return found


def doc_commands() -> dict[str, list[str]]:
    """Every documented command → where it appears."""
    commands: dict[str, list[str]] = {}
    for block in blocks():
        if block.lang not in SHELL_BLOCKS:
            continue
        lines = block.text.splitlines()
        prompted = any(line.startswith("$ ") for line in lines)
        for line in lines:
            if prompted and not line.startswith("$ "):
                continue  # the command's output
            command = _COMMENT.sub("", line.removeprefix("$ ")).strip()
            if command and not command.startswith("#"):
                commands.setdefault(command, []).append(block.where)
    for doc in DOCS:
        for m in _INLINE.finditer(doc.read_text(encoding="utf-8")):  # also in code comments
            if _PROGRAM.match(m.group(1)):
                commands.setdefault(m.group(1).strip(), []).append(str(doc.relative_to(REPO)))
    return commands


def console_output(command: str) -> list[str]:
    """The output the docs show under ``$ command``."""
    for block in blocks():
        lines = block.text.splitlines()
        if f"$ {command}" in lines:
            rest = lines[lines.index(f"$ {command}") + 1 :]
            return [line for line in rest[: next((i for i, x in enumerate(rest)
                                                  if x.startswith("$ ")), len(rest))]]  # fmt: skip
    raise AssertionError(f"no console block shows `$ {command}`")


# --- what runs where ---------------------------------------------------------------------------

RUN_HERE: dict[str, str] = {}  # command → the test below that runs it


def runs(command: str, test: str) -> str:
    """Register a documented command as run by ``test`` (in this file); returns it unchanged."""
    RUN_HERE[command] = test
    return command


MAKE_RUN = runs("make run", "test_make_targets_exist")
MAKE_TEST = runs("make test", "test_make_targets_exist")
MAKE_DIST = runs("make dist", "test_make_targets_exist")
MAKE_BENCH = runs("make bench", "test_make_targets_exist")
MAKE_FUZZ = runs("make fuzz", "test_make_targets_exist")
MAKE_FUZZ_120 = runs("make fuzz FUZZ_SECONDS=120", "test_make_targets_exist")
MAKE_TRANSLATIONS = runs("make translations", "test_make_targets_exist")
LAUNCH_SEED = runs("rostray launch seed-webhook --sandbox --wait", "test_command_line_block")
LAUNCH_MINE = runs(
    "rostray launch my-template.yaml -n web -p InstanceType=ecs.g7.large --wait --json",
    "test_command_line_block",
)
UPDATE = runs("rostray update web -p InstanceType=ecs.g7.xlarge --wait", "test_command_line_block")
DELETE = runs("rostray delete web --wait", "test_command_line_block")
STATUS = runs("rostray status web", "test_command_line_block")
HISTORY = runs("rostray history", "test_command_line_block")
HEADLESS = runs("rostray --headless", "test_headless")
SANDBOX_STATE = runs(
    "rostray sandbox --port 8000 --state stacks.json", "test_sandbox_with_a_state_file"
)
SANDBOX = runs("rostray sandbox --port 8000", "test_sandbox_prints_what_the_docs_show")
TUNNEL_CHECK = runs("rostray tunnel check", "test_tunnel_check_with_the_ssh_example")
TUNNEL_CHECK_V = runs("rostray -v tunnel check", "test_tunnel_check_with_the_ssh_example")
INSTALL_DESKTOP = runs("rostray install-desktop", "test_install_and_uninstall_desktop")
UNINSTALL_DESKTOP = runs("rostray uninstall-desktop", "test_install_and_uninstall_desktop")
KEYRING_ID = runs("keyring set rostray access-key-id", "test_keyring_commands")
KEYRING_SECRET = runs("keyring set rostray LTAI5tExampleKeyId", "test_keyring_commands")

# Fragments in prose, each a part of a full command run above.
FRAGMENTS = {
    "rostray launch": LAUNCH_SEED,
    "rostray launch --wait": LAUNCH_SEED,
}

PIPX_TEST = "tests/integration/test_packaging.py::test_pipx_install_from_the_checkout"
ELSEWHERE = {  # command → the test that runs it (path::name)
    "pipx install '.[gui]'": PIPX_TEST,
    "pipx install .": PIPX_TEST,
    "rostray --hidden": "tests/e2e/test_desktop_e2e.py::test_starts_in_the_tray_without_credentials",  # noqa: E501
    "ssh -R": "tests/integration/test_tunnel_ssh.py::test_own_host_preset_against_debian_sshd",
    "LANG=zh_CN.UTF-8 rostray launch seed-webhook --sandbox --wait": (
        "tests/integration/test_cli.py::test_human_output_in_chinese_json_in_english"
    ),
}

NOT_HERE = {  # command → why this machine cannot run it
    "aliyun configure --profile rostray --mode AK": (
        "the aliyun CLI is interactive and not installed here; reading the profile file it "
        "writes is tests/unit/test_credentials.py"
    ),
    "ngrok config add-authtoken …": "needs an ngrok account (parsing ngrok's output is "
    "tested on recorded output in tests/unit/test_tunnel_presets.py)",
    "gnome-extensions enable appindicatorsupport@rgcjonas.gmail.com": "needs a GNOME Shell session",
    "notify-send hello": "needs the user's desktop session (the notification paths are tested "
    "against a private D-Bus in tests/dbus and tests/e2e)",
    "launchctl bootstrap gui/$(id -u) ~/Library/LaunchAgents/io.github.rostray.Rostray.plist": (
        "macOS only (the plist itself is checked in test_launch_agent_plist_is_valid)"
    ),
    "launchctl bootout gui/$(id -u)/io.github.rostray.Rostray": "macOS only",
    (
        "reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v rostray /t REG_SZ "
        '/d "\\"%USERPROFILE%\\.local\\bin\\rostray.exe\\" --hidden"'
    ): "Windows only",
    "reg delete HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v rostray /f": (
        "Windows only"
    ),
}


BENCH = "python -m bench."  # benchmarks take minutes: their arguments are checked instead


def test_every_doc_command_is_accounted_for() -> None:
    documented = doc_commands()
    lists = (RUN_HERE, FRAGMENTS, ELSEWHERE, NOT_HERE)
    unaccounted = {
        c: w
        for c, w in documented.items()
        if not any(c in x for x in lists) and not c.startswith(BENCH)
    }
    assert not unaccounted, (
        "commands in the docs that no test runs and no list names (run them in "
        f"tests/integration/test_docs_commands.py or list them with a reason): {unaccounted}"
    )
    for listed in lists:
        stale = set(listed) - set(documented)
        assert not stale, f"listed but no longer in the docs: {stale}"
    for command in RUN_HERE:
        assert not any(command in x for x in (ELSEWHERE, NOT_HERE)), command


def test_named_tests_exist() -> None:
    for command, test in RUN_HERE.items():
        assert f"def {test}(" in Path(__file__).read_text(encoding="utf-8"), (command, test)
    for command, full in FRAGMENTS.items():
        assert full.startswith(command.split(" --")[0]) and full in RUN_HERE, command
    for command, node in ELSEWHERE.items():
        path, name = node.split("::")
        assert f"def {name}(" in (REPO / path).read_text(encoding="utf-8"), (command, node)


def test_image_links_point_at_files() -> None:
    for doc in DOCS:
        for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / target).is_file(), f"{doc.name}: {target}"


# --- running them ------------------------------------------------------------------------------


def argv(command: str, substitutions: Mapping[str, str] | None = None) -> list[str]:
    """The documented command as this test runs it (see the module docstring)."""
    for old, new in (substitutions or {}).items():
        command = command.replace(old, new)
    words = shlex.split(command)
    if words[0] in ("rostray", "keyring"):
        return [sys.executable, "-m", words[0], *words[1:]]
    if words[0] == "make":
        return ["make", "-n", *words[1:]]
    raise AssertionError(f"no way to run {command!r} here")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def run(
    command: str,
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    substitutions: Mapping[str, str] | None = None,
) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *argv(command, substitutions), cwd=cwd, env={**os.environ, **(env or {})},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(stdin.encode() if stdin else None), 120)
    return proc.returncode or 0, out.decode(), err.decode()


async def run_ok(command: str, **kw: object) -> tuple[str, str]:
    code, out, err = await run(command, **kw)  # type: ignore[arg-type]
    assert code == 0, f"{command}: exit {code}\n{out}\n{err}"
    return out, err


def user_config(text: str) -> Path:
    """The default config file (no --config in the documented commands)."""
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "rostray" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


async def test_make_targets_exist() -> None:
    commands = [c for c, test in RUN_HERE.items() if test == "test_make_targets_exist"]
    assert sorted(c for c in doc_commands() if c.startswith("make ")) == sorted(commands)
    for command in commands:
        out, _ = await run_ok(command, cwd=REPO)
        assert out.strip(), command
    out, _ = await run_ok(MAKE_DIST, cwd=REPO)
    assert "-m build --outdir dist ." in out


def shallow_clone() -> bool:
    """A shallow CI checkout lacks old revisions; the argument check still runs there."""
    git = ["git", "rev-parse", "--is-shallow-repository"]
    answer = subprocess.run(git, cwd=REPO, capture_output=True, text=True, check=False)
    return answer.stdout.strip() == "true"


def test_bench_commands_parse() -> None:
    """Each documented benchmark command names a real module, options it accepts, and (for
    ``bench.ab --before``) a revision this clone has."""
    import importlib

    commands = [c for c in doc_commands() if c.startswith(BENCH)]
    assert commands
    for command in commands:
        _, _, module, *argv = shlex.split(command)
        parser = importlib.import_module(module).build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit:
            raise AssertionError(f"the docs show options {module} refuses: {command}") from None
        before = getattr(args, "before", None)
        if before and not before.isupper() and not shallow_clone():  # REV is a placeholder
            git = ["git", "rev-parse", "--verify", "--quiet", f"{before}^{{commit}}"]
            found = subprocess.run(git, cwd=REPO, capture_output=True, check=False)
            assert found.returncode == 0, f"no revision {before} in this clone: {command}"


MY_TEMPLATE = """\
ROSTemplateFormatVersion: '2015-09-01'
Parameters:
  InstanceType:
    Type: String
    Default: ecs.g7.large
Resources:
  Pause:
    Type: ALIYUN::ROS::Sleep
    Properties:
      CreateDuration: 1
Outputs:
  InstanceType:
    Value: !Ref InstanceType
"""


async def test_command_line_block(sandbox: Sandbox, tmp_path: Path) -> None:
    """The README's command-line block, in order (status before delete: a deleted stack has
    no status), against a sandbox the config file points at."""
    user_config(
        f'[ros]\nendpoint = "{sandbox.endpoint}"\n'
        "[sandbox]\ntime_scale = 0.01\n"  # the built-in sandbox of `launch --sandbox`
        "[tracker]\npoll_grace_seconds = 1.0\n"
    )
    (tmp_path / "my-template.yaml").write_text(MY_TEMPLATE, encoding="utf-8")
    keys = {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": sandbox.access_key_id,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": sandbox.access_key_secret,
    }
    here = {"cwd": tmp_path, "env": keys}

    out, _ = await run_ok(LAUNCH_SEED, **here)
    assert "CREATE_COMPLETE" in out and "learned by callback" in out and "CurlCli" in out
    assert not sandbox.engine.stacks, "--sandbox must not reach the configured endpoint"

    out, _ = await run_ok(LAUNCH_MINE, **here)
    result = json.loads(out)
    assert (result["StackName"], result["Status"]) == ("web", "CREATE_COMPLETE")
    assert result["Outputs"][0]["OutputValue"] == "ecs.g7.large"

    out, _ = await run_ok(UPDATE, **here)
    assert "web: UPDATE_COMPLETE" in out and "ecs.g7.xlarge" in out

    out, _ = await run_ok(STATUS, **here)
    assert out.startswith("web: UPDATE_COMPLETE")

    out, _ = await run_ok(DELETE, **here)
    assert "web: DELETE_COMPLETE" in out

    out, _ = await run_ok(HISTORY, **here)
    assert re.search(r"^web\s.*DELETE_COMPLETE.*cloud$", out, re.M), out
    assert re.search(r"^seed-webhook-\S+\s.*CREATE_COMPLETE.*sandbox$", out, re.M), out


async def test_headless(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        *argv(HEADLESS), cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"},
    )  # fmt: skip
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    started = json.loads(line)
    assert (started["Event"], started["Mode"]) == ("Started", "sandbox")  # no credentials here
    assert started["Receiver"].startswith("http://127.0.0.1:")
    assert started["EventLoop"] == "uvloop"  # installed with rostray on Linux and macOS


async def start_sandbox(command: str, cwd: Path) -> tuple[asyncio.subprocess.Process, str, int]:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        *argv(command, {"8000": str(port)}), cwd=cwd, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode().rstrip("\n")
    return proc, line, port


async def stop(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()


async def test_sandbox_prints_what_the_docs_show(tmp_path: Path) -> None:
    """`$ rostray sandbox --port 8000` prints the documented line, and the README's SDK snippet
    (pointed at the same port) talks to it."""
    proc, line, port = await start_sandbox(SANDBOX, tmp_path)
    try:
        [expected] = console_output(SANDBOX)
        assert line == expected.replace("8000", str(port))
        [snippet] = [b.text for b in blocks() if b.lang == "python" and "AcsClient" in b.text]
        probe = (
            snippet.replace("8000", str(port))
            + "from aliyunsdkros.request.v20190910.DescribeRegionsRequest import "
            "DescribeRegionsRequest\n"
            "import json\n"
            "print(json.loads(client.do_action_with_exception(DescribeRegionsRequest()))"
            "['Regions'][0]['RegionId'])\n"
        )
        result = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-c", probe], capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().startswith("cn-")
    finally:
        await stop(proc)


async def test_sandbox_with_a_state_file(tmp_path: Path) -> None:
    proc, line, port = await start_sandbox(SANDBOX_STATE, tmp_path)
    try:
        assert line.startswith(f"rostray sandbox listening on http://127.0.0.1:{port} ")
    finally:
        await stop(proc)
    state = json.loads((tmp_path / "stacks.json").read_text(encoding="utf-8"))
    assert isinstance(state, dict)


def toml_example(marker: str) -> dict:
    [block] = [b for b in blocks() if b.lang == "toml" and marker in b.text]
    return tomllib.loads(block.text)


def test_every_toml_example_is_a_valid_config(tmp_path: Path) -> None:
    examples = [b for b in blocks() if b.lang == "toml"]
    assert len(examples) >= 3
    for block in examples:
        path = tmp_path / "config.toml"
        path.write_text(block.text, encoding="utf-8")
        settings = load_settings(path)  # raises ConfigError with the key on a mistake
        if settings.tunnel.mode != "none":
            preset = preset_for(settings.tunnel)
            assert preset is not None, block.where
    tools = {
        toml_example(f'mode = "{mode}"')["tunnel"]["mode"] for mode in ("cloudflared", "ngrok")
    }
    assert tools == {"cloudflared", "ngrok"}
    for mode in ("cloudflared", "ngrok"):
        path.write_text(tomli_w.dumps(toml_example(f'mode = "{mode}"')), encoding="utf-8")
        preset = preset_for(load_settings(path).tunnel)
        assert preset is not None and preset.argv[0] == mode


async def test_tunnel_check_with_the_ssh_example(tmp_path: Path) -> None:
    """The README's "ssh -R to your own server" example, with a loopback SSH server standing
    for the server and its port standing for nginx's public URL."""
    require_ssh_client()
    example = toml_example('mode = "ssh"')
    async with AsyncsshTunnelServer(vhost=False) as server:
        public = free_port()
        tunnel = {
            **example["tunnel"],
            "ssh_host": f"127.0.0.1:{server.port}",
            "ssh_remote_port": public,
            "public_url": f"http://127.0.0.1:{public}",
        }
        tunnel["command"] = with_test_options(TunnelSettings(**tunnel)).command
        user_config(tomli_w.dumps({"tunnel": tunnel}))
        for command in (TUNNEL_CHECK, TUNNEL_CHECK_V):
            out, err = await run_ok(command, cwd=tmp_path)
            assert f"public URL: http://127.0.0.1:{public}\n" in out, err
            assert "probe round trip:" in out and "tunnel verified" in err
            if command == TUNNEL_CHECK_V:
                assert " INFO rostray." in err  # -v adds the engine's log


async def test_install_and_uninstall_desktop(tmp_path: Path) -> None:
    data = Path(os.environ["XDG_DATA_HOME"])
    entry = data / "applications" / "io.github.rostray.Rostray.desktop"
    icon = data / "icons" / "hicolor" / "scalable" / "apps" / "io.github.rostray.Rostray.svg"
    out, _ = await run_ok(INSTALL_DESKTOP, cwd=tmp_path)
    assert out.splitlines() == [f"installed {entry}", f"installed {icon}"]
    assert "Exec=" in entry.read_text(encoding="utf-8") and icon.read_text().startswith("<")
    out, _ = await run_ok(UNINSTALL_DESKTOP, cwd=tmp_path)
    assert out.splitlines() == [f"removed {entry}", f"removed {icon}"]
    assert not entry.exists() and not icon.exists()


async def test_keyring_commands(tmp_path: Path) -> None:
    """The two `keyring set` lines store an AccessKey rostray then signs with (the sandbox
    checks every signature), through a file-backed keyring standing for the OS's."""
    key_id, secret = "LTAI5tExampleKeyId", "ExampleSecretOnlyForThisTest"
    assert KEYRING_SECRET.endswith(key_id)
    env = {
        "PYTHON_KEYRING_BACKEND": "fakes.file_keyring.FileKeyring",
        "ROSTRAY_TEST_KEYRING": str(tmp_path / "keyring.json"),
        "PYTHONPATH": os.pathsep.join(
            [str(REPO / "tests"), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    await run_ok(KEYRING_ID, cwd=tmp_path, env=env, stdin=key_id + "\n")
    await run_ok(KEYRING_SECRET, cwd=tmp_path, env=env, stdin=secret + "\n")
    config = SandboxConfig(access_key_id=key_id, access_key_secret=secret, time_scale=0.01)
    async with Sandbox(config) as sandbox:
        user_config(f'[ros]\ncredentials = "keyring"\nendpoint = "{sandbox.endpoint}"\n')
        code, out, err = await run(
            "rostray launch seed-webhook -n from-keyring --wait", cwd=tmp_path, env=env
        )
        assert code == 0, err
        assert "from-keyring: CREATE_COMPLETE" in out
        assert sandbox.engine.find(names=["from-keyring"])


def test_launch_agent_plist_is_valid() -> None:
    [block] = [b for b in blocks() if b.lang == "xml" and "<plist" in b.text]
    agent = plistlib.loads(block.text.encode())
    assert agent["Label"] == "io.github.rostray.Rostray"
    assert agent["ProgramArguments"][1:] == ["--hidden"] and agent["RunAtLoad"] is True
    written = plistlib.loads(LaunchAgentAutostart(Path("unused")).plist())  # what Settings writes
    assert set(agent) == set(written) and agent["ProcessType"] == written["ProcessType"]
    launchctl = [c for c in NOT_HERE if c.startswith("launchctl bootstrap")]
    assert launchctl and launchctl[0].endswith(f"/{agent['Label']}.plist")

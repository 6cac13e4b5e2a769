#!/usr/bin/env python3
"""A stand-in for tunnel tools that cannot run here (ngrok, cloudflared, bore, tailscale,
pinggy's ssh, npx localtunnel): it replays recorded real output on the right stream, can
serve the tool's local JSON API, can forward a loopback port to the app (so a self-probe
through it really round-trips), and then stays up or exits with a given code.

Standard library only. Started through tests/fakes/bin/<tool> (which passes the tool's name
and runs $FAKE_TUNNEL_PYTHON, else python3), it reads the scenario in $FAKE_TUNNEL_SCENARIO:

    {"counter": FILE, "calls": FILE, "status": {...},
     "runs": [{"lines": "cloudflared-quick.jsonl" | [[stream, text], ...],
               "replace": [[old, new], ...], "forward": bool,
               "api": {"path": "/quicktunnel", "body": {...}, "port": "mport" | "auto"},
               "delay": seconds, "then": "stay" | "exit", "code": int}, ...]}

Run n (counted in FILE) uses runs[min(n, len - 1)]; texts may use {run}, {port}, {mport},
{fport} (the forwarder's port) and {aport} (an "auto" API port).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import sys
import threading
import time
from pathlib import Path

RECORDED = Path(__file__).resolve().parent / "recorded"


def main() -> int:
    tool, args = sys.argv[1], sys.argv[2:]  # bin/<tool> passes its own name first
    scenario = json.loads(Path(os.environ["FAKE_TUNNEL_SCENARIO"]).read_text())
    with open(scenario["calls"], "a") as calls:
        calls.write(json.dumps([tool, *args]) + "\n")
    if tool == "tailscale" and args[:1] == ["status"]:
        print(json.dumps(scenario.get("status", {})))
        return 0
    run = next_run(scenario["counter"])
    spec = scenario["runs"][min(run, len(scenario["runs"]) - 1)]
    values = {"run": str(run), **ports(args)}
    if spec.get("forward"):
        values["fport"] = str(forward(int(values["port"])))
    api = spec.get("api")
    if api:
        port = int(values["mport"]) if api.get("port", "mport") == "mport" else free_port()
        values["aport"] = str(port)
        serve_api(port, api["path"], api["body"], values)
    for stream, text in lines(spec, values):
        out = sys.stdout if stream == "stdout" else sys.stderr
        out.write(text + "\n")
        out.flush()
        time.sleep(float(spec.get("delay", 0.0)))
    if spec.get("then", "stay") == "exit":
        return int(spec.get("code", 0))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    while True:
        time.sleep(3600)


def next_run(counter: str) -> int:
    path = Path(counter)
    run = int(path.read_text()) if path.exists() else 0
    path.write_text(str(run + 1))
    return run


def ports(args: list[str]) -> dict[str, str]:
    """The app's port and the tool's API port, wherever this tool's argv puts them."""
    joined = " ".join(args)
    found: dict[str, str] = {}
    for pattern in (
        r"--port (\d+)",
        r"--url http://127\.0\.0\.1:(\d+)",
        r"\bhttp http://127\.0\.0\.1:(\d+)",
        r"\blocal (\d+)",
        r"\bfunnel (\d+)",
        r"-R\s?[\w.]*:?\d+:127\.0\.0\.1:(\d+)",
    ):
        if match := re.search(pattern, joined):
            found["port"] = match.group(1)
            break
    for pattern in (r"--metrics 127\.0\.0\.1:(\d+)", r"-L\s?127\.0\.0\.1:(\d+):"):
        if match := re.search(pattern, joined):
            found["mport"] = match.group(1)
    return found


def fill(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def lines(spec: dict, values: dict[str, str]) -> list[tuple[str, str]]:
    source = spec.get("lines", [])
    if isinstance(source, str):
        source = [json.loads(x) for x in (RECORDED / source).read_text().splitlines() if x]
    result = []
    for stream, text in source:
        for old, new in spec.get("replace", []):
            text = text.replace(old, fill(new, values))
        result.append((stream, fill(text, values)))
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_api(port: int, path: str, body: object, values: dict[str, str]) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # slow: only if needed

    payload = fill(json.dumps(body), values).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            ok = self.path == path
            self.send_response(200 if ok else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(payload if ok else b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()


def forward(target: int) -> int:
    """A loopback TCP forwarder to the app: the 'public' side of this fake tunnel."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def accept() -> None:
        while True:
            client, _ = listener.accept()
            upstream = socket.create_connection(("127.0.0.1", target))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=pipe, args=(a, b), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())

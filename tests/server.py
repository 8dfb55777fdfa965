"""`estation serve` as a real process, for the tests that need the real command (its log, its use of locks)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def estation_serve(database_url: str, var_dir: Path, *, output: IO[bytes] | None = None, start_within: float = 120,
                   **settings: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`estation serve` on a free port, on the given database and var dir (plus ``ESTATION_<NAME>`` for each
    further keyword), with no other ESTATION_* setting of the test run leaking in. Yields its base address
    and process once /healthz answers (within ``start_within`` seconds); stopped as by Ctrl-C at the end (killed if it does not stop).
    ``output`` receives its stdout and stderr (nothing is kept otherwise)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESTATION_")}
    env |= {"ESTATION_ENVIRONMENT": "test", "ESTATION_DATABASE_URL": database_url, "ESTATION_VAR_DIR": str(var_dir)}
    env |= {f"ESTATION_{name.upper()}": value for name, value in settings.items()}
    sink = output if output is not None else subprocess.DEVNULL
    proc = subprocess.Popen([sys.executable, "-m", "estation", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_within
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "estation serve did not start"
            time.sleep(0.2)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def at_once(n: int, send: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """n requests from n threads, released together."""
    barrier = threading.Barrier(n)

    def run(i: int) -> httpx.Response:
        barrier.wait()
        return send(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def form_tokens(client: httpx.Client, path: str) -> dict[str, str]:
    """The CSRF and once-only submission tokens of the form the page at ``path`` carries."""
    html = client.get(path).text
    return {name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1) for name in ("csrf_token", "submission_token")}

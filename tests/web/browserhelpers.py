"""Shared by the real-browser tests: Debian's Chromium with offline flags, and `aia serve` run on a free port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    """The browser's path; the test fails (never skips) when Debian's chromium package is missing."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make test does it as root)")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(project_dir: Path, attempts: int = 200) -> Iterator[str]:
    """Run `aia serve --team` on the project in a subprocess until the block ends; yields the base URL."""
    port = free_port()
    aia_bin = Path(sys.executable).parent / "aia"
    args = ["--project", str(project_dir), "serve", "--team", "--no-browser", "--port", str(port)]
    proc = subprocess.Popen([str(aia_bin), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(attempts):
            try:
                urllib.request.urlopen(url + "/login", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the web server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)

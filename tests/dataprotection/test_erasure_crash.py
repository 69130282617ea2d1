"""kill -9 during an erasure → it completes on the next open (reliability.md acceptance test 3)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dp_helpers import PASSPHRASE, canary_project, hits

import aia
from aia.services.erasure import CRASH_ENV

SCRIPT = """
import sys, aia
with aia.open_project(sys.argv[1], user="Forsker A") as p:
    p.withdraw_participant("SWU-P01")
"""


def _withdraw(root: Path, crash_at: str | None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "AIA_KEYSTORE_PASSPHRASE": PASSPHRASE}
    env.pop(CRASH_ENV, None)
    if crash_at is not None:
        env[CRASH_ENV] = crash_at
    return subprocess.Popen([sys.executable, "-c", SCRIPT, str(root)], env=env, stderr=subprocess.PIPE)


def _check_complete(root: Path) -> None:
    with aia.open_project(root, user="Forsker A") as project:  # the resume hook finishes the erasure
        jobs = project.erasure_jobs()
        assert [j.state for j in jobs] == ["done"]
        assert [p.pseudonym for p in project.participants()] == ["SWU-P02"]
        assert project.verify_audit() == []
        assert len(project.audit_events(action="participant.erase")) == 1
        assert project.keys().person("SWU-P01") is None
    assert hits(root) == []


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("skabelon") / "projekt"
    canary_project(root).close()
    return root


@pytest.mark.parametrize("point", ["planned", "purged-uncommitted", "purged", "indexed", "files", "vacuumed"])
def test_killed_at_each_step_completes_on_next_open(
    template: Path, tmp_path: Path, point: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "projekt"
    shutil.copytree(template, root)
    proc = _withdraw(root, point)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, err.decode()
    monkeypatch.setenv("AIA_KEYSTORE_PASSPHRASE", PASSPHRASE)
    _check_complete(root)


@pytest.mark.slow
def test_killed_at_random_moments_repeatedly(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIA_KEYSTORE_PASSPHRASE", PASSPHRASE)
    rng = random.Random(6)
    finished = killed = 0
    for i in range(8):
        root = tmp_path / f"projekt{i}"
        shutil.copytree(template, root)
        proc = _withdraw(root, None)
        time.sleep(rng.uniform(0.3, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        if proc.returncode == -signal.SIGKILL:
            killed += 1
        else:
            finished += 1
        with aia.open_project(root, user="Forsker A") as project:
            if not project.erasure_jobs():  # killed before the erasure began: run it now
                project.withdraw_participant("SWU-P01")
        _check_complete(root)
    assert killed >= 1

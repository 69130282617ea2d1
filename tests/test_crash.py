"""kill -9 during a large import: the project opens, SQLite and the search index are intact, and every source
that is there is whole (all its segments, its original on disk). Re-running the import completes it."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import aia
from aia.project import DB_NAME
from aia.store import fts5
from aia.store.database import write

N_FILES = 2000

IMPORTER = """
import sys, aia
project = aia.open_project(sys.argv[1])
project.import_files(sys.argv[2:], track="SWU", wp=2)
"""


def _make_files(folder: Path) -> list[Path]:
    rng = random.Random(11)
    words = [
        "udvikleren",
        "værktøjet",
        "kunderne",
        "koden",
        "prøver",
        "lærer",
        "fejl",
        "tillid",
        "Copilot",
        "og",
        "i",
        "at",
        "det",
    ]
    paths = []
    for i in range(N_FILES):
        paragraphs = [
            ("Interviewer: " if k % 2 == 0 else "Mette: ") + " ".join(rng.choices(words, k=40)) + "." for k in range(12)
        ]
        path = folder / f"interview_{i:03d}.txt"
        path.write_text("\n\n".join(paragraphs), encoding="utf-8")
        paths.append(path)
    return paths


def _count(root: Path) -> int:
    con = sqlite3.connect(root / DB_NAME, timeout=10)
    try:
        return int(con.execute("SELECT count(*) FROM sources").fetchone()[0])
    finally:
        con.close()


def _check_whole(root: Path) -> int:
    con = sqlite3.connect(root / DB_NAME)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    broken = con.execute(
        "SELECT count(*) FROM sources s WHERE (SELECT count(*) FROM segments g WHERE g.source_id = s.id) != 12"
    ).fetchone()[0]
    assert broken == 0, "a source is stored without all its segments"
    shas = [r[0] for r in con.execute("SELECT sha256 FROM sources")]
    count = int(con.execute("SELECT count(*) FROM sources").fetchone()[0])
    con.close()
    for sha in shas:
        assert (root / "files" / sha[:2] / sha).is_file(), "a source's original is missing"
    with aia.open_project(root) as project, write(project.engine) as conn:
        fts5.check(conn)
    return count


def test_kill_during_import_leaves_whole_sources_only(tmp_path: Path) -> None:
    folder = tmp_path / "filer"
    folder.mkdir()
    paths = [str(p) for p in _make_files(folder)]
    root = tmp_path / "projekt"
    with aia.init_project(root) as project:
        project.add_track("Softwareudviklere", prefix="SWU")
    env = {**os.environ, "PYTHONPATH": str(Path(aia.__file__).parents[1])}
    rng = random.Random(5)
    counts = []
    for _ in range(4):
        before = _count(root)
        proc = subprocess.Popen([sys.executable, "-c", IMPORTER, str(root), *paths], env=env)
        deadline = time.monotonic() + 60
        while _count(root) == before and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)  # wait for the first batch of this run to commit ...
        time.sleep(rng.uniform(0.0, 0.25))  # ... then kill it somewhere in the next ones
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        counts.append(_check_whole(root))
    # the import run to the end: every file exactly once (the ones already there are skipped as duplicates)
    with aia.open_project(root) as project:
        results = project.import_files(paths, track="SWU", wp=2)
        assert {r.status for r in results} <= {"imported", "skipped"}
    assert _check_whole(root) == N_FILES
    print("sources after each kill:", counts)
    assert counts == sorted(counts)
    mid_import = [c for c in counts if 0 < c < N_FILES]
    assert len(mid_import) >= 2, f"the kills should land mid-import (counts {counts})"

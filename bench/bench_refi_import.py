"""Benchmark: REFI-QDA import of a project with 2,000 sources (~2 KB each) and 50,000 codings.

Target (issue 4): < 10 s and < 500 MB peak memory. Run: .venv/bin/python bench/bench_refi_import.py
The project is built as in ``bench_refi.py`` (same generator and seed) and exported; the import then runs in a
fresh process, so its peak memory is its own: first into a new project, then again into the same project
(everything matched by GUID, nothing stored twice).
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_refi import CODINGS, SOURCES, fill

import aia
from aia.exchange.refi.importer import import_into_new_project


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def build(root: Path) -> Path:
    """The benchmark project of bench_refi.py, exported; returns the .qdpx."""
    with aia.init_project(root / "p", user="bench") as project:
        fill(project, root / "files", random.Random(4))
        out = root / "export.qdpx"
        project.export_qdpx(out)
    return out


def run_import(qdpx: Path, target: Path) -> None:
    """In the child process: import into a new project, then again into the same one."""
    started = time.perf_counter()
    project, summary = import_into_new_project(qdpx, target, user="bench")
    elapsed = time.perf_counter() - started
    print(summary.describe())
    for warning in summary.warnings:
        print("warning:", warning)
    print(f"import_qdpx into a new project: {elapsed:.2f} s, peak memory {peak_mb():.0f} MB")
    started = time.perf_counter()
    again = project.import_qdpx(qdpx)
    print(f"re-import (all matched by GUID): {time.perf_counter() - started:.2f} s, peak memory {peak_mb():.0f} MB")
    print(again.describe())
    project.close()
    ok = elapsed < 10 and peak_mb() < 500
    print("target < 10 s and < 500 MB:", "met" if ok else "NOT met")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--import":
        run_import(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        qdpx = build(Path(tmp))
        print(f"built and exported {SOURCES} sources, {CODINGS} codings in {time.perf_counter() - started:.1f} s")
        print(f".qdpx: {qdpx.stat().st_size / 2**20:.1f} MB")
        subprocess.run([sys.executable, __file__, "--import", str(qdpx), str(Path(tmp) / "importeret")], check=True)


if __name__ == "__main__":
    main()

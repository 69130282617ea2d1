"""Benchmark: withdrawal of one participant, backup and restore, audit verification on a project of N interviews.

Run: .venv/bin/python bench/bench_dataprotection.py [N]   (default 1,000 documents of ~5 KB, 50 participants)

Prints how long the erasure takes (plan + purge, then index rebuild + VACUUM + checkpoint), how fast a backup
(plain and encrypted) and a restore are, and how long `audit verify` takes for 10,000 audit rows.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from danish_text import document

import aia
from aia.privacy.kdf import ScryptParams
from aia.services.backup import restore_backup


def main(n: int = 1000) -> None:
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "p"
        with aia.init_project(root, user="bench") as project:
            project.add_track("Softwareudviklere", prefix="SWU")
            people = [project.add_participant("SWU").pseudonym for _ in range(50)]
            for i in range(n):
                who = people[i % len(people)]
                text = document(rng, 5000) + f"\n\n{who}: Jeg hedder Bente Bøgh-Ærtebjerg, ring på 23 45 67 89.\n"
                project.import_bytes(text.encode(), f"i{i}.txt", "SWU", 2, participants=[who], pseudonymise=False)
            for i in range(10_000):
                project.audit("source.view", f"source:{i % n + 1}", {"with_text": True})
        size = (root / "aia.sqlite").stat().st_size
        print(f"project: {n} documents, {size / 2**20:.1f} MB database, 50 participants")
        with aia.open_project(root, user="bench") as project:
            started = time.perf_counter()
            problems = project.verify_audit()
            took = time.perf_counter() - started
            print(f"audit verify: {len(project.audit_events())} rows in {took:.2f} s, problems: {problems}")
            started = time.perf_counter()
            report = project.withdraw_participant(people[0])
            took = time.perf_counter() - started
            print(f"withdraw {people[0]}: {took:.2f} s ({report.counts.get('sources', 0)} sources deleted)")
            started = time.perf_counter()
            project.backup(Path(tmp) / "b.tar")
            print(f"backup (plain): {time.perf_counter() - started:.2f} s")
            started = time.perf_counter()
            project.backup(Path(tmp) / "b.aiabak", passphrase="bench-løsen-123", kdf=ScryptParams(n=2**14))
            print(f"backup (encrypted, scrypt n=2^14): {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        restore_backup(Path(tmp) / "b.aiabak", Path(tmp) / "r", "bench-løsen-123")
        print(f"restore (encrypted): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)

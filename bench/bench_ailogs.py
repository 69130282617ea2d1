"""Benchmark: import a generated ChatGPT export of 2,000 conversations / 60,000 messages (issue 7 target: < 10 s,
< 400 MB). Prints the parse time, the whole import time (parse + pseudonymisation off + index + store) and peak RSS.

Run: .venv/bin/python bench/bench_ailogs.py [conversations] [messages per conversation]
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aia
from aia.ingest.conversations import parse_many_file

SENTENCES = (
    "Kan du forklare, hvorfor min funktion fejler, når listen er tom?",
    "Selvfølgelig. Problemet er, at du læser det første element uden at tjekke længden først.",
    "Hvordan skriver jeg en test for det i pytest, så den kører på vores byggeserver i Århus?",
    "Her er et forslag:\n\n```python\ndef test_tom_liste():\n    assert første([]) is None\n```\n\n"
    "Så er kanten dækket.",
)


def conversation(n: int, messages: int) -> dict[str, Any]:
    mapping: dict[str, Any] = {"root": {"id": "root", "message": None, "parent": None, "children": []}}
    previous = "root"
    for i in range(messages):
        key = f"c{n}-m{i}"
        role = "user" if i % 2 == 0 else "assistant"
        mapping[previous]["children"].append(key)
        mapping[key] = {
            "id": key,
            "parent": previous,
            "children": [],
            "message": {
                "id": key,
                "author": {"role": role, "name": None, "metadata": {}},
                "create_time": 1700000000 + n * 1000 + i,
                "content": {"content_type": "text", "parts": [SENTENCES[(i + n) % len(SENTENCES)] + f" ({n}/{i})"]},
                "metadata": {"model_slug": "gpt-4o"} if role == "assistant" else {},
                "recipient": "all",
            },
        }
        previous = key
    return {
        "title": f"Samtale {n}",
        "create_time": 1700000000 + n,
        "mapping": mapping,
        "current_node": previous,
        "id": f"c{n}",
    }


def import_only(path: Path, project_dir: Path) -> None:
    """Child process: import the file into a new project; prints time, counts and this process's peak RSS."""
    with aia.init_project(project_dir, user="bench") as project:
        project.add_track("Softwareudviklere", prefix="SWU")
        started, cpu_started = time.perf_counter(), time.process_time()
        results = project.import_ai_logs([path], track="SWU", wp=1, pseudonymise=False)
        total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    imported = sum(1 for r in results if r.status == "imported")
    turns = sum(r.segments for r in results)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"import (parse + index + store, one transaction): {total:.2f} s; {imported} sources, {turns} turns")
    print(f"CPU time of the import (user + system; what it costs on an idle core): {cpu:.2f} s")
    print(f"peak RSS of the importing process: {peak:.0f} MB")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--import-only":
        import_only(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    per = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "conversations.json"
        path.write_text(json.dumps([conversation(n, per) for n in range(count)], ensure_ascii=False), encoding="utf-8")
        print(f"file: {count} conversations, {count * per} messages, {path.stat().st_size / 2**20:.1f} MB")
        started, cpu_started = time.perf_counter(), time.process_time()
        parse_many_file(path.read_bytes(), path.name)
        print(f"parse only: {time.perf_counter() - started:.2f} s ({time.process_time() - cpu_started:.2f} s CPU)")
        subprocess.run([sys.executable, __file__, "--import-only", str(path), str(Path(tmp) / "p")], check=True)


if __name__ == "__main__":
    main()

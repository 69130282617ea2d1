"""Benchmark of the netnography readers: generate a Stack Exchange Posts.xml and a Reddit NDJSON.zst of N items,
stream them through the readers (+ a keyword filter) and print throughput and peak RSS.

Usage: .venv/bin/python bench/bench_netnography.py [N ...]   (default 50000 200000); each size runs in a child
process so that peak RSS is per size."""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

import zstandard

WORDS = [
    "jeg",
    "bruger",
    "copilot",
    "til",
    "kode",
    "og",
    "chatgpt",
    "til",
    "test",
    "men",
    "det",
    "er",
    "svært",
    "at",
    "stole",
    "på",
    "svaret",
    "i",
    "produktion",
]


def _body(rng: random.Random) -> str:
    return "<p>" + " ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 120))) + "</p>"


def make_posts(path: Path, n: int) -> None:
    rng = random.Random(1)
    with path.open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n')
        q = 0
        for i in range(1, n + 1):
            if i % 4 == 1:
                q = i
                attrs = {"Id": i, "PostTypeId": 1, "Title": "Spørgsmål om AI", "Tags": "<ai><copilot>"}
            else:
                attrs = {"Id": i, "PostTypeId": 2, "ParentId": q}
            attrs.update(
                {
                    "CreationDate": "2023-05-01T12:00:00.000",
                    "Score": rng.randint(-2, 50),
                    "Body": _body(rng),
                    "OwnerDisplayName": f"bruger{rng.randint(1, 5000)}",
                }
            )
            f.write("  <row " + " ".join(f"{k}={quoteattr(str(v))}" for k, v in attrs.items()) + " />\n")
        f.write("</posts>\n")


def make_reddit(path: Path, n: int) -> None:
    rng = random.Random(2)
    cctx = zstandard.ZstdCompressor(level=3)
    with path.open("wb") as raw, cctx.stream_writer(raw) as f:
        for i in range(n):
            link = f"t3_{i // 20:x}"
            parent = link if i % 20 == 0 else f"t1_{i - 1:x}"
            row = {
                "id": f"{i:x}",
                "link_id": link,
                "parent_id": parent,
                "author": f"u{rng.randint(1, 5000)}",
                "body": " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 60))),
                "created_utc": 1700000000 + i,
                "score": rng.randint(-5, 100),
                "subreddit": "dkudvikler",
            }
            f.write((json.dumps(row) + "\n").encode())


def run(n: int) -> None:
    from aia.netnography.query import Query, apply_filters, read_dump
    from aia.netnography.reddit import read_reddit
    from aia.netnography.stackexchange import read_stackexchange

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "site"
        folder.mkdir()
        make_posts(folder / "Posts.xml", n)
        zst = Path(tmp) / "RC.ndjson.zst"
        make_reddit(zst, n)
        size_xml = (folder / "Posts.xml").stat().st_size
        for label, reader, arg, size in (
            ("stackexchange", read_stackexchange, folder, size_xml),
            ("reddit.zst", read_reddit, zst, zst.stat().st_size),
        ):
            t0 = time.perf_counter()
            posts = sum(len(t.posts) for t in reader(arg))
            dt = time.perf_counter() - t0
            print(f"{label:14} n={n:>8} file={size / 2**20:8.1f} MB  posts={posts:>8}  {posts / dt:10.0f} posts/s")
            t0 = time.perf_counter()
            counts: dict[str, int] = {}
            kept = sum(1 for _ in apply_filters(read_dump(arg), Query(match="svært at stole"), counts))
            dt = time.perf_counter() - t0
            print(f"{label:14} filter (regex) threads kept {kept}/{counts['read']} in {dt:.1f} s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS n={n}: {rss:.0f} MB")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        run(int(sys.argv[2]))
    else:
        for size in [int(a) for a in sys.argv[1:]] or [50_000, 200_000]:
            subprocess.run([sys.executable, __file__, "--child", str(size)], check=True)

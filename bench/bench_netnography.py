"""Benchmark of netnography imports (issue 5, Performance): throughput and peak RSS against a raw baseline.

For each size N it generates, in a temporary folder, a Stack Exchange ``Posts.xml`` of N posts (questions with
answers, HTML bodies in a Danish/English mix) and a Reddit Pushshift NDJSON of N comments (plus one submission per
thread), then measures, each in its own child process (peak RSS is the child's own VmHWM):

  (a) baseline  a plain script doing the minimum: parse every row, insert every post into SQLite with an FTS5 index
                (the raw body, FTS5's default tokeniser);
  (a') stemmed   the same with the index aia builds: ``unicode61 remove_diacritics 0`` over the Snowball Danish stems
                (``aia.text.stemming.index_columns``), so (b)/(a') compares like with like for the search index;
  (b) import    ``aia netnography import`` of all threads without filters;
  (c) keyword   the same with ``--keyword`` matching about 5 % of the threads.

Peak RSS of an import is the sum of the main process's and its worker process's (large imports on two or more
cores hand the per-thread work to one worker, see ``aia.netnography.parallel``).

Usage: .venv/bin/python bench/bench_netnography.py [--sizes 100000 1000000] [--formats stackexchange reddit]
       [--modes baseline stemmed import keyword] [--repeat 2]
Not part of the test suite; the 1M run takes many minutes on 2 cores."""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from danish_text import paragraph

PASSPHRASE = "bænkprøve med rødgrød og fløde"
KEYWORD = "promptinjektion"
ENGLISH_TEXT = (
    "I asked Copilot to refactor the service layer and it suggested a pattern that looked fine but broke the "
    "transaction boundaries, so we reverted it after code review. The model keeps inventing API parameters that "
    "do not exist. Has anyone found a reliable way to make it cite the documentation?"
)
ENGLISH = ENGLISH_TEXT.split(" ")
TAGS = ["<ai><copilot>", "<chatgpt><code-review>", "<llm><testing>", "<ai-forordningen><gdpr>", "<python><ai>"]


def _english(rng: random.Random, words: int) -> str:
    start = rng.randrange(len(ENGLISH))
    return " ".join(ENGLISH[(start + i) % len(ENGLISH)] for i in range(words))


def _text(rng: random.Random, marked: bool) -> str:
    """One to three paragraphs, Danish or English; ``marked`` puts the filter keyword in the middle."""
    paras = []
    for _ in range(rng.randint(1, 3)):
        words = rng.randint(20, 70)
        paras.append(paragraph(rng, words) if rng.random() < 0.6 else _english(rng, words))
    if marked:
        paras[len(paras) // 2] += f" Har nogen set {KEYWORD} i praksis?"
    return "\n".join(paras)


def _html(text: str, rng: random.Random) -> str:
    out = "".join(f"<p>{p}</p>\n" for p in text.split("\n"))
    if rng.random() < 0.2:
        out += "<pre><code>def svar(prompt):\n    return model(prompt)\n</code></pre>\n"
    if rng.random() < 0.1:
        out += '<ul><li>første punkt</li><li>andet <a href="https://example.org/x">link</a></li></ul>\n'
    return out


def make_stackexchange(path: Path, n: int) -> None:
    """N posts: questions each followed by 1-5 answers (ids ascending, as in real dumps)."""
    rng = random.Random(1)
    with path.open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n')
        i = 0
        while i < n:
            i += 1
            qid = i
            answers = min(rng.randint(1, 5), n - i)
            marked = rng.random() < 0.05
            marked_post = rng.randint(0, answers)
            day = 1 + qid % 28
            q = {
                "Id": qid,
                "PostTypeId": 1,
                "AcceptedAnswerId": qid + 1 if answers and rng.random() < 0.5 else "",
                "CreationDate": f"2023-{1 + qid % 12:02d}-{day:02d}T12:00:00.000",
                "Score": rng.randint(-2, 50),
                "Body": _html(_text(rng, marked and marked_post == 0), rng),
                "OwnerDisplayName": f"bruger{rng.randint(1, 20000)}",
                "Title": "Spørgsmål om AI i hverdagen " + str(qid),
                "Tags": rng.choice(TAGS),
            }
            f.write("  <row " + " ".join(f"{k}={quoteattr(str(v))}" for k, v in q.items() if v != "") + " />\n")
            for a in range(1, answers + 1):
                i += 1
                row = {
                    "Id": i,
                    "PostTypeId": 2,
                    "ParentId": qid,
                    "CreationDate": f"2023-{1 + qid % 12:02d}-{day:02d}T13:{a:02d}:00.000",
                    "Score": rng.randint(-2, 50),
                    "Body": _html(_text(rng, marked and marked_post == a), rng),
                    "OwnerDisplayName": f"bruger{rng.randint(1, 20000)}",
                }
                f.write("  <row " + " ".join(f"{k}={quoteattr(str(v))}" for k, v in row.items()) + " />\n")
        f.write("</posts>\n")


def make_reddit(path: Path, n: int) -> None:
    """N comments in threads of 20, each thread opened by a submission line; replies nest up to depth 4."""
    rng = random.Random(2)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            thread = i // 20
            link = f"t3_{thread:x}"
            if i % 20 == 0:
                marked = rng.random() < 0.05
                sub = {
                    "id": f"{thread:x}",
                    "title": f"Erfaringer med AI-værktøjer {thread}",
                    "selftext": _text(rng, False),
                    "author": f"u{rng.randint(1, 20000)}",
                    "created_utc": 1700000000 + i,
                    "score": rng.randint(0, 500),
                    "subreddit": "dkudvikler",
                    "num_comments": 20,
                    "over_18": False,
                }
                f.write(json.dumps(sub, ensure_ascii=False) + "\n")
            parent = link if i % 5 == 0 else f"t1_{i - 1:x}"
            row = {
                "id": f"{i:x}",
                "link_id": link,
                "parent_id": parent,
                "author": f"u{rng.randint(1, 20000)}",
                "body": _text(rng, marked and i % 20 == 7),
                "created_utc": 1700000000 + i,
                "score": rng.randint(-5, 100),
                "subreddit": "dkudvikler",
                "controversiality": 0,
                "gilded": 0,
                "distinguished": None,
                "retrieved_on": 1700100000,
            }
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def baseline(fmt: str, dump: Path, db_path: Path, stemmed: bool = False) -> int:
    """The minimum: parse every row and insert every post into SQLite with an FTS5 index. Returns posts stored.

    ``stemmed``: the index holds the stems (and the words that differ from them) like aia's, same tokeniser."""
    from lxml import etree

    from aia.text.stemming import index_columns

    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    if stemmed:
        db.execute(
            "CREATE TABLE posts (id INTEGER PRIMARY KEY, thread TEXT, author TEXT, body TEXT, stem TEXT, plain TEXT)"
        )
        db.execute(
            "CREATE VIRTUAL TABLE posts_fts USING fts5(stem, plain, content='posts', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 0')"
        )
    else:
        db.execute("CREATE TABLE posts (id INTEGER PRIMARY KEY, thread TEXT, author TEXT, body TEXT)")
        db.execute("CREATE VIRTUAL TABLE posts_fts USING fts5(body, content='posts', content_rowid='id')")
    batch: list[tuple[int, str, str, str]] = []
    n = 0

    def flush() -> None:
        if stemmed:
            rows = [(*row, *index_columns(row[3])) for row in batch]
            db.executemany("INSERT INTO posts VALUES (?, ?, ?, ?, ?, ?)", rows)
        else:
            db.executemany("INSERT INTO posts VALUES (?, ?, ?, ?)", batch)
        batch.clear()

    if fmt == "stackexchange":
        for _ev, el in etree.iterparse(
            str(dump / "Posts.xml"), events=("end",), tag="row", resolve_entities=False, no_network=True
        ):
            n += 1
            a = el.attrib
            batch.append((n, a.get("ParentId") or a["Id"], a.get("OwnerDisplayName", ""), a.get("Body", "")))
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]
            if len(batch) >= 5000:
                flush()
    else:
        with dump.open("rb") as f:
            for line in f:
                o = json.loads(line)
                n += 1
                batch.append(
                    (n, o.get("link_id") or o["id"], o.get("author", ""), o.get("body") or o.get("selftext", ""))
                )
                if len(batch) >= 5000:
                    flush()
    flush()
    if stemmed:
        db.execute("INSERT INTO posts_fts(rowid, stem, plain) SELECT id, stem, plain FROM posts")
    else:
        db.execute("INSERT INTO posts_fts(rowid, body) SELECT id, body FROM posts")
    db.commit()
    db.close()
    return n


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM: since exec, so not the parent's memory inherited through fork) plus the
    peak RSS of the import's worker process if it had one (its own VmHWM, see aia.netnography.parallel), so the
    figure is the sum over both. (Not ru_maxrss of the children: Linux counts a child's pages from before its
    exec, i.e. a share of this process's memory.)"""
    worker = 0.0
    if "aia.netnography.parallel" in sys.modules:
        from aia.netnography import parallel

        worker = (parallel.last_worker_peak_kib or 0) / 1024
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024 + worker
    raise RuntimeError("no VmHWM in /proc/self/status")


def child(argv: list[str]) -> None:
    mode, fmt, dump = argv[0], argv[1], Path(argv[2])
    t0 = time.perf_counter()
    if mode in ("baseline", "stemmed"):
        posts = baseline(fmt, dump, Path(argv[3]), stemmed=mode == "stemmed")
        print(json.dumps({"posts": posts, "seconds": time.perf_counter() - t0, "rss_mb": peak_rss_mb()}))
        return
    if mode == "project":
        new_project(Path(argv[3]))
        print("{}")
        return
    from click.testing import CliRunner

    from aia.cli import cli

    args = ["--project", argv[3], "netnography", "import", str(dump), "--track", "SWU", "--name", mode, "--json"]
    if mode == "keyword":
        args += ["--keyword", KEYWORD]
    out = CliRunner().invoke(cli, args, catch_exceptions=False)
    if out.exit_code:
        raise SystemExit(out.output)
    corpus = json.loads(out.output)["corpus"]
    seconds = time.perf_counter() - t0
    from aia.netnography import parallel

    worker = (parallel.last_worker_peak_kib or 0) / 1024
    print(
        json.dumps(
            {
                "posts": corpus["posts"],
                "threads": corpus["threads"],
                "seconds": seconds,
                "rss_mb": peak_rss_mb(),
                "worker_rss_mb": worker,
            }
        )
    )


def measure(args: list[str]) -> dict[str, float]:
    """Run a child process; its JSON result, with its own peak RSS in MB (it reads /proc/self/status at the end)."""
    out = subprocess.run([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, text=True, check=True)
    result: dict[str, float] = json.loads(out.stdout)
    return result


def new_project(root: Path) -> None:
    import aia
    from aia.privacy.kdf import ScryptParams

    project = aia.init_project(root, user="Bænk")
    project.add_track("Softwareudviklere", prefix="SWU")
    project.create_keystore(PASSPHRASE, kdf=ScryptParams(n=2**12))
    project.close()


def show(fmt: str, n: int, size: int, mode: str, r: dict[str, float], read: float) -> None:
    print(
        f"{fmt:13} {n:>8} {size / 2**20:6.0f} {mode:9} {r['posts']:>8.0f} {r.get('threads', 0):>7.0f} "
        f"{r['seconds']:7.1f} {read / r['seconds']:8.0f} {r['rss_mb']:7.0f}"
        + (f" (worker {r['worker_rss_mb']:.0f})" if r.get("worker_rss_mb") else ""),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument(
        "--formats", nargs="+", default=["stackexchange", "reddit"], choices=["stackexchange", "reddit"]
    )
    parser.add_argument("--tmp", type=Path, help="folder for the generated dumps (default: the system's)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the modes this many times, interleaved; the ratios use each mode's fastest run, shown as *mode "
        "(peak RSS: the highest of its runs), so that a slow spell of a shared machine does not decide them",
    )
    parser.add_argument(
        "--modes",
        nargs="+",
        default=["baseline", "stemmed", "import", "keyword"],
        choices=["baseline", "stemmed", "import", "keyword"],
        help="which runs (default: all; the ratios need baseline, stemmed and import)",
    )
    opts = parser.parse_args()
    os.environ["AIA_KEYSTORE_PASSPHRASE"] = PASSPHRASE
    print(
        f"{'format':13} {'N':>8} {'MB':>6} {'run':9} {'posts':>8} {'threads':>7} {'s':>7} {'read/s':>8} {'RSS MB':>7}"
    )
    for n in opts.sizes:
        for fmt in opts.formats:
            with tempfile.TemporaryDirectory(dir=opts.tmp) as tmp_name:
                tmp = Path(tmp_name)
                if fmt == "stackexchange":
                    dump = tmp / "site"
                    dump.mkdir()
                    make_stackexchange(dump / "Posts.xml", n)
                    size = (dump / "Posts.xml").stat().st_size
                else:
                    dump = tmp / "RC_bench.ndjson"
                    make_reddit(dump, n)
                    size = dump.stat().st_size
                rows: dict[str, dict[str, float]] = {}
                # posts in the dump (every run reads them all): n, plus one submission per Reddit thread of 20
                read = n if fmt == "stackexchange" else n + (n + 19) // 20
                for run in range(opts.repeat):
                    for mode in ("baseline", "stemmed", "import", "keyword"):
                        if mode not in opts.modes:
                            continue
                        if mode in ("baseline", "stemmed"):
                            db = tmp / f"{mode}-{run}.sqlite"
                            result = measure([mode, fmt, str(dump), str(db)])
                            for path in tmp.glob(f"{mode}-{run}.sqlite*"):
                                path.unlink()
                        else:
                            root = tmp / f"projekt-{mode}-{run}"
                            measure(["project", fmt, str(dump), str(root)])
                            result = measure([mode, fmt, str(dump), str(root)])
                            shutil.rmtree(root)
                        show(fmt, n, size, mode, result, read)
                        best = rows.get(mode)
                        if best is None or result["seconds"] < best["seconds"]:
                            rows[mode] = {**result, "rss_mb": max(result["rss_mb"], (best or result)["rss_mb"])}
                        elif result["rss_mb"] > best["rss_mb"]:
                            best["rss_mb"] = result["rss_mb"]
                if not {"baseline", "stemmed", "import"} <= set(rows):
                    continue
                if opts.repeat > 1:
                    for mode, best in rows.items():
                        show(fmt, n, size, f"*{mode}", best, read)
                ratio = rows["baseline"]["seconds"] / rows["import"]["seconds"]
                ratio_stem = rows["stemmed"]["seconds"] / rows["import"]["seconds"]
                print(
                    f"{fmt:13} {n:>8}  import/baseline throughput: {ratio:.0%}, import/stemmed baseline: "
                    f"{ratio_stem:.0%} (target >= 50 %); load average {os.getloadavg()[0]:.1f}",
                    flush=True,
                )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
    else:
        main()

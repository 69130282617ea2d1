"""The four readers on the real samples in ../shared/data, and on hostile input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import zstandard
from nn_helpers import GH_PAGES, GH_SEARCH, HN, REDDIT, SE

from aia.netnography.github import read_github
from aia.netnography.hackernews import read_hackernews
from aia.netnography.html import html_to_text
from aia.netnography.model import DumpError
from aia.netnography.query import read_dump
from aia.netnography.reddit import read_reddit
from aia.netnography.stackexchange import parse_tags, read_stackexchange


def _rows(path: Path, pattern: str) -> int:
    return len(re.findall(pattern, path.read_text(encoding="utf-8-sig")))


def test_stackexchange_counts_match_the_files() -> None:
    threads = list(read_stackexchange(SE))
    questions = _rows(SE / "Posts.xml", r'PostTypeId="1"')
    assert len(threads) == questions == 453
    answers = sum(p.kind == "answer" for t in threads for p in t.posts)
    q_ids = {t.thread_id for t in threads}
    text = (SE / "Posts.xml").read_text(encoding="utf-8-sig")
    expected_answers = sum(1 for m in re.finditer(r'PostTypeId="2" ParentId="(\d+)"', text) if m.group(1) in q_ids)
    assert answers == expected_answers
    post_ids = {p.platform_id for t in threads for p in t.posts if p.kind != "comment"}
    comments_text = (SE / "Comments.xml").read_text(encoding="utf-8-sig")
    expected_comments = sum(1 for m in re.finditer(r'PostId="(\d+)"', comments_text) if m.group(1) in post_ids)
    assert sum(p.kind == "comment" for t in threads for p in t.posts) == expected_comments


def test_stackexchange_thread_order() -> None:
    for t in read_stackexchange(SE):
        assert t.posts[0].kind == "question" and t.posts[0].parent is None
        answers = [p for p in t.posts if p.kind == "answer"]
        if any(a.accepted for a in answers):
            assert answers[0].accepted
        rest = [a for a in answers if not a.accepted]
        assert [a.score for a in rest] == sorted((a.score for a in rest), reverse=True)
        for i, p in enumerate(t.posts[1:], 1):
            assert p.parent is not None and p.parent < i
            assert p.depth == t.posts[p.parent].depth + 1
            if p.kind == "comment":
                assert t.posts[p.parent].kind in ("question", "answer")
        assert all(p.created is not None and p.created.tzinfo is not None for p in t.posts)


def test_tags_in_both_forms() -> None:
    assert parse_tags("<discussion><feature-request>") == ["discussion", "feature-request"]
    assert parse_tags("|discussion|feature-request|") == ["discussion", "feature-request"]
    assert parse_tags(None) == []


def test_reddit_pushshift_sample() -> None:
    rows = [json.loads(line) for line in REDDIT.read_text(encoding="utf-8").splitlines() if line.strip()]
    threads = list(read_reddit(REDDIT))
    assert len(threads) == len({r["link_id"] for r in rows})
    comments = [p for t in threads for p in t.posts if p.kind == "comment"]
    assert len(comments) == len(rows) == 27
    assert all(p.created is not None for p in comments)  # created_utc int, float and str all parsed
    kept = [p for p in comments if p.author == "[deleted]" or p.text == "[removed]"]
    assert len(kept) == sum(1 for r in rows if r["author"] == "[deleted]" or r["body"] == "[removed]")


def test_reddit_zst_equals_plain(tmp_path: Path) -> None:
    zst = tmp_path / "RC_2024-01.zst"
    zst.write_bytes(zstandard.ZstdCompressor().compress(REDDIT.read_bytes()))
    plain = [(t.thread_id, [(p.platform_id, p.parent) for p in t.posts]) for t in read_reddit(REDDIT)]
    packed = [(t.thread_id, [(p.platform_id, p.parent) for p in t.posts]) for t in read_dump(zst)]
    assert plain == packed


def test_reddit_listing_tree(tmp_path: Path) -> None:
    def c(cid: str, parent: str, body: str, replies: object = "") -> dict[str, object]:
        return {
            "kind": "t1",
            "data": {
                "id": cid,
                "link_id": "t3_abc",
                "parent_id": parent,
                "author": "mette_å",
                "body": body,
                "created_utc": 1700000000.0,
                "score": 2,
                "replies": replies,
            },
        }

    listing = [
        {
            "kind": "Listing",
            "data": {
                "children": [
                    {
                        "kind": "t3",
                        "data": {
                            "id": "abc",
                            "title": "Bruger I Copilot?",
                            "selftext": "Spørgsmål til jer",
                            "author": "søren",
                            "subreddit": "dkudvikler",
                            "created_utc": 1699999999,
                            "score": 10,
                        },
                    }
                ]
            },
        },
        {
            "kind": "Listing",
            "data": {
                "children": [
                    c(
                        "c1",
                        "t3_abc",
                        "Ja, dagligt",
                        {"kind": "Listing", "data": {"children": [c("c2", "t1_c1", "Også her")]}},
                    ),
                    c("c3", "t3_abc", "Nej"),
                ]
            },
        },
    ]
    path = tmp_path / "post.json"
    path.write_text(json.dumps(listing), encoding="utf-8")
    (t,) = read_dump(path)
    assert [p.platform_id for p in t.posts] == ["abc", "c1", "c2", "c3"]
    assert [p.parent for p in t.posts] == [None, 0, 1, 0]
    assert [p.depth for p in t.posts] == [0, 1, 2, 1]
    assert t.community == "dkudvikler"


def test_hackernews_items() -> None:
    threads = list(read_hackernews(HN))
    posts = [p for t in threads for p in t.posts]
    assert {p.platform_id for p in posts} >= {"8863", "2921983", "121003", "192327", "126809", "160705"}
    story = next(t for t in threads if t.thread_id == "8863")
    assert story.posts[0].title and story.posts[0].author == "dhouston"
    ask = next(t for t in threads if t.thread_id == "121003")
    assert "<" not in ask.posts[0].text and ask.posts[0].text


def test_hackernews_algolia(tmp_path: Path) -> None:
    hits = {
        "hits": [
            {
                "objectID": "1",
                "_tags": ["story"],
                "author": "åse",
                "title": "Show HN: KI-værktøj",
                "created_at_i": 1,
                "points": 5,
                "story_text": "<p>Første</p><p>Anden</p>",
            },
            {
                "objectID": "2",
                "_tags": ["comment"],
                "author": "bo",
                "comment_text": "Fedt @åse",
                "created_at_i": 2,
                "parent_id": 1,
                "story_id": 1,
            },
        ]
    }
    path = tmp_path / "algolia.json"
    path.write_text(json.dumps(hits), encoding="utf-8")
    (t,) = read_dump(path)
    assert [p.platform_id for p in t.posts] == ["1", "2"] and t.posts[1].parent == 0
    assert t.posts[0].text == "Første\n\nAnden"


def test_github_fixtures() -> None:
    pages = json.loads(GH_PAGES.read_text(encoding="utf-8"))
    numbers = {i["number"] for page in pages for i in page["response"]}
    threads = list(read_github(GH_PAGES))
    assert len(threads) == len(numbers)
    assert all(t.posts[0].kind == "issue" and t.posts[0].author for t in threads)
    search = list(read_github(GH_SEARCH))
    assert len(search) >= 1 and search[0].posts[0].title


def test_github_issue_comments_and_discussion(tmp_path: Path) -> None:
    url = "https://api.github.com/repos/org/repo/issues/7"
    issue = {
        "url": url,
        "number": 7,
        "title": "Fejl i æøå",
        "body": "Ø",
        "user": {"login": "kåre"},
        "created_at": "2024-01-01T10:00:00Z",
        "labels": [{"name": "bug"}],
    }
    comments = [
        {"id": 2, "issue_url": url, "body": "to", "user": {"login": "x"}, "created_at": "2024-01-03T00:00:00Z"},
        {"id": 1, "issue_url": url, "body": "en", "user": {"login": "y"}, "created_at": "2024-01-02T00:00:00Z"},
    ]
    path = tmp_path / "issues.jsonl"
    path.write_text("\n".join(json.dumps(o) for o in [issue, *comments]), encoding="utf-8")
    (t,) = read_github(path)
    assert [p.text for p in t.posts] == ["Ø", "en", "to"] and t.tags == ["bug"]
    gql = {
        "data": {
            "repository": {
                "discussion": {
                    "number": 3,
                    "title": "Idé",
                    "body": "krop",
                    "author": {"login": "a"},
                    "createdAt": "2024-02-01T00:00:00Z",
                    "comments": {
                        "nodes": [
                            {
                                "id": "C1",
                                "body": "svar",
                                "author": {"login": "b"},
                                "isAnswer": True,
                                "replies": {"nodes": [{"id": "R1", "body": "tak", "author": {"login": "a"}}]},
                            }
                        ]
                    },
                }
            }
        }
    }
    gpath = tmp_path / "discussion.json"
    gpath.write_text(json.dumps(gql), encoding="utf-8")
    (d,) = read_github(gpath)
    assert [(p.platform_id, p.parent, p.depth) for p in d.posts] == [("3", None, 0), ("C1", 0, 1), ("R1", 1, 2)]
    assert d.posts[1].accepted


def test_truncated_xml_names_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    data = (SE / "Posts.xml").read_bytes()
    (folder / "Posts.xml").write_bytes(data[: len(data) // 2])
    with pytest.raises(DumpError, match=r"Posts\.xml is not well-formed XML at line \d+"):
        list(read_stackexchange(folder))


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    laughs = '<!DOCTYPE posts [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    (folder / "Posts.xml").write_text(
        laughs + '<posts><row Id="1" PostTypeId="1" Body="&b;" Title="x" CreationDate="2020-01-01T00:00:00"/></posts>'
    )
    try:
        threads = list(read_stackexchange(folder))
    except DumpError:
        return
    assert "haha" not in threads[0].posts[0].text


def test_bad_json_line_is_named(tmp_path: Path) -> None:
    lines = REDDIT.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4][:40]
    path = tmp_path / "RC.ndjson"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DumpError, match=r"^RC\.ndjson line 5 is not valid JSON"):
        list(read_reddit(path))


def test_invalid_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "RC.ndjson"
    path.write_bytes(REDDIT.read_bytes().splitlines()[0] + b"\n" + b'{"body": "\xff\xfe"}\n')
    with pytest.raises(DumpError, match=r"RC\.ndjson line 2 is not valid UTF-8"):
        list(read_reddit(path))


def test_html_to_text_keeps_structure_and_is_safe() -> None:
    html = (
        '<p>Hej <a href="https://x.dk">link</a></p><script>alert(1)</script><ul><li>én</li><li>to</li></ul>'
        "<blockquote><p>citat</p></blockquote><pre><code>x = 1\n</code></pre>"
    )
    text = html_to_text(html)
    assert "alert" not in text
    assert "link (https://x.dk)" in text and "- én\n- to" in text and "> citat" in text
    assert "```\nx = 1\n```" in text

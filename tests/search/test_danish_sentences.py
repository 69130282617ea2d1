"""Search over real Danish sentences (UD Danish DDT, dev set): words and inflected lemmas are found."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from search_helpers import SHARED, ProjectBuilder, new_engine

from aia.search import SearchFilters, search
from aia.store.database import read
from aia.text.stemming import stem, tokens_with_offsets

CONLLU = SHARED / "data" / "danish" / "da_ddt-ud-dev.conllu"
PER_SOURCE = 60


@dataclass
class Sentence:
    text: str
    tokens: list[tuple[str, str]]  # (FORM, LEMMA)
    segment_id: int = 0
    source_id: int = 0


def read_conllu(path: Path) -> list[Sentence]:
    sentences: list[Sentence] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# text = "):
            sentences.append(Sentence(line.removeprefix("# text = ").strip(), []))
        elif line and not line.startswith("#") and sentences:
            cols = line.split("\t")
            if cols[0].isdigit():
                sentences[-1].tokens.append((cols[1], cols[2]))
    return sentences


@dataclass
class Corpus:
    engine: sa.Engine
    sentences: list[Sentence]

    def found(self, query: str, source_id: int | None = None) -> set[int]:
        filters = SearchFilters(source_ids=[source_id]) if source_id else None
        with read(self.engine) as conn:
            page = search(conn, query, filters, limit=1000)
        assert page.total == len(page.hits)
        return {h.segment_id for h in page.hits}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    sentences = read_conllu(CONLLU)
    assert len(sentences) > 500
    engine = new_engine(Path(tmp_path_factory.mktemp("ddt")))
    b = ProjectBuilder(engine)
    wp = b.work_package(b.track("DDT", "D"), 1)
    for first in range(0, len(sentences), PER_SOURCE):
        chunk = sentences[first : first + PER_SOURCE]
        source_id, segment_ids = b.source(wp, [s.text for s in chunk], title=f"DDT {first}")
        for sentence, segment_id in zip(chunk, segment_ids, strict=True):
            sentence.segment_id, sentence.source_id = segment_id, source_id
    yield Corpus(engine, sentences)
    engine.dispose()


def test_every_sentence_is_indexed(corpus: Corpus) -> None:
    with read(corpus.engine) as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM segments_fts")).scalar_one() == len(corpus.sentences)


def test_content_words_find_their_sentence(corpus: Corpus) -> None:
    rng = random.Random(7)
    tested = 0
    for sentence in rng.sample(corpus.sentences, 120):
        words = [w for w in sentence.text.split() if w.isalpha() and len(w) >= 5]
        if not words:
            continue
        word = rng.choice(words)
        assert sentence.segment_id in corpus.found(word), (word, sentence.text)
        assert sentence.segment_id in corpus.found(word.upper(), sentence.source_id)
        tested += 1
    assert tested > 80


def test_lemma_finds_inflected_forms(corpus: Corpus) -> None:
    """Searching a lemma finds exactly the sentences with a word of the same stem, or the lemma itself."""
    by_stem: dict[str, set[int]] = {}
    by_word: dict[str, set[int]] = {}
    for sentence in corpus.sentences:
        for token, _, _ in tokens_with_offsets(sentence.text):
            by_stem.setdefault(stem(token), set()).add(sentence.segment_id)
            by_word.setdefault(token, set()).add(sentence.segment_id)
    pairs = sorted(
        {
            (form.lower(), lemma.lower())
            for s in corpus.sentences
            for form, lemma in s.tokens
            if form.isalpha() and lemma.isalpha() and len(form) >= 5 and form.lower() != lemma.lower()
        }
    )
    inflected = [(form, lemma) for form, lemma in pairs if stem(form) == stem(lemma)]
    assert len(inflected) > 100
    for form, lemma in random.Random(11).sample(inflected, 60):
        found = corpus.found(lemma)
        assert by_stem[stem(lemma)] <= found, (form, lemma)
        assert found == by_stem[stem(lemma)] | by_word.get(lemma, set()), (form, lemma)
        assert by_word[form] <= found


def test_snippets_highlight_the_words_searched(corpus: Corpus) -> None:
    sentence = next(s for s in corpus.sentences if "julemanden" in s.text)
    with read(corpus.engine) as conn:
        page = search(conn, "julemænd OR julemand", SearchFilters(source_ids=[sentence.source_id]))
    hit = next(h for h in page.hits if h.segment_id == sentence.segment_id)
    assert [t for t, is_hit in hit.snippet if is_hit] == ["julemanden"]

"""Pseudonymisation at import, encrypted originals and the review step, through the Project API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aia
from aia.errors import KeyStoreError, NotFoundError
from aia.privacy.identities import OrganisationIdentity, PersonIdentity
from aia.privacy.kdf import Argon2idParams
from aia.privacy.keystore import PASSPHRASE_ENV
from aia.project import Project
from aia.store import fts5
from aia.store import pseudonymisation as pseudo_db
from aia.store.database import read, write

PASSPHRASE = "korrekt hest batteri hæfteklamme"
FAST_KDF = Argon2idParams(iterations=1, lanes=1, memory_kib=8 * 1024)

TRANSCRIPT = """Interviewer: Hvordan kom du i gang med Copilot hos Kodehuset?
Mette Kjærgaard: Det var Mettes idé at prøve det i marts. Jeg skrev til mette@kodehuset.dk og ringede til \
min chef på 22 33 44 55 bagefter.
Interviewer: Hvem var ellers med?
Mette Kjærgaard: Søren Holmgaard fra support var med, og Kodehuset betalte licenserne.
Interviewer: Og dit CPR-nummer 010190-1234 stod i formularen?
Mette Kjærgaard: Ja, desværre. Det rettede vi.
"""

CANARIES = ["Kjærgaard", "mette@kodehuset.dk", "22 33 44 55", "010190-1234", "Holmgaard"]


@pytest.fixture
def keyed(tmp_path: Path) -> Iterator[Project]:
    with aia.init_project(tmp_path / "projekt", user="Forsker A", keystore_passphrase=PASSPHRASE, kdf=FAST_KDF) as p:
        p.add_track("Softwareudviklere", prefix="SWU")
        p.add_participant("SWU", role="AI-champion")
        p.add_consent("SWU-P01", "Informationsark v1", "2026-01-15", wps=[1, 2, 3, 4, 5])  # covering consent
        assert p.add_organisation("Softwarehus (SMV)").code == "ORG-01"
        keys = p.keys()
        keys.set_person(
            "SWU-P01",
            PersonIdentity(
                full_names=("Mette Kjærgaard",),
                first_name="Mette",
                surname="Kjærgaard",
                emails=("mette@kodehuset.dk",),
                phones=("+45 22 33 44 55",),
                cpr="010190-1234",
            ),
        )
        keys.set_organisation("ORG-01", OrganisationIdentity(names=("Kodehuset",)))
        p.save_keys()
        yield p


def _import(p: Project, tmp_path: Path, text: str = TRANSCRIPT, name: str = "interview-mette-kjærgaard.txt") -> int:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    (result,) = p.import_files([path], track="SWU", wp=2)
    assert result.status == "imported", result.message
    assert result.source_id is not None
    return result.source_id


def _all_bytes(root: Path) -> bytes:
    return b"".join(f.read_bytes() for f in sorted(root.rglob("*")) if f.is_file() and f.name != "keys.aia")


def test_known_identifiers_are_replaced_and_nothing_leaks_to_disk(keyed: Project, tmp_path: Path) -> None:
    sid = _import(keyed, tmp_path)
    text = keyed.source(sid).text or ""
    assert "[SWU-P01]s idé" in text  # Danish genitive kept outside the pseudonym
    assert "[ORG-01]" in text
    for canary in [*CANARIES, "Mette"]:
        assert canary not in text
    # the title and the stored file name come from a file name that named her
    source = keyed.source(sid, with_text=False)
    assert "kjærgaard" not in source.title.casefold() and "kjærgaard" not in source.original_filename.casefold()
    # turns by her are linked to her participant record through the pseudonymised speaker label
    speakers = {seg.speaker for seg in keyed.segments(sid)}
    assert "SWU-P01" in speakers
    with read(keyed.engine) as conn:
        fts5.check(conn)  # raises on an index that disagrees with the segments
    keyed.engine.dispose()  # checkpoint the WAL into the file before reading raw bytes
    raw = _all_bytes(keyed.path)
    for canary in CANARIES:
        assert canary.encode("utf-8") not in raw, canary
    # the original is kept encrypted, and readable with the key store
    assert keyed.original(sid) == TRANSCRIPT.encode("utf-8")


def test_unknown_name_gets_a_consistent_hmac_pseudonym(keyed: Project, tmp_path: Path) -> None:
    a = keyed.source(_import(keyed, tmp_path)).text or ""
    other = "Interviewer: Kender du Søren Holmgaard?\nSWU-P01: Ja, Søren Holmgaard sidder i support.\n"
    b = keyed.source(_import(keyed, tmp_path, other, "andet.txt")).text or ""
    pseudonyms_a = {w for w in a.split() if w.startswith("[PERSON-")}
    pseudonyms_b = {w.rstrip(".") for w in b.split() if w.startswith("[PERSON-")}
    assert pseudonyms_a and pseudonyms_a & pseudonyms_b


def test_locked_key_store_refuses_the_import_and_stores_nothing(
    keyed: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    keyed.lock_keys()
    path = tmp_path / "x.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    with pytest.raises(KeyStoreError, match="locked; set AIA_KEYSTORE_PASSPHRASE"):
        keyed.import_files([path], track="SWU", wp=2)
    assert keyed.sources() == []
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    assert keyed.import_files([path], track="SWU", wp=2)[0].status == "imported"


def test_originals_none_keeps_no_file(keyed: Project, tmp_path: Path) -> None:
    keyed.set_pseudonymisation(originals="none")
    sid = _import(keyed, tmp_path)
    assert not any(f.is_file() for f in (keyed.path / "files").rglob("*"))
    with pytest.raises(NotFoundError, match="was not kept"):
        keyed.original(sid)


def test_switching_pseudonymisation_off_stores_text_as_is(keyed: Project, tmp_path: Path) -> None:
    sid = _import(keyed, tmp_path)
    path = tmp_path / "rå.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    (raw,) = keyed.import_files([path], track="SWU", wp=3, pseudonymise=False)
    assert raw.source_id is not None
    assert "Kjærgaard" in (keyed.source(raw.source_id).text or "")
    assert "Kjærgaard" not in (keyed.source(sid).text or "")


def _coded_word(p: Project, sid: int, word: str) -> int:
    text = p.source(sid).text or ""
    start = text.index(word)
    return p.add_coding(sid, start, start + len(word), "licenser").id


def _coded_texts(p: Project, sid: int) -> list[str]:
    text = p.source(sid).text or ""
    return [text[c.start : c.end] for c in p.codings(source_id=sid)]


def test_review_reject_restores_the_original_and_keeps_codings_on_their_words(keyed: Project, tmp_path: Path) -> None:
    sid = _import(keyed, tmp_path)
    keyed.add_code("licenser")
    _coded_word(keyed, sid, "betalte licenserne")
    items = keyed.review_items(sid)
    email = next(i for i in items if i.kind == "EMAIL")
    assert email.status == "replaced" and email.original == "mette@kodehuset.dk"
    assert email.shown == "[SWU-P01]"
    keyed.review_reject(email.id)
    text = keyed.source(sid).text or ""
    assert "mette@kodehuset.dk" in text
    assert _coded_texts(keyed, sid) == ["betalte licenserne"]
    # segments still slice the text and the search index follows the new words
    for seg in keyed.segments(sid):
        assert 0 <= seg.start <= seg.end <= len(text)
    assert keyed.search("kodehuset")  # the restored e-mail address is searchable
    assert keyed.review_items(sid, status="rejected")[0].id == email.id


def test_review_assign_adds_alias_to_key_store_and_replaces_every_occurrence(keyed: Project, tmp_path: Path) -> None:
    keyed.add_participant("SWU", role="Supporter")  # SWU-P02
    sid = _import(keyed, tmp_path)
    keyed.add_code("licenser")
    _coded_word(keyed, sid, "betalte licenserne")
    soren = [i for i in keyed.review_items(sid) if i.original == "Søren Holmgaard" or i.shown == "Søren Holmgaard"]
    assert soren
    done = keyed.review_assign(soren[0].id, "SWU-P02")
    assert all(i.shown == "[SWU-P02]" and i.status == "accepted" for i in done)
    assert "Søren Holmgaard" in keyed.keys().person("SWU-P02").aliases  # type: ignore[union-attr]
    assert _coded_texts(keyed, sid) == ["betalte licenserne"]
    # the next import knows him already
    again = keyed.source(_import(keyed, tmp_path, "SWU-P01: Søren Holmgaard hjalp.\n", "ny.txt")).text or ""
    assert "[SWU-P02]" in again


def test_accepting_a_flagged_candidate_replaces_it(keyed: Project, tmp_path: Path) -> None:
    # "Bo" is a name and a Danish word: at a sentence start it is flagged, not replaced
    text = "Interviewer: Hvem hjalp?\nSWU-P01: Det gjorde en kollega. Bo var der også med sin laptop.\n"
    sid = _import(keyed, tmp_path, text, "flag.txt")
    (item,) = keyed.review_items(sid, status="flagged")
    assert item.shown == "Bo" and item.replacement.startswith("[PERSON-")
    keyed.add_code("hjælp")
    start = (keyed.source(sid).text or "").index("med sin laptop")
    keyed.add_coding(sid, start, start + len("med sin laptop"), "hjælp")
    done = keyed.review_accept(item.id)
    assert done.status == "accepted" and done.shown == item.replacement
    assert done.original == "Bo"
    assert _coded_texts(keyed, sid) == ["med sin laptop"]


def test_rejecting_a_flag_leaves_the_text(keyed: Project, tmp_path: Path) -> None:
    text = "SWU-P01: Det gjorde en kollega. Bo var der også.\n"
    sid = _import(keyed, tmp_path, text, "flag2.txt")
    before = keyed.source(sid).text
    (item,) = keyed.review_items(sid, status="flagged")
    assert keyed.review_open() == {sid: len(keyed.review_items(sid))}
    keyed.review_reject(item.id)
    assert keyed.source(sid).text == before
    assert keyed.review_items(sid, status="rejected")[0].shown == "Bo"


WORDS = st.text(alphabet="abcæøå ", min_size=1, max_size=12)


@settings(max_examples=40, deadline=None)
@given(
    text=st.text(alphabet="abcdæøå 😀\n", min_size=20, max_size=120),
    cuts=st.lists(st.tuples(st.integers(0, 119), st.integers(0, 6), WORDS), max_size=5),
)
def test_edit_text_keeps_untouched_codings_and_segments_on_their_text(
    tmp_path_factory: pytest.TempPathFactory, text: str, cuts: list[tuple[int, int, str]]
) -> None:
    root = tmp_path_factory.mktemp("edit")
    with aia.init_project(root / "p") as p:
        p.add_track("Softwareudviklere", prefix="SWU")
        (res,) = [p.import_bytes(text.encode("utf-8"), "t.txt", track="SWU", wp=5)]
        assert res.source_id is not None
        sid = res.source_id
        stored = p.source(sid).text or ""
        p.add_code("k")
        n = len(stored)
        spans = [(i, min(n, i + 3)) for i in range(0, n - 1, 7)]
        for s, e in spans:
            if e > s:
                p.add_coding(sid, s, e, "k")
        edits: list[tuple[int, int, str]] = []
        last = 0
        for start, length, new in sorted(cuts):
            if start >= last and start + length <= n:
                edits.append((start, start + length, new))
                last = start + length + 1
        before = {c.id: stored[c.start : c.end] for c in p.codings(source_id=sid)}
        untouched = {
            c.id
            for c in p.codings(source_id=sid)
            if all(e <= c.start or s >= c.end for s, e, _ in edits) and all(s != e for s, e, _ in edits)
        }
        with write(p.engine) as conn:
            pseudo_db.edit_text(conn, sid, edits)
        new_text = p.source(sid).text or ""
        expected = stored
        for s, e, new in sorted(edits, reverse=True):
            expected = expected[:s] + new + expected[e:]
        assert new_text == expected
        for c in p.codings(source_id=sid):
            assert 0 <= c.start < c.end <= len(new_text)
            if c.id in untouched:
                assert new_text[c.start : c.end] == before[c.id]
        previous = 0
        for seg in p.segments(sid):
            assert previous <= seg.start <= seg.end <= len(new_text)
            previous = seg.end
        with read(p.engine) as conn:
            fts5.check(conn)


def test_export_leaves_out_encrypted_original_pdfs(keyed: Project, tmp_path: Path) -> None:
    import zipfile

    pdf = (
        Path(__file__).resolve().parents[2].parent / "shared" / "data" / "transcripts" / "pdpilot_interviews" / "P1.pdf"
    )
    result = keyed.import_bytes(pdf.read_bytes(), "P1.pdf", track="SWU", wp=2)
    assert result.source_id is not None
    assert keyed.original(result.source_id) == pdf.read_bytes()  # kept, encrypted, readable with the key store
    summary = keyed.export_qdpx(tmp_path / "ud.qdpx")
    assert summary.pdfs == 0 and any("kept encrypted" in w for w in summary.warnings)
    with zipfile.ZipFile(tmp_path / "ud.qdpx") as zf:
        assert not [n for n in zf.namelist() if n.endswith(".pdf")]


def test_imports_are_audited_without_file_names(keyed: Project, tmp_path: Path) -> None:
    sid = _import(keyed, tmp_path)
    events = [e for e in keyed.audit_events() if e.action == "import"]
    assert events and events[-1].details == {"sources": [sid], "pseudonymised": True}
    assert "kjærgaard" not in repr(events).casefold()
    assert keyed.verify_audit() == []

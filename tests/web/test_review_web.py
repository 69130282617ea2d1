"""The pseudonymisation review page (issue 6, item 2): lead only; the key-store passphrase is asked for in the form
(or taken from $AIA_KEYSTORE_PASSPHRASE), used for that request only; accepted changes keep codings on their words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from webhelpers import PASSWORD, client_for, csrf_of

import aia
from aia.privacy.identities import OrganisationIdentity, PersonIdentity
from aia.privacy.kdf import Argon2idParams
from aia.privacy.keystore import PASSPHRASE_ENV
from aia.project import Project
from aia.web.pages.review import parse_decisions

PASSPHRASE = "korrekt hest batteri hæfteklamme"
FAST_KDF = Argon2idParams(iterations=1, lanes=1, memory_kib=8 * 1024)
TEXT = (
    "Interviewer: Hvem hjalp dig med Copilot hos Kodehuset?\n"
    "SWU-P01: Det gjorde en kollega. Bo var der også med sin laptop.\n"
    "SWU-P01: Søren Holmgaard fra support skrev til mette@kodehuset.dk om licenserne.\n"
)


@pytest.fixture
def keyed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    with aia.init_project(tmp_path / "projekt", user="Forsker A", keystore_passphrase=PASSPHRASE, kdf=FAST_KDF) as p:
        p.add_track("Softwareudviklere", prefix="SWU")
        p.add_participant("SWU", role="AI-champion")  # SWU-P01
        p.add_participant("SWU", role="Supporter")  # SWU-P02
        for who in ("SWU-P01", "SWU-P02"):  # the interview names them: imports need their consent (issue 6)
            p.add_consent(who, "v1", "2026-03-01", wps=[2])
        p.add_organisation("Softwarehus (SMV)")
        keys = p.keys()
        keys.set_person(
            "SWU-P01",
            PersonIdentity(full_names=("Mette Kjærgaard",), first_name="Mette", emails=("mette@kodehuset.dk",)),
        )
        keys.set_organisation("ORG-01", OrganisationIdentity(names=("Kodehuset",)))
        p.save_keys()
        (result,) = p.import_files([_write(tmp_path, TEXT)], track="SWU", wp=2)
        assert result.status == "imported", result.message
        p.add_code("Udstyr")
        text = p.sources()[0][0].text or p.source(result.source_id or 0).text
        start = text.index("med sin laptop")
        p.add_coding(result.source_id or 0, start, start + len("med sin laptop"), "Udstyr")
        for name, role in (("lea", "lead"), ("carl", "coder"), ("rikke", "reader")):
            p.add_account(name, PASSWORD, role)
        p.lock_keys()  # as a server started without the passphrase
        yield p


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "interview-support.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _source(p: Project) -> int:
    return p.sources()[0][0].id


def _item(p: Project, source_id: int, **match: str) -> int:
    for item in p.review_items(source_id, with_originals=False):
        if all(getattr(item, k) == v for k, v in match.items()):
            return item.id
    raise AssertionError(match)


def _coded(p: Project, source_id: int) -> list[str]:
    text = p.source(source_id).text or ""
    return [text[c.start : c.end] for c in p.codings(source_id=source_id)]


def test_page_lists_items_with_context_and_asks_for_the_passphrase(keyed: Project) -> None:
    sid = _source(keyed)
    client = client_for(keyed, "lea")
    html = client.get(f"/sources/{sid}/review").text
    assert 'type="password" name="passphrase"' in html
    assert "<mark>Bo</mark> var der også" in html  # flagged, with its context
    assert "<mark>[SWU-P01]</mark>" in html  # the e-mail address, replaced
    assert "mette@kodehuset.dk" not in html  # originals stay locked
    assert "låst" in html
    assert not keyed.keys_unlocked()


def test_accepting_a_flag_with_the_passphrase_keeps_codings_on_their_words(keyed: Project) -> None:
    sid = _source(keyed)
    bo = _item(keyed, sid, shown="Bo", status="flagged")
    client = client_for(keyed, "lea")
    r = client.post(
        f"/sources/{sid}/review", data={"csrf": csrf_of(client), "passphrase": PASSPHRASE, f"item_{bo}": "accept"}
    )
    assert r.status_code == 200, r.text
    text = keyed.source(sid).text or ""
    assert "Bo var der" not in text and "[PERSON-" in text
    assert _coded(keyed, sid) == ["med sin laptop"]
    # the originals are shown in this response; the passphrase is nowhere in it, and the store is locked again
    assert "mette@kodehuset.dk" in r.text and PASSPHRASE not in r.text
    assert "set-cookie" not in r.headers
    assert not keyed.keys_unlocked()
    assert [e for e in keyed.audit_events(action="keys.open") if e.actor == "lea"]


def test_reject_puts_the_original_back_and_assign_adds_to_the_key_store(keyed: Project) -> None:
    sid = _source(keyed)
    email = _item(keyed, sid, kind="EMAIL")
    soren = _item(keyed, sid, kind="PER", status="replaced")  # "Søren Holmgaard", from the name list
    client = client_for(keyed, "lea")
    data = {
        "csrf": csrf_of(client),
        "passphrase": PASSPHRASE,
        f"item_{email}": "reject",
        f"item_{soren}": "assign:SWU-P02",
    }
    r = client.post(f"/sources/{sid}/review", data=data)
    assert r.status_code == 200, r.text
    text = keyed.source(sid).text or ""
    assert "mette@kodehuset.dk" in text and "[SWU-P02] fra support" in text
    assert _coded(keyed, sid) == ["med sin laptop"]
    person = keyed.unlock_keys(PASSPHRASE).person("SWU-P02")
    assert person is not None and any("Holmgaard" in a for a in person.aliases)
    keyed.lock_keys()


def test_wrong_passphrase_is_a_400_and_changes_nothing(keyed: Project) -> None:
    sid = _source(keyed)
    before = keyed.source(sid).text
    bo = _item(keyed, sid, shown="Bo")
    client = client_for(keyed, "lea")
    r = client.post(
        f"/sources/{sid}/review", data={"csrf": csrf_of(client), "passphrase": "forkert æøå", f"item_{bo}": "accept"}
    )
    assert r.status_code == 400 and "wrong passphrase or damaged file" in r.text
    assert "forkert æøå" not in r.text
    r = client.post(f"/sources/{sid}/review", data={"csrf": csrf_of(client), f"item_{bo}": "accept"})
    assert r.status_code == 400 and "deciding needs the key store" in r.text
    assert keyed.source(sid).text == before


def test_decision_for_an_item_of_another_source_or_unknown_is_refused(keyed: Project, tmp_path: Path) -> None:
    sid = _source(keyed)
    client = client_for(keyed, "lea")
    token = csrf_of(client)
    r = client.post(f"/sources/{sid}/review", data={"csrf": token, "passphrase": PASSPHRASE, "item_99999": "accept"})
    assert r.status_code == 400 and "review item 99999 is not in source" in r.text
    r = client.post(f"/sources/{sid}/review", data={"csrf": token, "item_1": "slet"})
    assert r.status_code == 400 and "is unknown; reload the page" in r.text


def test_server_passphrase_from_the_environment(keyed: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    sid = _source(keyed)
    client = client_for(keyed, "lea")
    html = client.get(f"/sources/{sid}/review").text
    assert 'name="passphrase"' not in html and "mette@kodehuset.dk" in html
    bo = _item(keyed, sid, shown="Bo")
    r = client.post(f"/sources/{sid}/review", data={"csrf": csrf_of(client), f"item_{bo}": "reject"})
    assert r.status_code == 200
    assert keyed.review_items(sid, status="rejected", with_originals=False)[0].id == bo
    assert not keyed.keys_unlocked()


def test_only_the_lead_reviews(keyed: Project) -> None:
    sid = _source(keyed)
    bo = _item(keyed, sid, shown="Bo")
    for who in ("carl", "rikke"):
        client = client_for(keyed, who)
        assert client.get(f"/sources/{sid}/review").status_code == 403
        data = {"csrf": csrf_of(client), "passphrase": PASSPHRASE, f"item_{bo}": "accept"}
        assert client.post(f"/sources/{sid}/review", data=data).status_code == 403
    assert keyed.review_items(sid, status="flagged", with_originals=False)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 10**6),
            st.sampled_from(["accept", "reject", "assign"]),
            st.sampled_from(["SWU-P01", "ORG-02", "SWU-P12"]),
        ),
        unique_by=lambda d: d[0],
        max_size=8,
    )
)
def test_decisions_round_trip_through_the_form(decisions: list[tuple[int, str, str]]) -> None:
    expected = [(i, a, p if a == "assign" else "") for i, a, p in decisions]
    fields = [("csrf", "x"), ("passphrase", "æøå"), ("item_7", "")]
    fields += [(f"item_{i}", f"{a}:{p}" if a == "assign" else a) for i, a, p in expected]
    assert parse_decisions(fields) == expected


def test_a_netnography_thread_is_reviewed_on_the_same_page(keyed: Project, tmp_path: Path) -> None:
    """What the project's pseudonymiser replaced in forum posts (issue 6) is on the thread's review page."""
    import json

    posts = [
        {"id": "q1", "title": "Copilot hos Kodehuset", "selftext": "Hvem har prøvet det?", "author": "spørger",
         "created_utc": 1_760_000_000, "score": 4, "subreddit": "dkudvikler"},
        {"id": "c1", "link_id": "t3_q1", "parent_id": "t3_q1", "author": "svarer", "score": 2,
         "body": "Skriv til mette@kodehuset.dk, hun ved det.", "created_utc": 1_760_000_100, "subreddit": "dkudvikler"},
    ]  # fmt: skip
    dump = tmp_path / "RS_RC_tråd.ndjson"
    dump.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts), encoding="utf-8")
    keyed.unlock_keys(PASSPHRASE)
    (sid,) = keyed.import_corpus(dump, "SWU", "Kodehuset-tråd").source_ids
    keyed.lock_keys()
    email = _item(keyed, sid, kind="EMAIL")
    client = client_for(keyed, "lea")
    page = client.post(f"/sources/{sid}/review", data={"csrf": csrf_of(client), "passphrase": PASSPHRASE})
    assert page.status_code == 200 and "mette@kodehuset.dk" in page.text and "Kodehuset" in page.text
    data = {"csrf": csrf_of(client), "passphrase": PASSPHRASE, f"item_{email}": "reject"}
    assert client.post(f"/sources/{sid}/review", data=data).status_code == 200
    text = keyed.source(sid).text or ""
    assert text.startswith("Copilot hos [ORG-01]") and "Skriv til mette@kodehuset.dk, hun ved det." in text

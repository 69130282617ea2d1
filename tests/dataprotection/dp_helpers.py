"""A project with a canary participant: name, e-mail, phone and CPR planted (pseudonymisation off) in an interview
of their own, in their turns of a group interview, in another participant's interview, in memos and in codings."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import aia
from aia.privacy.identities import PersonIdentity
from aia.privacy.kdf import Argon2idParams, ScryptParams, argon2_available
from aia.project import Project

CHEAP = Argon2idParams(iterations=1, lanes=1, memory_kib=8) if argon2_available() else ScryptParams(n=2**10)
PASSPHRASE = "hemmelig nøgle til æbleskiver"

NAME = "Mette Kjærgaard"
EMAIL = "mette.kjaergaard@smedjen-eksempel.dk"
PHONE = "23 45 67 89"
CPR = "070485-1234"
CANARIES = (NAME, "Kjærgaard", EMAIL, PHONE, CPR, "0704851234")

OWN_INTERVIEW = f"""Interviewer: Vil du præsentere dig?

SWU-P01: Jeg hedder {NAME}, og jeg er backend-udvikler i Smedjen.

Interviewer: Hvordan kan vi kontakte dig?

SWU-P01: Skriv til {EMAIL} eller ring på {PHONE}. Mit CPR-nummer er {CPR}, hvis I skal bruge det til honoraret.
"""

GROUP_INTERVIEW = f"""Interviewer: Hvordan bruger I Copilot i teamet?

SWU-P01: Jeg er {NAME}, og jeg bruger det hver dag til tests. Ring gerne på {PHONE}.

SWU-P02: Vi andre er mere forsigtige. Vi læser alt igennem, før det går i produktion.

SWU-P01: Det gør jeg også, men det sparer mig for meget tid. Min mail er {EMAIL}.

SWU-P02: Kvaliteten af forslagene er blevet bedre siden sidste år, synes jeg.
"""

OTHER_INTERVIEW = f"""Interviewer: Hvem i teamet bruger AI mest?

SWU-P02: Det gør Mette Kjærgaard nok. Hun har skrevet en guide, og man kan få den på {EMAIL}.

Interviewer: Og du selv?

SWU-P02: Jeg bruger det mest til dokumentation og til at forstå gammel kode.
"""


def canary_project(root: Path) -> Project:
    """The canary project (open, key store unlocked); see the module doc."""
    project = aia.init_project(root, user="Forsker A")
    project.create_keystore(PASSPHRASE, kdf=CHEAP)
    project.set_pseudonymisation(on=False)
    project.add_track("Softwareudviklere", prefix="SWU")
    p1 = project.add_participant("SWU", role="Udvikler")
    p2 = project.add_participant("SWU", role="Teamleder")
    keys = project.keys()
    keys.set_person(
        p1.pseudonym,
        PersonIdentity(
            full_names=(NAME,), first_name="Mette", surname="Kjærgaard", emails=(EMAIL,), phones=(PHONE,), cpr=CPR
        ),
    )
    keys.set_person(p2.pseudonym, PersonIdentity(full_names=("Søren Østergaard",), first_name="Søren"))
    keys.save()
    for person in (p1, p2):  # material naming them is imported only under covering consent
        project.add_consent(person.pseudonym, "Informationsark v1", "2026-01-15", wps=[1, 2, 3, 4, 5])
    tmp = root.parent / "indlæsning"
    tmp.mkdir(exist_ok=True)
    for name, text in (("eget.txt", OWN_INTERVIEW), ("gruppe.txt", GROUP_INTERVIEW), ("andet.txt", OTHER_INTERVIEW)):
        (tmp / name).write_text(text, encoding="utf-8")
    own = project.import_files([tmp / "eget.txt"], "SWU", 2, participants=[p1.pseudonym], pseudonymise=False)[0]
    group = project.import_files(
        [tmp / "gruppe.txt"], "SWU", 3, participants=[p1.pseudonym, p2.pseudonym], pseudonymise=False
    )[0]
    other = project.import_files([tmp / "andet.txt"], "SWU", 2, participants=[p2.pseudonym], pseudonymise=False)[0]
    assert own.source_id and group.source_id and other.source_id
    project.add_code("Brug af AI")
    project.add_code("Kvalitet")
    text = project.source(group.source_id).text
    start = text.index("Jeg er")
    project.add_coding(group.source_id, start, start + 40, "Brug af AI", comment=f"ring til {PHONE}")
    start = text.index("Kvaliteten")
    project.add_coding(group.source_id, start, start + len("Kvaliteten af forslagene"), "Kvalitet")
    start = text.index("Vi andre")
    project.add_coding(group.source_id, start, start + 30, "Kvalitet", comment=f"CPR {CPR} nævnt tidligere")
    project.add_coding(own.source_id, 0, 20, "Brug af AI")
    project.add_memo("Om deltageren", f"{NAME} var meget åben.", "participant", p1.pseudonym)
    project.add_memo("Kontakt", f"Husk at skrive til {EMAIL} om opfølgning.")
    project.add_memo("Teamet", "Teamet er skeptisk, men nysgerrigt.")
    return project


def table_texts(db_path: Path) -> dict[str, str]:
    """Every table's content (FTS5 shadow tables included) as text, by table name."""
    conn = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        out: dict[str, str] = {}
        for table in tables:
            if table == "segments_fts":
                continue  # the virtual table reads from segments; its shadow tables are scanned themselves
            parts: list[str] = []
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    if isinstance(value, bytes):
                        parts.append(value.decode("utf-8", "replace"))
                    elif value is not None:
                        parts.append(str(value))
            out[table] = "\n".join(parts)
        return out
    finally:
        conn.close()


def hits(root: Path, extra: list[Path] | None = None) -> list[str]:
    """Where any canary string (as written or lower-cased) is still found: tables, raw database bytes, files/."""
    needles = [c for c in CANARIES] + [c.lower() for c in CANARIES]
    found: list[str] = []
    for table, text in table_texts(root / "aia.sqlite").items():
        low = text.lower()
        found += [f"table {table}: {c}" for c in CANARIES if c.lower() in low]
    raw_files = [root / "aia.sqlite", root / "aia.sqlite-wal", *sorted((root / "files").rglob("*"))]
    for path in [*raw_files, *(extra or [])]:
        if not path.is_file():
            continue
        data = path.read_bytes()
        blobs = [data]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                blobs += [zf.read(name) for name in zf.namelist()]
        for blob in blobs:
            found += [f"{path.name}: {n}" for n in needles if n.encode("utf-8") in blob]
    return found

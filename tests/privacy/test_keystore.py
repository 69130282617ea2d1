"""The encrypted key store: round trips, tamper evidence, no plaintext on disk, erasure, passphrase changes."""

from __future__ import annotations

import base64
import random
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from aia.errors import AiaError, ValidationError
from aia.privacy.keystore import (
    DEFAULT_FILENAME,
    MAGIC,
    Argon2idParams,
    KeyStore,
    KeyStoreError,
    OrganisationIdentity,
    PersonIdentity,
    ScryptParams,
    argon2_available,
    default_kdf,
    default_path,
    passphrase_from_env,
)

# Cheap parameters so the suite stays fast; the defaults are strong (see test_default_kdf_is_strong).
CHEAP = Argon2idParams(iterations=1, lanes=1, memory_kib=8) if argon2_available() else ScryptParams(n=2**10)
PASS = "korrekt hest batteri hæfteklamme"

METTE = PersonIdentity(
    full_names=("Mette Ærø Sørensen", "Mette Æ. Sørensen"),
    first_name="Mette",
    surname="Sørensen",
    aliases=("Møffe",),
    emails=("mette.soerensen@eksempel.dk",),
    phones=("+45 20 12 34 56",),
    cpr="010203-1234",
    employer="Århus Softwarehus ApS",
)
BJORN = PersonIdentity(
    full_names=("Bjørn Åge Løvstrøm",),
    first_name="Bjørn",
    surname="Løvstrøm",
    emails=("bjorn@lovstrom.example",),
    cpr="3112992345",  # no dash, and no valid modulus-11 check digit: accepted all the same
)
ASTRID = PersonIdentity(full_names=("Astrid Kjærgaard",), aliases=("Mor Astrid",))
ORG = OrganisationIdentity(names=("Østjysk Kommune",), aliases=("ØK", "kommunen"))

SECRETS = [
    "Mette Ærø Sørensen",
    "Sørensen",
    "Møffe",
    "mette.soerensen@eksempel.dk",
    "20 12 34 56",
    "010203-1234",
    "0102031234",
    "Århus Softwarehus",
    "Bjørn Åge Løvstrøm",
    "Løvstrøm",
    "bjorn@lovstrom.example",
    "311299-2345",
    "3112992345",
    "Astrid Kjærgaard",
    "Østjysk Kommune",
    "kommunen",
]


def _filled(path: Path) -> KeyStore:
    store = KeyStore.create(path, PASS, kdf=CHEAP)
    store.set_person("SWU-P01", METTE)
    store.set_person("swu-p02", BJORN)
    store.set_person("MMD-P03", ASTRID)
    store.set_organisation("ORG-02", ORG)
    store.save()
    return store


@pytest.fixture
def keyfile(tmp_path: Path) -> Path:
    path = tmp_path / DEFAULT_FILENAME
    _filled(path)
    return path


def test_round_trip_with_danish_names(keyfile: Path) -> None:
    store = KeyStore.open(keyfile, PASS)
    assert list(store.people()) == ["MMD-P03", "SWU-P01", "SWU-P02"]
    assert store.person("SWU-P01") == METTE
    assert store.person("SWU-P02") == BJORN
    assert store.person("MMD-P03") == ASTRID
    assert store.person("SWU-P09") is None
    assert store.organisations() == {"ORG-02": ORG}
    assert store.organisation("org-02") == ORG
    bjorn = store.person("SWU-P02")
    assert bjorn is not None and bjorn.cpr == "311299-2345" and bjorn.full_names == ("Bjørn Åge Løvstrøm",)
    assert store.created_at <= store.updated_at
    assert store.kdf == CHEAP


def test_identifiers_cover_every_value() -> None:
    values = METTE.identifiers()
    for expected in [
        "Mette Ærø Sørensen",
        "Mette",
        "Sørensen",
        "Møffe",
        "+45 20 12 34 56",
        "010203-1234",
        "0102031234",
    ]:
        assert expected in values
    assert ORG.identifiers() == ("Østjysk Kommune", "ØK", "kommunen")


def test_text_is_normalised_and_empty_values_dropped() -> None:
    decomposed = "Bjørn A\u030age"  # "Åge" with a combining ring
    person = PersonIdentity(full_names=(f"  {decomposed} ", "", decomposed), first_name="  ", cpr="010203 1234")
    assert person.full_names == ("Bjørn Åge",)
    assert person.first_name is None
    assert person.cpr == "010203-1234"
    assert person.to_json() == {"full_names": ["Bjørn Åge"], "cpr": "010203-1234"}


def test_bad_cpr_and_bad_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="10 digits"):
        PersonIdentity(cpr="0102-03")
    store = KeyStore.create(tmp_path / "k.aia", PASS, kdf=CHEAP)
    with pytest.raises(ValidationError, match="pseudonym"):
        store.set_person("Mette Sørensen", METTE)
    with pytest.raises(ValidationError, match="organisation code"):
        store.set_organisation("Østjysk Kommune", ORG)


def test_wrong_passphrase(keyfile: Path) -> None:
    with pytest.raises(KeyStoreError) as info:
        KeyStore.open(keyfile, PASS + "x")
    message = str(info.value)
    assert message == f"cannot open the key store {keyfile}: wrong passphrase or damaged file."
    assert PASS not in message
    assert isinstance(info.value, AiaError)


def test_passphrase_is_unicode_normalised(tmp_path: Path) -> None:
    path = tmp_path / "k.aia"
    KeyStore.create(path, "blåbærgrød 2026", kdf=CHEAP)
    KeyStore.open(path, "bla\u030abærgrød 2026")  # the same passphrase typed with a combining ring


def _header_length(data: bytes) -> int:
    return len(MAGIC) + 2 + data[len(MAGIC) + 1] + 12 + 16 + 12


def test_any_flipped_byte_is_detected(keyfile: Path) -> None:
    original = keyfile.read_bytes()
    header = _header_length(original)
    rng = random.Random(4)
    positions = set(range(header))  # magic, version, KDF name and parameters, salt, nonce
    positions |= set(rng.sample(range(header, len(original) - 16), 25))  # ciphertext
    positions |= set(range(len(original) - 16, len(original)))  # GCM tag
    for pos in sorted(positions):
        for mask in (0x01, 0x80, 0xFF):
            damaged = bytearray(original)
            damaged[pos] ^= mask
            keyfile.write_bytes(bytes(damaged))
            with pytest.raises(KeyStoreError, match=r"wrong passphrase or damaged file|newer version"):
                KeyStore.open(keyfile, PASS)
    keyfile.write_bytes(original)
    assert KeyStore.open(keyfile, PASS).person("SWU-P01") == METTE


@pytest.mark.parametrize(
    "change",
    [lambda b: b[:-1], lambda b: b + b"\x00", lambda b: b[:40], lambda b: b"", lambda b: b"not a key store at all"],
)
def test_truncated_or_extended_file_is_detected(keyfile: Path, change: Callable[[bytes], bytes]) -> None:
    keyfile.write_bytes(change(keyfile.read_bytes()))
    with pytest.raises(KeyStoreError, match="wrong passphrase or damaged file"):
        KeyStore.open(keyfile, PASS)


def test_newer_format_version_says_so(keyfile: Path) -> None:
    data = bytearray(keyfile.read_bytes())
    data[len(MAGIC)] = 2
    keyfile.write_bytes(bytes(data))
    with pytest.raises(KeyStoreError, match="newer version of aia"):
        KeyStore.open(keyfile, PASS)


def test_no_identifying_text_in_the_file(keyfile: Path) -> None:
    raw = keyfile.read_bytes()
    store = KeyStore.open(keyfile, PASS)
    for text in SECRETS:
        for variant in {text, text.lower(), text.upper()}:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be", "latin-1"):
                try:
                    needle = variant.encode(encoding)
                except UnicodeEncodeError:
                    continue
                assert needle not in raw, f"{variant!r} found in the key store file ({encoding})"
    for needle in (store.secret, base64.b64encode(store.secret), b"SWU-P01", b"people", b"full_names"):
        assert needle not in raw
    assert (len(raw) - _header_length(raw) - 16) % 512 == 0  # plaintext padded: the size says little


def test_create_refuses_an_existing_file(tmp_path: Path, keyfile: Path) -> None:
    before = keyfile.read_bytes()
    with pytest.raises(KeyStoreError, match="exists already"):
        KeyStore.create(keyfile, PASS, kdf=CHEAP)
    assert keyfile.read_bytes() == before
    other = tmp_path / "notes.txt"
    other.write_text("not mine", encoding="utf-8")
    with pytest.raises(KeyStoreError, match="exists already"):
        KeyStore.create(other, PASS, kdf=CHEAP)
    assert other.read_text(encoding="utf-8") == "not mine"


def test_create_needs_an_existing_directory_and_a_real_passphrase(tmp_path: Path) -> None:
    with pytest.raises(KeyStoreError, match="does not exist"):
        KeyStore.create(tmp_path / "missing" / "keys.aia", PASS, kdf=CHEAP)
    with pytest.raises(KeyStoreError, match="at least 8 characters"):
        KeyStore.create(tmp_path / "keys.aia", "kort", kdf=CHEAP)
    assert not (tmp_path / "keys.aia").exists()


def test_open_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KeyStoreError, match="there is no key store at"):
        KeyStore.open(tmp_path / "nowhere.aia", PASS)


def test_remove_person_is_gone_after_save(keyfile: Path) -> None:
    store = KeyStore.open(keyfile, PASS)
    assert store.remove_person("SWU-P02") is True
    assert store.remove_person("SWU-P02") is False  # idempotent: an interrupted erasure can simply run again
    assert store.modified
    store.save()
    assert not store.modified
    again = KeyStore.open(keyfile, PASS)
    assert again.person("SWU-P02") is None
    assert list(again.people()) == ["MMD-P03", "SWU-P01"]
    assert all("Bjørn" not in value for p in again.people().values() for value in p.identifiers())


def test_unsaved_changes_do_not_reach_the_file(keyfile: Path) -> None:
    store = KeyStore.open(keyfile, PASS)
    store.set_person("SWU-P04", PersonIdentity(first_name="Søren"))
    assert KeyStore.open(keyfile, PASS).person("SWU-P04") is None


def test_change_passphrase(keyfile: Path) -> None:
    store = KeyStore.open(keyfile, PASS)
    secret, before = store.secret, keyfile.read_bytes()
    header_before = before[: _header_length(before)]
    store.change_passphrase("et helt nyt løsen")
    with pytest.raises(KeyStoreError, match="wrong passphrase or damaged file"):
        KeyStore.open(keyfile, PASS)
    reopened = KeyStore.open(keyfile, "et helt nyt løsen")
    assert reopened.secret == secret
    assert reopened.person("SWU-P01") == METTE
    after = keyfile.read_bytes()
    assert after[: _header_length(after)][-28:-12] != header_before[-28:-12]  # new salt
    with pytest.raises(KeyStoreError, match="at least 8"):
        reopened.change_passphrase("x")
    KeyStore.open(keyfile, "et helt nyt løsen")


def test_change_passphrase_can_change_the_kdf(keyfile: Path) -> None:
    store = KeyStore.open(keyfile, PASS)
    store.change_passphrase("scrypt denne gang", kdf=ScryptParams(n=2**12))
    reopened = KeyStore.open(keyfile, "scrypt denne gang")
    assert reopened.kdf == ScryptParams(n=2**12)
    assert b"scrypt" in keyfile.read_bytes()[:40]
    assert reopened.person("MMD-P03") == ASTRID


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_file_mode_is_0600(tmp_path: Path) -> None:
    path = tmp_path / "keys.aia"
    store = KeyStore.create(path, PASS, kdf=CHEAP)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store.set_person("SWU-P01", METTE)
    store.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_save_leaves_no_temporary_files(keyfile: Path) -> None:
    store = KeyStore.open(keyfile, PASS)
    for _ in range(3):
        store.save()
    assert sorted(p.name for p in keyfile.parent.iterdir()) == [DEFAULT_FILENAME]


def test_secret_is_stable_and_32_bytes(tmp_path: Path, keyfile: Path) -> None:
    first = KeyStore.open(keyfile, PASS)
    assert isinstance(first.secret, bytes) and len(first.secret) == 32
    first.save()
    first.save()
    second = KeyStore.open(keyfile, PASS)
    assert second.secret == first.secret
    other = KeyStore.create(tmp_path / "other.aia", PASS, kdf=CHEAP)
    assert other.secret != first.secret


def test_second_writer_is_noticed(keyfile: Path) -> None:
    a = KeyStore.open(keyfile, PASS)
    b = KeyStore.open(keyfile, PASS)
    a.remove_person("SWU-P01")
    a.save()
    b.set_person("SWU-P05", ASTRID)
    with pytest.raises(KeyStoreError, match="changed or removed by someone else"):
        b.save()
    assert KeyStore.open(keyfile, PASS).person("SWU-P01") is None


def test_repr_and_messages_hide_identities(keyfile: Path) -> None:
    store = KeyStore.open(keyfile, PASS)
    shown = repr(store) + repr(METTE) + repr(ORG) + repr(store.people())
    for text in SECRETS:
        assert text not in shown
    assert "3 people" in repr(store)


def test_closed_store_refuses_work(keyfile: Path) -> None:
    with KeyStore.open(keyfile, PASS) as store:
        assert store.person("SWU-P01") == METTE
    with pytest.raises(KeyStoreError, match="closed"):
        store.person("SWU-P01")
    with pytest.raises(KeyStoreError, match="closed"):
        _ = store.secret


def test_passphrase_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIA_KEYSTORE_PASSPHRASE", raising=False)
    assert passphrase_from_env() is None
    monkeypatch.setenv("AIA_KEYSTORE_PASSPHRASE", "")
    assert passphrase_from_env() is None
    monkeypatch.setenv("AIA_KEYSTORE_PASSPHRASE", " æøå med mellemrum ")
    assert passphrase_from_env() == " æøå med mellemrum "
    monkeypatch.setenv("MIT_LOESEN", "hemmeligt!")
    assert passphrase_from_env("MIT_LOESEN") == "hemmeligt!"


def test_default_kdf_is_strong() -> None:
    kdf = default_kdf()
    if isinstance(kdf, Argon2idParams):
        assert kdf.iterations >= 3 and kdf.memory_kib >= 64 * 1024 and kdf.lanes >= 1
    else:
        assert kdf.n >= 2**17 and kdf.r >= 8
    assert ScryptParams() == ScryptParams(n=2**17, r=8, p=1)


def test_scrypt_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "scrypt.aia"
    store = KeyStore.create(path, PASS, kdf=ScryptParams(n=2**12))
    store.set_person("SWU-P01", METTE)
    store.save()
    assert KeyStore.open(path, PASS).person("SWU-P01") == METTE


def test_default_path_is_beside_the_database(tmp_path: Path) -> None:
    assert default_path(tmp_path) == tmp_path / "keys.aia"

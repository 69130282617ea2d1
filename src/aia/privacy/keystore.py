"""The encrypted key store: who is behind each pseudonym, kept apart from the project database.

GDPR Art. 4(5) asks that the information which re-identifies a pseudonymised person is "kept separately" under
its own protection; Datatilsynet asks that the code key is kept encrypted and separate, also on laptops. The key
store is that code key: one file (``keys.aia`` by default, beside ``aia.sqlite``, but the lead may keep it on an
encrypted drive instead) holding

* the project's pseudonymisation secret (32 random bytes, the HMAC key of :mod:`aia.privacy.pseudonymise`),
* per participant (``SWU-P03``) the real names, aliases, e-mails, phones, CPR number and employer,
* per organisation (``ORG-02``) its names and aliases.

File layout (all integers big-endian)::

    magic "AIAKEYS\\0" (8) | format version (1) | KDF name length (1) | KDF name (ASCII) |
    KDF parameters (3 x uint32) | salt (16) | nonce (12) | AES-256-GCM ciphertext + 16-byte tag

The key is derived from the passphrase with Argon2id (scrypt where this ``cryptography`` lacks Argon2id); the
header is the GCM associated data, so changing any byte of it, or of the ciphertext, makes the file unreadable.
Salt and nonce are fresh on every save. The plaintext (JSON, padded to a multiple of 512 bytes so the file size
says little about how many people are in it) exists only in memory. See docs/keystore.md.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import secrets
import struct
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from aia.clock import now
from aia.errors import KeyStoreError, ValidationError
from aia.privacy.identities import OrganisationIdentity, PersonIdentity, org_key, person_key
from aia.privacy.kdf import KDFS, Argon2idParams, KdfParams, ScryptParams, argon2_available, default_kdf

__all__ = [
    "DEFAULT_FILENAME",
    "MIN_PASSPHRASE_LENGTH",
    "PASSPHRASE_ENV",
    "Argon2idParams",
    "KdfParams",
    "KeyStore",
    "KeyStoreError",
    "OrganisationIdentity",
    "PersonIdentity",
    "ScryptParams",
    "argon2_available",
    "default_kdf",
    "default_path",
    "passphrase_from_env",
]

DEFAULT_FILENAME = "keys.aia"
PASSPHRASE_ENV = "AIA_KEYSTORE_PASSPHRASE"
MIN_PASSPHRASE_LENGTH = 8
FORMAT_VERSION = 1
MAGIC = b"AIAKEYS\x00"
SALT_BYTES = 16
NONCE_BYTES = 12
SECRET_BYTES = 32
PAD_TO = 512
MAX_FILE_BYTES = 64 * 1024 * 1024


# --- the file ------------------------------------------------------------------------------------------------


def _passphrase_bytes(passphrase: str) -> bytes:
    if not isinstance(passphrase, str):
        raise KeyStoreError("the key store passphrase must be text.")
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _check_new_passphrase(passphrase: str) -> bytes:
    raw = _passphrase_bytes(passphrase)
    if len(unicodedata.normalize("NFC", passphrase)) < MIN_PASSPHRASE_LENGTH:
        raise KeyStoreError(
            f"the key store passphrase must have at least {MIN_PASSPHRASE_LENGTH} characters; choose a longer one."
        )
    return raw


def _header(kdf: KdfParams, salt: bytes, nonce: bytes) -> bytes:
    name = kdf.name.encode("ascii")
    return MAGIC + bytes([FORMAT_VERSION, len(name)]) + name + struct.pack(">III", *kdf.numbers()) + salt + nonce


class _Damaged(Exception):
    """Internal: the file cannot be read; turned into the one KeyStoreError message."""


def _parse_header(data: bytes) -> tuple[KdfParams, bytes, bytes, bytes]:
    """Split the file into (kdf, salt, nonce, header) or raise _Damaged; the ciphertext starts at len(header)."""
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 2:
        raise _Damaged
    pos = len(MAGIC)
    version, name_len = data[pos], data[pos + 1]
    if version > FORMAT_VERSION:
        raise KeyStoreError("the key store was written by a newer version of aia; upgrade aia to open it.")
    if version != FORMAT_VERSION:
        raise _Damaged
    pos += 2
    try:
        kdf_type = KDFS[data[pos : pos + name_len].decode("ascii")]
        pos += name_len
        kdf = kdf_type(*struct.unpack(">III", data[pos : pos + 12]))
        kdf.check()
    except (KeyError, UnicodeDecodeError, struct.error, ValueError) as exc:
        raise _Damaged from exc
    pos += 12
    salt, nonce = data[pos : pos + SALT_BYTES], data[pos + SALT_BYTES : pos + SALT_BYTES + NONCE_BYTES]
    pos += SALT_BYTES + NONCE_BYTES
    if len(data) < pos + 16:
        raise _Damaged
    return kdf, salt, nonce, data[:pos]


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not possible on every platform / file system
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def default_path(project_dir: str | os.PathLike[str]) -> Path:
    """Where the key store lives unless the lead chooses another place: ``keys.aia`` in the project directory."""
    return Path(project_dir) / DEFAULT_FILENAME


def passphrase_from_env(name: str = PASSPHRASE_ENV) -> str | None:
    """The passphrase from the environment variable ``name`` for scripts; None when it is unset or empty."""
    value = os.environ.get(name)
    return value or None


@dataclass(frozen=True)
class _Content:
    secret: bytes
    created_at: str
    updated_at: str
    people: dict[str, PersonIdentity]
    organisations: dict[str, OrganisationIdentity]


def _encode(content: _Content) -> bytes:
    doc = {
        "secret": base64.b64encode(content.secret).decode("ascii"),
        "created_at": content.created_at,
        "updated_at": content.updated_at,
        "people": {k: content.people[k].to_json() for k in sorted(content.people)},
        "organisations": {k: content.organisations[k].to_json() for k in sorted(content.organisations)},
    }
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return raw + b" " * (-len(raw) % PAD_TO)


def _decode(plain: bytes) -> _Content:
    try:
        doc = json.loads(plain.decode("utf-8"))
        secret = base64.b64decode(doc["secret"], validate=True)
        if len(secret) != SECRET_BYTES:
            raise ValueError("bad secret")
        people = {person_key(k): PersonIdentity.from_json(v) for k, v in doc["people"].items()}
        orgs = {org_key(k): OrganisationIdentity.from_json(v) for k, v in doc["organisations"].items()}
        return _Content(secret, str(doc["created_at"]), str(doc["updated_at"]), people, orgs)
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error, ValidationError) as exc:
        raise _Damaged from exc


class KeyStore:
    """An opened key store. Changes stay in memory until :meth:`save`; the file on disk is always encrypted.

    Not offered on purpose: rotating the pseudonymisation secret (every pseudonym is an HMAC under it, so a new
    secret would give every participant a new pseudonym and break the link to all coded material).
    """

    def __init__(self, path: Path, passphrase: bytes, kdf: KdfParams, content: _Content, digest: bytes) -> None:
        self._path = path
        self._passphrase: bytes | None = passphrase
        self._kdf = kdf
        self._secret = content.secret
        self._created_at = content.created_at
        self._updated_at = content.updated_at
        self._people = dict(content.people)
        self._orgs = dict(content.organisations)
        self._digest = digest  # sha256 of the file as last read or written, to notice a second writer
        self._modified = False

    # -- opening ----------------------------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | os.PathLike[str], passphrase: str, *, kdf: KdfParams | None = None) -> KeyStore:
        """Make a new key store with a fresh random secret and write it; refuses to overwrite any existing file."""
        target = Path(path)
        raw = _check_new_passphrase(passphrase)
        kdf = kdf or default_kdf()
        kdf.check()
        if target.exists() or target.is_symlink():
            raise KeyStoreError(f"{target} exists already; open it, or choose another path for a new key store.")
        if not target.parent.is_dir():
            raise KeyStoreError(f"cannot create the key store: the directory {target.parent} does not exist.")
        stamp = now()
        content = _Content(secrets.token_bytes(SECRET_BYTES), stamp, stamp, {}, {})
        store = cls(target, raw, kdf, content, b"")
        store._write(exclusive=True)
        return store

    @classmethod
    def open(cls, path: str | os.PathLike[str], passphrase: str) -> KeyStore:
        """Decrypt the key store at ``path``. A wrong passphrase and a damaged file give the same error."""
        target = Path(path)
        try:
            if target.stat().st_size > MAX_FILE_BYTES:
                raise _Damaged
            data = target.read_bytes()
        except FileNotFoundError:
            raise KeyStoreError(f"there is no key store at {target}; check the path or create one.") from None
        except _Damaged:
            raise cls._damaged(target) from None
        except OSError as exc:
            raise KeyStoreError(f"cannot read the key store {target}: {exc.strerror or exc}.") from None
        raw = _passphrase_bytes(passphrase)
        try:
            kdf, salt, nonce, header = _parse_header(data)
            key = kdf.derive(raw, salt)
            plain = AESGCM(key).decrypt(nonce, data[len(header) :], header)
            content = _decode(plain)
        except (_Damaged, InvalidTag, ValueError):
            raise cls._damaged(target) from None
        return cls(target, raw, kdf, content, hashlib.sha256(data).digest())

    @staticmethod
    def _damaged(path: Path) -> KeyStoreError:
        return KeyStoreError(f"cannot open the key store {path}: wrong passphrase or damaged file.")

    # -- saving -----------------------------------------------------------------------------------------------

    def save(self) -> None:
        """Encrypt with a fresh salt and nonce and replace the file atomically (temp file, fsync, rename; 0600).

        Refuses when someone else changed the file since it was opened here, so no update is silently lost.
        """
        self._live()
        try:
            current = hashlib.sha256(self._path.read_bytes()).digest()
        except FileNotFoundError:
            current = b""
        except OSError as exc:
            raise KeyStoreError(f"cannot read the key store {self._path}: {exc.strerror or exc}.") from None
        if current != self._digest:
            raise KeyStoreError(
                f"the key store {self._path} was changed or removed by someone else since it was opened here; "
                "open it again and redo the change."
            )
        self._updated_at = now()
        self._write(exclusive=False)
        self._modified = False

    def _write(self, *, exclusive: bool) -> None:
        assert self._passphrase is not None
        salt, nonce = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(NONCE_BYTES)
        header = _header(self._kdf, salt, nonce)
        key = self._kdf.derive(self._passphrase, salt)
        content = _Content(self._secret, self._created_at, self._updated_at, self._people, self._orgs)
        data = header + AESGCM(key).encrypt(nonce, _encode(content), header)
        directory = self._path.parent
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{self._path.name}.", suffix=".tmp", dir=directory)
        except OSError as exc:
            raise KeyStoreError(f"cannot write the key store in {directory}: {exc.strerror or exc}.") from None
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as handle:
                with contextlib.suppress(OSError):  # e.g. file systems without POSIX modes
                    os.fchmod(handle.fileno(), 0o600)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if exclusive:
                self._link_new(tmp)
            else:
                os.replace(tmp, self._path)
        except KeyStoreError:
            raise
        except OSError as exc:
            raise KeyStoreError(f"cannot write the key store {self._path}: {exc.strerror or exc}.") from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        _fsync_dir(directory)
        self._digest = hashlib.sha256(data).digest()

    def _link_new(self, tmp: Path) -> None:
        """Put the new file in place only if nothing is there (hard link is atomic; rename where links fail)."""
        try:
            os.link(tmp, self._path)
        except FileExistsError:
            raise KeyStoreError(
                f"{self._path} exists already; open it, or choose another path for a new key store."
            ) from None
        except OSError:
            if self._path.exists():
                raise KeyStoreError(f"{self._path} exists already; choose another path.") from None
            os.replace(tmp, self._path)

    def change_passphrase(self, new_passphrase: str, *, kdf: KdfParams | None = None) -> None:
        """Re-encrypt under a new passphrase (new salt; optionally new KDF parameters) and save at once."""
        self._live()
        raw = _check_new_passphrase(new_passphrase)
        if kdf is not None:
            kdf.check()
        old = (self._passphrase, self._kdf)
        self._passphrase, self._kdf = raw, kdf or self._kdf
        try:
            self.save()
        except BaseException:
            self._passphrase, self._kdf = old
            raise

    def close(self) -> None:
        """Drop the decrypted content from this object (best effort: Python cannot wipe memory)."""
        self._passphrase = None
        self._secret = b""
        self._people.clear()
        self._orgs.clear()

    def __enter__(self) -> KeyStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _live(self) -> None:
        if self._passphrase is None:
            raise KeyStoreError("the key store has been closed; open it again.")

    def __repr__(self) -> str:
        return f"KeyStore({str(self._path)!r}, {len(self._people)} people, {len(self._orgs)} organisations)"

    # -- reading and changing ---------------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self._path

    @property
    def kdf(self) -> KdfParams:
        return self._kdf

    @property
    def secret(self) -> bytes:
        """The 32-byte pseudonymisation secret (HMAC key). Fixed for the life of the project."""
        self._live()
        return self._secret

    @property
    def created_at(self) -> str:
        return self._created_at

    @property
    def updated_at(self) -> str:
        return self._updated_at

    @property
    def modified(self) -> bool:
        """True when there are changes not yet saved."""
        return self._modified

    def set_person(self, pseudonym: str, identity: PersonIdentity) -> None:
        self._live()
        if not isinstance(identity, PersonIdentity):
            raise ValidationError("set_person needs a PersonIdentity")
        self._people[person_key(pseudonym)] = identity
        self._modified = True

    def person(self, pseudonym: str) -> PersonIdentity | None:
        """The identity behind ``pseudonym``, or None when none is recorded."""
        self._live()
        return self._people.get(person_key(pseudonym))

    def people(self) -> dict[str, PersonIdentity]:
        """All recorded identities by pseudonym, sorted (a copy)."""
        self._live()
        return {k: self._people[k] for k in sorted(self._people)}

    def remove_person(self, pseudonym: str) -> bool:
        """Forget a participant (erasure); gone from the file after :meth:`save`. False if there was nothing."""
        self._live()
        removed = self._people.pop(person_key(pseudonym), None) is not None
        self._modified = self._modified or removed
        return removed

    def set_organisation(self, code: str, identity: OrganisationIdentity) -> None:
        self._live()
        if not isinstance(identity, OrganisationIdentity):
            raise ValidationError("set_organisation needs an OrganisationIdentity")
        self._orgs[org_key(code)] = identity
        self._modified = True

    def organisation(self, code: str) -> OrganisationIdentity | None:
        self._live()
        return self._orgs.get(org_key(code))

    def organisations(self) -> dict[str, OrganisationIdentity]:
        self._live()
        return {k: self._orgs[k] for k in sorted(self._orgs)}

    def remove_organisation(self, code: str) -> bool:
        self._live()
        removed = self._orgs.pop(org_key(code), None) is not None
        self._modified = self._modified or removed
        return removed

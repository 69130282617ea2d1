"""Backup and restore: one archive with a consistent copy of the database and the originals, optionally encrypted.

The database is copied with SQLite's online backup API (one step: a consistent snapshot while others keep working),
then the originals that snapshot refers to are added. The archive is a tar file with ``manifest.json`` (SHA-256 of
every member), ``aia.sqlite`` and ``files/…``; ``keys.aia`` only with ``include_keys``. Encrypted archives:

    magic "AIABAK1\\0" | KDF name length (1) | KDF name | KDF parameters (3 x uint32) | salt (16) | nonce prefix (8) |
    chunks: AES-256-GCM(1 MiB of the tar), nonce = prefix + chunk number (uint32), associated data = header +
    chunk number (uint64) + last-chunk flag (1 byte)

The key comes from the passphrase through the key store's KDF (:mod:`aia.privacy.kdf`). A changed, reordered,
truncated or extended archive fails to decrypt and is refused.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import struct
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from aia.clock import now
from aia.errors import ProjectError, ValidationError
from aia.privacy.kdf import KDFS, KdfParams, default_kdf
from aia.privacy.keystore import DEFAULT_FILENAME
from aia.services.audit import AuditService

MAGIC = b"AIABAK1\x00"
CHUNK = 1 << 20
SALT_BYTES = 16
PREFIX_BYTES = 8
DB_NAME = "aia.sqlite"
PASSPHRASE_ENV = "AIA_BACKUP_PASSPHRASE"
MIN_PASSPHRASE = 8


class BackupError(ProjectError):
    """A backup archive that cannot be restored: wrong passphrase, changed, or not an aia backup."""


def _header(kdf: KdfParams, salt: bytes, prefix: bytes) -> bytes:
    name = kdf.name.encode("ascii")
    return MAGIC + bytes([len(name)]) + name + struct.pack(">III", *kdf.numbers()) + salt + prefix


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">QB", index, 1 if last else 0)


def encrypt_stream(src: IO[bytes], dst: IO[bytes], passphrase: str, kdf: KdfParams | None = None) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError(f"the backup passphrase must have at least {MIN_PASSPHRASE} characters")
    kdf = kdf or default_kdf()
    salt, prefix = secrets.token_bytes(SALT_BYTES), secrets.token_bytes(PREFIX_BYTES)
    header = _header(kdf, salt, prefix)
    aes = AESGCM(kdf.derive(passphrase.encode("utf-8"), salt))
    dst.write(header)
    index = 0
    chunk = src.read(CHUNK)
    while True:
        following = src.read(CHUNK)
        last = not following
        nonce = prefix + struct.pack(">I", index)
        dst.write(aes.encrypt(nonce, chunk, _aad(header, index, last)))
        if last:
            break
        chunk, index = following, index + 1


def decrypt_stream(src: IO[bytes], dst: IO[bytes], passphrase: str, what: str) -> None:
    damaged = BackupError(f"cannot restore {what}: wrong passphrase, or the archive was changed or truncated")
    start = src.read(len(MAGIC) + 1)
    if start[: len(MAGIC)] != MAGIC or len(start) != len(MAGIC) + 1:
        raise damaged
    name = src.read(start[-1])
    try:
        kdf = KDFS[name.decode("ascii")](*struct.unpack(">III", src.read(12)))
        kdf.check()
    except (KeyError, UnicodeDecodeError, struct.error, ValueError):
        raise damaged from None
    salt, prefix = src.read(SALT_BYTES), src.read(PREFIX_BYTES)
    header = _header(kdf, salt, prefix)
    aes = AESGCM(kdf.derive(passphrase.encode("utf-8"), salt))
    index = 0
    chunk = src.read(CHUNK + 16)
    while True:
        following = src.read(CHUNK + 16)
        last = not following
        nonce = prefix + struct.pack(">I", index)
        try:
            dst.write(aes.decrypt(nonce, chunk, _aad(header, index, last)))
        except InvalidTag:
            raise damaged from None
        if last:
            return
        chunk, index = following, index + 1


def _snapshot(db_path: Path, target: Path) -> None:
    source = sqlite3.connect(db_path)
    dest = sqlite3.connect(target)
    try:
        source.execute("PRAGMA busy_timeout = 10000")
        source.backup(dest)  # pages=-1: the whole database in one step, a consistent snapshot
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()
        source.close()


def _file_shas(db_file: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        return [str(r[0]) for r in conn.execute("SELECT sha256 FROM files ORDER BY sha256")]
    finally:
        conn.close()


def _sha_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


class BackupService(AuditService):
    def backup(
        self,
        out: str | Path,
        passphrase: str | None = None,
        include_keys: bool = False,
        kdf: KdfParams | None = None,
    ) -> dict[str, Any]:
        """Write a backup archive of the project to ``out`` (temp file + rename); returns its summary."""
        target = Path(out)
        if target.exists():
            raise ValidationError(f"{target} exists already; choose a new file name for the backup")
        if not target.parent.is_dir():
            raise ValidationError(f"the directory {target.parent} does not exist; create it first")
        if include_keys and not self.has_keystore():
            raise ValidationError("the project has no key store to include; leave out --include-keys")
        with tempfile.TemporaryDirectory(prefix="aia-backup-") as tmp_name:
            tmp = Path(tmp_name)
            db_copy = tmp / DB_NAME
            _snapshot(self.path / DB_NAME, db_copy)
            members: list[tuple[str, Path]] = [(DB_NAME, db_copy)]
            missing = 0
            for sha in _file_shas(db_copy):
                path = self.file_path(sha)
                if path.is_file():
                    members.append((f"files/{sha[:2]}/{sha}", path))
                else:
                    missing += 1
            if include_keys:
                members.append((DEFAULT_FILENAME, self.keystore_path))
            manifest = {
                "format": "aia-backup-1",
                "created_at": now(),
                "created_by": self.user,
                "members": {name: _sha_file(path) for name, path in members},
            }
            tar_path = tmp / "backup.tar"
            with tarfile.open(tar_path, "w") as tar:
                data = json.dumps(manifest, indent=1).encode("utf-8")
                info = tarfile.TarInfo("manifest.json")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                for name, path in members:
                    tar.add(path, arcname=name, recursive=False)
            partial = target.with_name(f".{target.name}.tmp-{os.getpid()}")
            try:
                with tar_path.open("rb") as src, partial.open("wb") as dst:
                    if passphrase is None:
                        for block in iter(lambda: src.read(CHUNK), b""):
                            dst.write(block)
                    else:
                        encrypt_stream(src, dst, passphrase, kdf)
                    dst.flush()
                    os.fsync(dst.fileno())
                os.replace(partial, target)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        summary = {
            "files": len(members) - 1 - int(include_keys),
            "missing_files": missing,
            "encrypted": passphrase is not None,
            "includes_keys": include_keys,
        }
        self.register_export("backup", target.resolve(), summary)
        return summary


def _members(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    for member in tar:
        name = member.name
        ok_name = name in ("manifest.json", DB_NAME, DEFAULT_FILENAME) or (
            name.startswith("files/") and len(name.split("/")) == 3 and "." not in name and ".." not in name
        )
        if not member.isfile() or not ok_name:
            raise BackupError(f"the backup holds an unexpected entry {name!r}; it is not an aia backup")
        yield member


def restore_backup(archive: str | Path, directory: str | Path, passphrase: str | None = None) -> Path:
    """Restore a backup archive into a new (or empty) directory; checks every member against the manifest."""
    source, root = Path(archive), Path(directory)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ValidationError(f"{root} exists and is not empty; restore into a new directory")
    with source.open("rb") as fh:
        encrypted = fh.read(len(MAGIC)) == MAGIC
    with tempfile.TemporaryDirectory(prefix="aia-restore-") as tmp_name:
        tar_path = source
        if encrypted:
            if passphrase is None:
                raise ValidationError(f"{source} is encrypted; give its passphrase ({PASSPHRASE_ENV})")
            tar_path = Path(tmp_name) / "backup.tar"
            with source.open("rb") as src, tar_path.open("wb") as dst:
                decrypt_stream(src, dst, passphrase, str(source))
        staging = Path(tmp_name) / "project"
        staging.mkdir()
        try:
            with tarfile.open(tar_path, "r:") as tar:
                names: dict[str, str] = {}
                for member in _members(tar):
                    handle = tar.extractfile(member)
                    assert handle is not None
                    dest = staging / member.name
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    with dest.open("wb") as out:
                        shutil.copyfileobj(handle, out, CHUNK)
                    names[member.name] = str(dest)
        except tarfile.TarError as exc:
            raise BackupError(f"cannot restore {source}: it is not a readable aia backup ({exc})") from None
        try:
            manifest = json.loads((staging / "manifest.json").read_text("utf-8"))
            expected: dict[str, str] = dict(manifest["members"])
        except (OSError, ValueError, KeyError, TypeError):
            raise BackupError(f"cannot restore {source}: its manifest is missing or damaged") from None
        present = set(names) - {"manifest.json"}
        if present != set(expected) or DB_NAME not in present:
            raise BackupError(f"cannot restore {source}: its members do not match its manifest")
        for name, digest in expected.items():
            if _sha_file(staging / name) != digest:
                raise BackupError(f"cannot restore {source}: {name} does not match its checksum (changed)")
        check = sqlite3.connect(staging / DB_NAME)
        try:
            result = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
        if result != "ok":
            raise BackupError(f"cannot restore {source}: its database fails the integrity check ({result})")
        (staging / "files").mkdir(exist_ok=True)
        root.mkdir(parents=True, exist_ok=True)
        for item in staging.iterdir():
            shutil.move(str(item), str(root / item.name))
    (root / "manifest.json").unlink(missing_ok=True)
    return root

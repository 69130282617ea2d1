"""Encryption of what the project keeps besides its database: originals of imported files and the original values
of pseudonymised identifiers (for the review step).

Keys are derived from the key store's secret with HKDF-SHA256 (one ``info`` label per purpose), so everything
encrypted here can be read only while the key store is open, and a copy of the project without ``keys.aia`` holds
ciphertext only. AES-256-GCM with a fresh 12-byte nonce per item; the caller's ``aad`` (e.g. the file's SHA-256)
binds a ciphertext to its place, so blobs cannot be swapped unnoticed.

Blob layout: ``MAGIC`` (8 bytes) + nonce (12) + ciphertext with tag.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from aia.errors import KeyStoreError

MAGIC = b"AIAENC1\x00"
NONCE_BYTES = 12

ORIGINALS = b"aia originals v1"
REVIEW_VALUES = b"aia review values v1"


def derive_key(secret: bytes, purpose: bytes) -> bytes:
    """A 32-byte key for one purpose, derived from the key store's secret."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


def is_encrypted(blob: bytes) -> bool:
    return blob[: len(MAGIC)] == MAGIC


def encrypt(data: bytes, key: bytes, aad: bytes = b"") -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, data, aad)


def decrypt(blob: bytes, key: bytes, aad: bytes = b"", what: str = "the encrypted data") -> bytes:
    """The plaintext, or :class:`KeyStoreError` if ``blob`` was not made with ``key`` (and ``aad``) or was changed."""
    if not is_encrypted(blob) or len(blob) < len(MAGIC) + NONCE_BYTES + 16:
        raise KeyStoreError(f"{what} is not an aia-encrypted blob; it may be damaged")
    nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES :], aad)
    except InvalidTag:
        raise KeyStoreError(
            f"{what} cannot be decrypted with this project's key store: it was changed, or belongs to another key store"
        ) from None

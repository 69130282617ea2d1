"""Key derivation for the key store: Argon2id (RFC 9106), or scrypt where ``cryptography`` lacks Argon2id."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import ClassVar

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from aia.errors import KeyStoreError

try:  # Argon2id arrived in cryptography 44; the project requires >= 42.
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id as _Argon2id

    _ARGON2_IMPORTED = True
except ImportError:  # pragma: no cover - depends on the installed cryptography
    _ARGON2_IMPORTED = False


@dataclass(frozen=True)
class Argon2idParams:
    """Argon2id (RFC 9106). The default is the RFC's second recommended option: t=3, p=4, m=64 MiB."""

    name: ClassVar[str] = "argon2id"
    iterations: int = 3
    lanes: int = 4
    memory_kib: int = 64 * 1024

    def numbers(self) -> tuple[int, int, int]:
        return (self.iterations, self.lanes, self.memory_kib)

    def check(self) -> None:
        # Upper bounds keep a tampered header from asking for gigabytes or hours before the tag is checked.
        if not (1 <= self.iterations <= 64 and 1 <= self.lanes <= 64 and 8 * self.lanes <= self.memory_kib <= 2**20):
            raise ValueError("Argon2id parameters out of range")

    def derive(self, passphrase: bytes, salt: bytes) -> bytes:
        if not argon2_available():
            raise KeyStoreError(
                "this key store uses Argon2id, which the installed 'cryptography' cannot compute; "
                "upgrade it to version 44 or later."
            )
        kdf = _Argon2id(salt=salt, length=32, iterations=self.iterations, lanes=self.lanes, memory_cost=self.memory_kib)
        return kdf.derive(passphrase)


@dataclass(frozen=True)
class ScryptParams:
    """scrypt (RFC 7914). The default n=2**17, r=8, p=1 uses 128 MiB and matches OWASP's recommendation."""

    name: ClassVar[str] = "scrypt"
    n: int = 2**17
    r: int = 8
    p: int = 1

    def numbers(self) -> tuple[int, int, int]:
        return (self.n, self.r, self.p)

    def check(self) -> None:
        power_of_two = self.n >= 2 and self.n & (self.n - 1) == 0
        if not (power_of_two and self.n <= 2**20 and 1 <= self.r <= 32 and 1 <= self.p <= 16):
            raise ValueError("scrypt parameters out of range")
        if 128 * self.n * self.r > 2**30:
            raise ValueError("scrypt parameters need too much memory")

    def derive(self, passphrase: bytes, salt: bytes) -> bytes:
        return Scrypt(salt=salt, length=32, n=self.n, r=self.r, p=self.p).derive(passphrase)


KdfParams = Argon2idParams | ScryptParams
KDFS: dict[str, type[Argon2idParams] | type[ScryptParams]] = {"argon2id": Argon2idParams, "scrypt": ScryptParams}


@cache
def argon2_available() -> bool:
    """Whether the installed ``cryptography`` (and the OpenSSL it was built with) can compute Argon2id."""
    if not _ARGON2_IMPORTED:
        return False  # pragma: no cover
    try:
        _Argon2id(salt=b"\x00" * 16, length=32, iterations=1, lanes=1, memory_cost=8).derive(b"probe")
    except Exception:  # pragma: no cover - UnsupportedAlgorithm on builds without it
        return False
    return True


def default_kdf() -> KdfParams:
    """Argon2id with strong parameters where available, otherwise strong scrypt."""
    return Argon2idParams() if argon2_available() else ScryptParams()

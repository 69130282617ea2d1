"""Who is behind a pseudonym: the identities the key store holds, cleaned and validated."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from aia.errors import ValidationError

_PERSON_RE = re.compile(r"^[A-Z][A-Z0-9]{1,7}-P\d{2,6}$")
_ORG_RE = re.compile(r"^ORG-\d{2,6}$")


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"expected text in the key store, got {type(value).__name__}")
    text = unicodedata.normalize("NFC", value).strip()
    return text or None


def _clean_all(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        text = _clean(value)
        if text is not None and text not in out:
            out.append(text)
    return tuple(out)


def _clean_cpr(value: str | None) -> str | None:
    text = _clean(value)
    if text is None:
        return None
    digits = re.sub(r"[\s-]", "", text)
    # No modulus-11 check: CPR numbers without a valid check digit have been issued since 2007.
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError("a CPR number must be 10 digits (DDMMYY-nnnn)")
    return f"{digits[:6]}-{digits[6:]}"


@dataclass(frozen=True, repr=False)
class PersonIdentity:
    """Who a participant really is. Text is stored NFC-normalised and stripped; empty values are dropped.

    Lists may be given as lists or tuples; they are kept as tuples without duplicates. The repr hides the content
    so that an identity never ends up in a log or a traceback by accident.
    """

    full_names: tuple[str, ...] = ()
    first_name: str | None = None
    surname: str | None = None
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    cpr: str | None = None
    employer: str | None = None

    _LISTS: ClassVar[tuple[str, ...]] = ("full_names", "aliases", "emails", "phones")
    _TEXTS: ClassVar[tuple[str, ...]] = ("first_name", "surname", "employer")

    def __post_init__(self) -> None:
        for name in self._LISTS:
            object.__setattr__(self, name, _clean_all(getattr(self, name)))
        for name in self._TEXTS:
            object.__setattr__(self, name, _clean(getattr(self, name)))
        object.__setattr__(self, "cpr", _clean_cpr(self.cpr))

    def __repr__(self) -> str:
        return f"PersonIdentity(<{len(self.identifiers())} identifying values hidden>)"

    def identifiers(self) -> tuple[str, ...]:
        """Every string that points at this person (for the pseudonymiser's search), CPR with and without dash."""
        values: list[str] = [*self.full_names, *self.aliases, *self.emails, *self.phones]
        values += [v for v in (self.first_name, self.surname, self.cpr) if v]
        if self.cpr:
            values.append(self.cpr.replace("-", ""))
        return tuple(dict.fromkeys(values))

    def to_json(self) -> dict[str, Any]:
        """Only the fields that have a value: the file holds nothing that is not needed."""
        out: dict[str, Any] = {}
        for name in (*self._LISTS, *self._TEXTS, "cpr"):
            value = getattr(self, name)
            if value:
                out[name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PersonIdentity:
        known = {*cls._LISTS, *cls._TEXTS, "cpr"}
        if not isinstance(data, dict) or not set(data) <= known:
            raise ValueError("unexpected person record")
        lists = {k: tuple(data.get(k, [])) for k in cls._LISTS}
        if not all(isinstance(data.get(k, []), list) for k in cls._LISTS):
            raise ValueError("unexpected person record")
        return cls(
            **lists,
            first_name=data.get("first_name"),
            surname=data.get("surname"),
            cpr=data.get("cpr"),
            employer=data.get("employer"),
        )


@dataclass(frozen=True, repr=False)
class OrganisationIdentity:
    """The real names of an organisation (``ORG-02``) and what people call it."""

    names: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", _clean_all(self.names))
        object.__setattr__(self, "aliases", _clean_all(self.aliases))

    def __repr__(self) -> str:
        return f"OrganisationIdentity(<{len(self.identifiers())} identifying values hidden>)"

    def identifiers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.names, *self.aliases]))

    def to_json(self) -> dict[str, Any]:
        return {k: list(v) for k, v in (("names", self.names), ("aliases", self.aliases)) if v}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrganisationIdentity:
        if not isinstance(data, dict) or not set(data) <= {"names", "aliases"}:
            raise ValueError("unexpected organisation record")
        return cls(names=tuple(data.get("names", ())), aliases=tuple(data.get("aliases", ())))


def person_key(pseudonym: str) -> str:
    key = pseudonym.strip().upper() if isinstance(pseudonym, str) else ""
    if not _PERSON_RE.match(key):
        raise ValidationError(f"{pseudonym!r} is not a participant pseudonym such as SWU-P03")
    return key


def org_key(code: str) -> str:
    key = code.strip().upper() if isinstance(code, str) else ""
    if not _ORG_RE.match(key):
        raise ValidationError(f"{code!r} is not an organisation code such as ORG-02")
    return key

"""Stable GUIDs for REFI-QDA elements that have no stored GUID of their own, and XML-safe values.

Everything stored in aia (tracks, sources, codes, codings, memos, participants, organisations) keeps its own
uuid4 ``guid``; the elements REFI-QDA needs beyond those are given name-based uuid5 GUIDs derived from a stored
GUID or from a fixed namespace, so exporting the same project twice gives the same GUIDs.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

#: the fixed namespace of aia's REFI-QDA GUIDs (never change it: GUIDs of users and variables depend on it)
AIA_NAMESPACE = uuid.UUID("5b0f3c9e-7a61-4f3e-9d2a-a1a0e5c0de01")

_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def user_guid(name: str) -> str:
    """The GUID of a user (coder, memo author, code creator, importer), from the name."""
    return str(uuid.uuid5(AIA_NAMESPACE, f"user:{name}"))


def variable_guid(name: str) -> str:
    return str(uuid.uuid5(AIA_NAMESPACE, f"variable:{name}"))


def derived(guid: str, label: str) -> str:
    """A GUID derived from a stored GUID (``derived(track.guid, "wp2")``, ``derived(coding.guid, "selection")``)."""
    return str(uuid.uuid5(uuid.UUID(guid), label))


def selection_guid(coding_guid: str) -> str:
    return derived(coding_guid, "selection")


def wp_set_guid(track_guid: str, number: int) -> str:
    return derived(track_guid, f"wp{number}")


def representation_guid(source_guid: str) -> str:
    """The GUID of a PDF source's text representation."""
    return derived(source_guid, "representation")


def xml_text(value: object) -> str:
    """``value`` as a string XML 1.0 can hold (control characters and lone surrogates removed)."""
    return _INVALID_XML.sub("", str(value))


def xml_datetime(value: str | None) -> str | None:
    """A stored ISO 8601 time stamp as xsd:dateTime, or None when it is not a full date and time."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if "T" not in value and " " not in value:
        return None
    return parsed.isoformat()


def xml_color(value: str | None) -> str | None:
    return value.lower() if value and _COLOR.match(value) else None

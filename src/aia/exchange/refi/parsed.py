"""What a REFI-QDA file holds, as plain dataclasses (GUIDs normalised, positions as read, in the file's unit)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PCode:
    guid: str
    name: str
    parent: str | None
    codable: bool
    color: str | None
    description: str
    notes: list[str] = field(default_factory=list)


@dataclass
class PCoding:
    guid: str
    code: str
    user: str | None
    created: str | None
    notes: list[str] = field(default_factory=list)


@dataclass
class PSelection:
    guid: str
    start: int
    end: int
    description: str
    codings: list[PCoding]
    notes: list[str] = field(default_factory=list)


@dataclass
class PSource:
    guid: str
    name: str
    kind: str  # "text" | "pdf"
    #: the text as read (BOM removed, line ends as in the file); positions refer to it
    text: str
    had_bom: bool
    description: str
    selections: list[PSelection]
    #: codings directly on the source (the whole text)
    codings: list[PCoding]
    notes: list[str]
    user: str | None
    created: str | None
    #: the bytes kept as the original (the .txt as in the file, or the PDF)
    original: bytes
    original_name: str
    variables: dict[str, str] = field(default_factory=dict)


@dataclass
class PNote:
    guid: str
    name: str
    text: str
    description: str
    user: str | None
    created: str | None
    modified: str | None


@dataclass
class PSet:
    guid: str
    name: str
    description: str
    sources: list[str]
    notes: list[str]
    codes: list[str]


@dataclass
class PCase:
    guid: str
    name: str
    description: str
    #: variable name -> (type, value text)
    values: dict[str, tuple[str, str]]
    sources: list[str]


@dataclass
class ParsedProject:
    name: str
    origin: str
    users: dict[str, str]
    codes: list[PCode]  # parents before children
    sources: list[PSource]
    notes: list[PNote]
    sets: list[PSet]
    cases: list[PCase]
    project_notes: list[str]
    description: str
    warnings: list[str] = field(default_factory=list)

    @property
    def from_aia(self) -> bool:
        return self.origin.startswith("aia ")


@dataclass
class ParsedCodebook:
    origin: str
    codes: list[PCode]
    warnings: list[str] = field(default_factory=list)

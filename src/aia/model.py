"""Domain objects as AiA is organised: forløb (tracks) → five work packages → activities → sources → segments.

These are plain, frozen dataclasses returned by the service layer; the store maps rows onto them.
Offsets are Unicode code points, end exclusive, on ``Source.text``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class WorkPackagePreset:
    number: int
    name: str
    method: str
    description: str


#: The five work packages that every AiA-forløb has (created automatically with each track).
WORK_PACKAGES: tuple[WorkPackagePreset, ...] = (
    WorkPackagePreset(
        1,
        "Aktionsforløb i virksomheder",
        "Aktionsforskning i AI-Eksploratoriet: prober, provotyper, prompt hacking og jailbreaking",
        "Eksperimenterende aktionsforløb med virksomheder, hvor forskere og medarbejdere skaber friktion med "
        "AI-værktøjer og reflekterer over den. Data: logs fra sessioner med AI-værktøjer, refleksioner og "
        "observationsnoter.",
    ),
    WorkPackagePreset(
        2,
        "Interviews med AI-champions",
        "Critical Incident Technique (Flanagan 1954; Chell 1998)",
        "Interviews med frontløbere om kritiske hændelser: en situation, hvad personen gjorde, og udfaldet, "
        "der gjorde AI værdifuld (eller ikke) i deres faglige praksis.",
    ),
    WorkPackagePreset(
        3,
        "Workshops",
        "Faciliterede workshops med deltagerobservation",
        "Workshops med praktikere: noter, fotos af post-its og tavler, gruppeprodukter, optagelser og "
        "transskriptioner.",
    ),
    WorkPackagePreset(
        4,
        "Netnografi",
        "Netnografi (Kozinets) i online fællesskaber",
        "Hvordan fagfolk deler erfaringer med generativ AI på GitHub, Reddit, Stack Exchange, Hacker News og "
        "fora: tråde af indlæg og kommentarer analyseret for mønstre og kritiske hændelser.",
    ),
    WorkPackagePreset(
        5,
        "Etnografi",
        "Langvarigt etnografisk feltarbejde med et praksisperspektiv",
        "Daterede feltnoter, der følger fagfolk over tid for at se, hvordan AI bliver en del af hverdagens "
        "arbejde (at 'blive' AI-bruger, efter Howard Becker).",
    ),
)


class ActivityKind(enum.StrEnum):
    INTERVIEW = "interview"
    WORKSHOP = "workshop"
    FIELD_VISIT = "field_visit"
    PROBE_SESSION = "probe_session"
    NETNOGRAPHY_QUERY = "netnography_query"
    OTHER = "other"


class SegmentKind(enum.StrEnum):
    PARAGRAPH = "paragraph"
    HEADING = "heading"
    TURN = "turn"  # a speaker turn in a transcript
    CUE = "cue"  # a subtitle cue without a speaker
    POST = "post"
    COMMENT = "comment"
    CHAT_TURN = "chat_turn"
    PAGE = "page"


@dataclass(frozen=True)
class Track:
    id: int
    guid: str
    name: str
    prefix: str
    description: str
    created_at: str


@dataclass(frozen=True)
class WorkPackage:
    id: int
    track_id: int
    number: int
    name: str
    method: str
    description: str

    @property
    def label(self) -> str:
        return f"WP{self.number} {self.name}"


@dataclass(frozen=True)
class Activity:
    id: int
    wp_id: int
    kind: str
    title: str
    date: str | None
    place: str | None
    researchers: list[str]
    notes: str
    created_at: str


@dataclass(frozen=True)
class Organisation:
    id: int
    guid: str
    code: str
    name: str
    sector: str | None
    size: str | None
    attributes: dict[str, Any]


@dataclass(frozen=True)
class Participant:
    id: int
    guid: str
    track_id: int
    pseudonym: str
    role: str | None
    job_function: str | None
    organisation_id: int | None
    attributes: dict[str, Any]
    created_at: str


@dataclass(frozen=True)
class Source:
    id: int
    guid: str
    wp_id: int
    activity_id: int | None
    title: str
    date: str | None
    language: str | None
    importer: str
    original_filename: str
    sha256: str
    size: int
    metadata: dict[str, Any]
    created_at: str
    imported_by: str
    text: str = field(repr=False, default="")


@dataclass(frozen=True)
class Segment:
    id: int
    source_id: int
    ordinal: int
    kind: str
    start: int
    end: int
    speaker: str | None
    participant_id: int | None
    start_ms: int | None
    end_ms: int | None
    author: str | None
    parent_ordinal: int | None
    meta: dict[str, Any]


@dataclass(frozen=True)
class Code:
    id: int
    guid: str
    parent_id: int | None
    name: str
    description: str
    color: str
    created_by: str
    created_at: str


@dataclass(frozen=True)
class Coding:
    id: int
    guid: str
    source_id: int
    code_id: int
    start: int
    end: int
    coder: str
    created_at: str
    comment: str | None


@dataclass(frozen=True)
class Memo:
    id: int
    guid: str
    title: str
    body: str
    author: str
    target_type: str
    target_id: int | None
    created_at: str
    updated_at: str


MEMO_TARGETS = ("project", "track", "activity", "source", "code", "coding", "participant")


@dataclass
class NewSource:
    """A source ready to be stored (``aia.store.sources.insert_sources``): its row values, its segment rows (with
    ``stem``/``plain``), participants. Here rather than in the store so that code building sources in a worker
    process need not import the database layer."""

    values: dict[str, Any]
    segment_rows: list[dict[str, Any]]
    participant_ids: list[int] = field(default_factory=list)

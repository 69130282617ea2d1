"""WebVTT and SRT: every shared fixture either imports correctly or fails with a line number."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_helpers import Checker, segment_texts

from aia.errors import ImportFailed, UnsupportedFormat
from aia.ingest import srt, vtt
from aia.ingest.base import parse_file

PY = "webvtt_py_fixtures"
VOICE = "webvtt_voice"


def load(transcripts: Path, folder: str, name: str) -> bytes:
    return (transcripts / folder / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "count", "first", "last"),
    [
        ("sample.vtt", 16, (500, 7000, "Caption text #1"), (61350, 64300, "Caption text #16")),
        ("captions_with_bom.vtt", 4, (500, 7000, "Caption text #1"), (16320, 21580, "Caption text #4")),
        ("using_identifiers.vtt", 6, (500, 7000, "Caption text #1"), (23880, 27280, "Caption text #6")),
        ("metadata_headers.vtt", 2, (500, 7000, "Caption text #1"), (7000, 11890, "Caption text #2")),
        ("styles.vtt", 1, (0, 10000, "- Hello world."), (0, 10000, "- Hello world.")),
        ("comments.vtt", 3, (135000, 140000, "- Ta en kopp varmt te.\n- Det är inte varmt."),
         (145000, 150000, "- Ta en kopp")),
        ("cue_tags.vtt", 3, (16500, 18500, "When the moon hits your eye"), (20500, 21500, "That's amore")),
    ],
)  # fmt: skip
def test_vtt_fixtures(
    transcripts: Path,
    check: Checker,
    name: str,
    count: int,
    first: tuple[int, int, str],
    last: tuple[int, int, str],
) -> None:
    source = check(vtt.parse(load(transcripts, PY, name), name))
    assert source.importer == "vtt"
    assert len(source.segments) == count == source.metadata["cues"]
    assert all(s.kind == "cue" and s.speaker is None for s in source.segments)
    texts = segment_texts(source)
    for segment, text, (start, end, expected) in (
        (source.segments[0], texts[0], first),
        (source.segments[-1], texts[-1], last),
    ):
        assert (segment.start_ms, segment.end_ms, text) == (start, end, expected)
    assert "<" not in source.text and "NOTE" not in source.text and "::cue" not in source.text


def test_vtt_header_metadata(transcripts: Path) -> None:
    source = vtt.parse(load(transcripts, PY, "metadata_headers.vtt"), "metadata_headers.vtt")
    assert source.metadata["headers"] == {"Kind": "captions", "Language": "en"}
    assert source.language == "en"
    comments = vtt.parse(load(transcripts, PY, "comments.vtt"), "comments.vtt")
    assert comments.metadata["header"] == "Translation of that film I like"
    assert comments.segments[0].meta["identifier"] == "1"


def test_youtube_rolling_captions(transcripts: Path, check: Checker) -> None:
    source = check(vtt.parse(load(transcripts, PY, "youtube_dl.vtt"), "youtube_dl.vtt"))
    texts = segment_texts(source)
    assert texts == [
        "yeah",
        "yeah\nwhat",
        "this will happen is I'm telling",
        "this will happen is I'm telling",
    ]
    assert source.segments[2].start_ms == 304080  # the timing line directly after cue text starts a new cue
    assert source.language == "en"


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("invalid_timeframe.vtt", 6, "00:00:1d.890"),
        ("missing_timeframe.vtt", 6, "no cue timing line"),
        ("invalid_timeframe.srt", 6, "00:00:11.890"),
    ],
)
def test_invalid_fixtures_fail_with_the_line(transcripts: Path, name: str, line: int, words: str) -> None:
    importer = vtt if name.endswith(".vtt") else srt
    with pytest.raises(ImportFailed) as err:
        importer.parse(load(transcripts, PY, name), name)
    message = str(err.value)
    assert err.value.line == line
    assert message.startswith(f"cannot import {name}, line {line}: ")
    assert words in message and message.count(". ") == 0  # one sentence


def test_srt_fixtures(transcripts: Path, check: Checker) -> None:
    sample = check(srt.parse(load(transcripts, PY, "sample.srt"), "sample.srt"))
    assert segment_texts(sample) == [f"Caption text #{n}" for n in range(1, 6)]
    assert (sample.segments[1].start_ms, sample.segments[1].end_ms) == (7000, 11890)
    missing = check(srt.parse(load(transcripts, PY, "missing_caption_text.srt"), "missing_caption_text.srt"))
    assert segment_texts(missing) == [
        "Caption text #1",
        "Caption text #3",
        "Caption text #4",
        "Caption text #5",
    ]
    assert missing.warnings and "cue 2" in missing.warnings[0]


def test_sbv_is_unsupported(transcripts: Path) -> None:
    with pytest.raises(UnsupportedFormat) as err:
        parse_file(load(transcripts, PY, "sample.sbv"), "sample.sbv")
    assert ".vtt" in str(err.value) and "sample.sbv" in str(err.value)


def test_voice_spec_example_merges_consecutive_cues(transcripts: Path, check: Checker) -> None:
    source = check(vtt.parse(load(transcripts, VOICE, "spec-example.vtt"), "spec-example.vtt"))
    assert [s.speaker for s in source.segments] == [
        "Roger Bingham", "Neil deGrasse Tyson", "Roger Bingham", "Neil deGrasse Tyson", "Roger Bingham",
    ]  # fmt: skip
    first = source.segments[0]
    assert first.kind == "turn" and first.meta == {"cues": 9}
    assert (first.start_ms, first.end_ms) == (11000, 31500)
    texts = segment_texts(source)
    assert texts[0].startswith("Roger Bingham: We are in New York City We're actually at the Lucern Hotel")
    assert texts[3] == "Neil deGrasse Tyson: Laughs"
    assert source.metadata["cues"] == 13


@pytest.mark.parametrize(
    ("name", "speaker", "text"),
    [
        ("voice-with-annotation.vtt", "Mary", "Mary: No way!"),
        ("voice-with-closing-span.vtt", "Joe", "Joe: Hee! Hee!"),
        ("voice-with-subclass.vtt", "Joe", "Joe: That's awesome!"),
        ("voice-with-two-subclasses.vtt", "Joe", "Joe: That's awesome!"),
        ("voice-not-closed.vtt", None, "It's a blue apple tree!"),
        ("voice-no-end-gt.vtt", None, "It's a blue apple tree!"),
    ],
)
def test_voice_fixtures(transcripts: Path, check: Checker, name: str, speaker: str | None, text: str) -> None:
    source = check(vtt.parse(load(transcripts, VOICE, name), name))
    assert len(source.segments) == 1
    segment = source.segments[0]
    assert (segment.speaker, segment_texts(source)[0]) == (speaker, text)
    assert segment.kind == ("turn" if speaker else "cue")
    assert (segment.start_ms, segment.end_ms) == (0, 2000)
    if name == "voice-no-end-gt.vtt":
        assert "closing '>'" in source.warnings[0]


def test_teams_style_vtt_with_entities(check: Checker) -> None:
    data = """WEBVTT

3f7c1a2e-5b1d-4c1e-9d7e-1a2b3c4d5e6f/12-0
00:00:01.000 --> 00:00:04.000
<v Mette Hansen>Vi bruger Copilot &amp; ChatGPT.</v>

3f7c1a2e-5b1d-4c1e-9d7e-1a2b3c4d5e6f/12-1
00:00:04.000 --> 00:00:06.500
<v Mette Hansen>Især til tests.</v>

3f7c1a2e-5b1d-4c1e-9d7e-1a2b3c4d5e6f/13-0
00:00:07.000 --> 00:00:09.000
<v Interviewer>Hvorfor &lt;det&gt;?</v>
""".encode()
    source = check(vtt.parse(data, "teams.vtt"))
    assert segment_texts(source) == [
        "Mette Hansen: Vi bruger Copilot & ChatGPT. Især til tests.",
        "Interviewer: Hvorfor <det>?",
    ]
    assert (source.segments[0].start_ms, source.segments[0].end_ms) == (1000, 6500)
    assert source.segments[0].meta["cues"] == 2


def test_zoom_style_labels_in_cues(check: Checker) -> None:
    data = b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nDan: Hello\n\n"
    data += b"2\n00:00:02.000 --> 00:00:03.000\nDan: again\n\n"
    data += b"3\n00:00:03.000 --> 00:00:04.000\nParticipant: Hi\n"
    source = check(vtt.parse(data, "zoom.vtt"))
    assert segment_texts(source) == ["Dan: Hello again", "Participant: Hi"]
    assert [s.speaker for s in source.segments] == ["Dan", "Participant"]


def test_srt_speakers_and_tags(check: Checker) -> None:
    data = "1\n00:00:01,000 --> 00:00:02,000\nMette: Hej <i>med</i> dig\n\n2\n00:00:02,000 --> 00:00:03,000\n"
    data += "Mette: igen\n\n3\n01:00:03,000 --> 01:00:04,500\nInterviewer: Ja\n\n"
    data += "4\n01:00:05,000 --> 01:00:06,000\nMette: Nej\n"
    source = check(srt.parse(data.encode("cp1252"), "x.srt"))
    assert segment_texts(source) == ["Mette: Hej med dig igen", "Interviewer: Ja", "Mette: Nej"]
    assert source.segments[0].meta == {"cues": 2}
    assert (source.segments[1].start_ms, source.segments[1].end_ms) == (3603000, 3604500)


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"WEBVTT\n\n00:01.000 -> 00:02.000\ntext\n", 3),
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\nok\n\n00:03.000 --> 00:0x.000\nbad\n", 6),
        (b"WEBVTT\n\nid\n00:61.000 --> 00:62.000\nbad\n", 4),
        (b"Not a vtt\n\n00:01.000 --> 00:02.000\ntext\n", 1),
    ],
)
def test_vtt_errors_have_lines(data: bytes, line: int) -> None:
    with pytest.raises(ImportFailed) as err:
        vtt.parse(data, "bad.vtt")
    assert err.value.line == line and "bad.vtt" in str(err.value)


def test_srt_errors_have_lines() -> None:
    with pytest.raises(ImportFailed) as err:
        srt.parse(b"1\n00:00:01,000 --> 00:00:02,000\nok\n\nhello\nworld\n", "bad.srt")
    assert err.value.line == 5
    with pytest.raises(ImportFailed) as err:
        srt.parse(b"1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\nno timing\n", "bad.srt")
    assert err.value.line == 6


def test_cues_without_any_text_are_refused() -> None:
    with pytest.raises(ImportFailed, match="no cues"):
        vtt.parse(b"WEBVTT\n\n00:01.000 --> 00:02.000\n<i></i>\n", "empty.vtt")

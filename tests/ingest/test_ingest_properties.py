"""Property tests: whatever the text, segments stay in order, inside the text and stripped."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_helpers import check_source

from aia.errors import ImportFailed
from aia.ingest import markdown, srt, text, vtt

SPECIAL = ["\n", "\r\n", "\r", "\t", "🙂", "👩\u200d💻", "\u00a0", "\u2028", "\ufeff", "\x85", "é", "ß"]
CHARS = st.sampled_from([*"abcæøåÆØÅ xyzAB  .,:;!?-#*_>`~<&", *SPECIAL])
TEXT = st.lists(CHARS, max_size=40).map("".join)
LABELS = st.sampled_from(["Interviewer: ", "I: ", "P3: ", "Mette: ", "Deltager 2: ", "**Dan:** ", "Bemærk: ", ""])
LINE = st.tuples(LABELS, TEXT).map("".join)
DOCUMENT = st.lists(st.tuples(LINE, st.sampled_from(["\n", "\n\n", "\r\n\r\n", "\n \n", "\n---\n"])), max_size=12).map(
    lambda parts: "".join(line + sep for line, sep in parts)
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parse_or_fail(parse: object, data: bytes, name: str) -> None:
    assert callable(parse)
    try:
        source = parse(data, name)
    except ImportFailed as exc:
        assert name in str(exc)
        return
    check_source(source)


@SETTINGS
@given(DOCUMENT)
def test_text_segments_are_sound(document: str) -> None:
    _parse_or_fail(text.parse, document.encode("utf-8"), "random.txt")


@SETTINGS
@given(DOCUMENT, st.sampled_from(["", "---\ntitle: Tilfældig\n---\n", "---\n---\n"]))
def test_markdown_segments_are_sound(document: str, front: str) -> None:
    _parse_or_fail(markdown.parse, (front + document).encode("utf-8"), "random.md")


CUE_TEXT = st.lists(
    st.tuples(st.sampled_from(["", "<v Mette>", "<v.x Dan>", "Mette: ", "<i>", "&amp;", "<00:00:01.000>"]), LINE),
    min_size=1,
    max_size=3,
).map(lambda parts: "\n".join(prefix + line for prefix, line in parts))


@SETTINGS
@given(st.lists(CUE_TEXT, min_size=1, max_size=8))
def test_vtt_segments_are_sound(cue_texts: list[str]) -> None:
    parts = ["WEBVTT", ""]
    for i, cue in enumerate(cue_texts):
        # blank lines and "-->" inside cue text would end the cue; keep the cue text on non-blank lines
        body = "\n".join(line for line in cue.replace("\r", "\n").split("\n") if line.strip()).replace("-->", "")
        parts += [f"00:00:{i:02d}.000 --> 00:00:{i:02d}.500", body, ""]
    _parse_or_fail(vtt.parse, "\n".join(parts).encode("utf-8"), "random.vtt")


@SETTINGS
@given(st.lists(CUE_TEXT, min_size=1, max_size=8))
def test_srt_segments_are_sound(cue_texts: list[str]) -> None:
    parts = []
    for i, cue in enumerate(cue_texts):
        body = "\n".join(line for line in cue.replace("\r", "\n").split("\n") if line.strip())
        parts += [str(i + 1), f"00:00:{i:02d},000 --> 00:00:{i:02d},500", body, ""]
    _parse_or_fail(srt.parse, "\n".join(parts).encode("utf-8"), "random.srt")

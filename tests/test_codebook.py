"""The codebook, its history, codings and retrieval."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aia
from aia.errors import ConflictError, NotFoundError, ValidationError
from aia.project import Project


@pytest.fixture
def coded(swu: Project, interview_file: Path) -> Project:
    swu.import_files([interview_file], activity=1, participants=["SWU-P01"])
    swu.add_code("Læring og kompetence", description="Hvordan kompetencer opstår")
    swu.add_code("Læring gennem fejl", parent="Læring og kompetence")
    swu.add_code("Tillid til AI", color="#e15759")
    return swu


def _span(project: Project, phrase: str) -> tuple[int, int]:
    text = project.source(1).text
    start = text.index(phrase)
    return start, start + len(phrase)


def test_code_tree_paths_and_counts(coded: Project) -> None:
    start, end = _span(coded, "stolede blindt på et forslag fra ChatGPT")
    coded.add_coding(1, start, end, "Læring gennem fejl")
    coded.add_coding(1, start, end, "Tillid til AI", comment="blind tillid")
    tree = {n.path: n for n in coded.code_tree()}
    assert list(tree) == ["Læring og kompetence", "Læring og kompetence/Læring gennem fejl", "Tillid til AI"]
    assert (tree["Læring og kompetence"].codings, tree["Læring og kompetence"].total) == (0, 1)
    assert tree["Læring og kompetence/Læring gennem fejl"].depth == 1
    assert coded.code("Læring og kompetence/Læring gennem fejl").name == "Læring gennem fejl"


def test_coded_text_is_exactly_the_span(coded: Project) -> None:
    start, end = _span(coded, "Vi indførte kodegennemgang")
    coding = coded.add_coding(1, start, end, "Læring gennem fejl")
    assert coded.source(1).text[coding.start : coding.end] == "Vi indførte kodegennemgang"
    assert coding.coder == "Forsker A"


def test_span_outside_the_text_is_refused(coded: Project) -> None:
    n = len(coded.source(1).text)
    for start, end in [(-1, 3), (5, 5), (7, 3), (0, n + 1)]:
        with pytest.raises(ValidationError, match="not inside source 1"):
            coded.add_coding(1, start, end, "Tillid til AI")
    with pytest.raises(NotFoundError):
        coded.add_coding(99, 0, 1, "Tillid til AI")


def test_code_a_whole_segment(coded: Project) -> None:
    coding = coded.code_segment(1, 1, "Tillid til AI")
    seg = coded.segment(1, 1)
    assert (coding.start, coding.end) == (seg.start, seg.end)
    with pytest.raises(NotFoundError, match="no segment 99"):
        coded.code_segment(1, 99, "Tillid til AI")


def test_retrieve_gives_provenance(coded: Project) -> None:
    start, end = _span(coded, "en kunde fik en fejl i produktion")
    coded.add_coding(1, start, end, "Læring gennem fejl", comment="kritisk hændelse")
    [passage] = coded.retrieve("Læring gennem fejl")
    assert passage.text == "en kunde fik en fejl i produktion"
    assert passage.speaker == "Mette"
    assert passage.participants == ["SWU-P01"]
    assert (passage.track, passage.wp, passage.date) == ("Softwareudviklere", 2, "2026-03-12")
    assert passage.activity == "Interview om Copilot"
    assert passage.comment == "kritisk hændelse"
    assert coded.retrieve("Læring og kompetence") == []
    assert len(coded.retrieve("Læring og kompetence", include_subcodes=True)) == 1


def test_rename_move_merge_delete_are_recorded(coded: Project) -> None:
    coded.rename_code("Tillid til AI", "Tillid og mistillid", rationale="mistillid fylder lige så meget")
    coded.move_code("Tillid og mistillid", "Læring og kompetence")
    coded.add_code("Fejl", parent="Læring og kompetence")
    start, end = _span(coded, "en fejl i produktion")
    coded.add_coding(1, start, end, "Fejl")
    coded.merge_codes("Fejl", "Læring gennem fejl", rationale="samme fænomen")
    coded.add_code("Midlertidig")
    coded.delete_code("Midlertidig")
    actions = [(e["action"], e["code_name"]) for e in coded.code_events()]
    assert actions[-6:] == [
        ("rename", "Tillid til AI"),
        ("move", "Tillid og mistillid"),
        ("create", "Fejl"),
        ("merge", "Fejl"),
        ("create", "Midlertidig"),
        ("delete", "Midlertidig"),
    ]
    rename = coded.code_events("Tillid og mistillid")[1]
    assert rename["details"] == {"old": "Tillid til AI", "new": "Tillid og mistillid"}
    assert rename["rationale"] == "mistillid fylder lige så meget"
    assert rename["actor"] == "Forsker A"
    merge = next(e for e in coded.code_events() if e["action"] == "merge")
    assert merge["details"]["codings_moved"] == 1 and merge["rationale"] == "samme fænomen"
    assert [c.text for c in coded.retrieve("Læring gennem fejl")] == ["en fejl i produktion"]


def test_codebook_rules(coded: Project) -> None:
    with pytest.raises(ConflictError, match="exists"):
        coded.add_code("læring og kompetence")
    with pytest.raises(ConflictError, match="under itself"):
        coded.move_code("Læring og kompetence", "Læring gennem fejl")
    with pytest.raises(ConflictError, match="own subcode"):
        coded.merge_codes("Læring og kompetence", "Læring gennem fejl")
    with pytest.raises(ValidationError, match="hex colour"):
        coded.add_code("Farve", color="rød")
    with pytest.raises(ValidationError, match="'/'"):
        coded.add_code("a/b")
    coded.add_code("Læring gennem fejl", parent="Tillid til AI")
    with pytest.raises(ValidationError, match="several codes"):
        coded.code("Læring gennem fejl")


def test_delete_is_refused_while_codings_exist_unless_forced(coded: Project) -> None:
    coded.code_segment(1, 3, "Læring gennem fejl")
    with pytest.raises(ConflictError, match="1 codings"):
        coded.delete_code("Læring og kompetence")
    assert coded.delete_code("Læring og kompetence", force=True) == 1
    assert [c.name for c in coded.codes()] == ["Tillid til AI"]
    assert coded.codings() == []


def test_remove_coding(coded: Project) -> None:
    coding = coded.code_segment(1, 1, "Tillid til AI")
    coded.remove_coding(coding.id)
    assert coded.codings() == []
    with pytest.raises(NotFoundError):
        coded.remove_coding(coding.id)


operations = st.lists(
    st.tuples(st.sampled_from(["rename", "move", "merge", "move_top"]), st.integers(0, 5), st.integers(0, 5)),
    max_size=12,
)


def _fresh_coded_project(root: Path) -> Project:
    project = aia.init_project(root, user="Forsker A")
    project.add_track("Softwareudviklere", prefix="SWU")
    text = "\n\n".join(f"Afsnit {i}: udviklerne prøver værktøjet igen og igen." for i in range(8))
    project.import_bytes(text.encode(), "noter.txt", track="SWU", wp=5)
    project.add_code("Læring og kompetence")
    for i in range(5):
        project.add_code(f"Kode {i}", parent="Læring og kompetence" if i % 2 else None)
    return project


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_rename_move_merge_never_lose_a_coding(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, int, int]]
) -> None:
    with _fresh_coded_project(tmp_path_factory.mktemp("codebook") / "p") as project:
        source = project.source(1)
        expected: list[tuple[int, int, str]] = []
        for n, seg in enumerate(project.segments(1)):
            code = project.codes()[n % len(project.codes())]
            project.add_coding(1, seg.start, seg.end, code.id)
            expected.append((seg.start, seg.end, source.text[seg.start : seg.end]))
        for step, (op, a, b) in enumerate(ops):
            codes = project.codes()
            x, y = codes[a % len(codes)], codes[b % len(codes)]
            try:
                if op == "rename":
                    project.rename_code(x.id, f"{x.name} ({step})")
                elif op == "move":
                    project.move_code(x.id, y.id)
                elif op == "move_top":
                    project.move_code(x.id, None)
                else:
                    project.merge_codes(x.id, y.id)
            except (ConflictError, ValidationError):
                pass  # a refused operation (cycle, name clash, self-merge) must change nothing
            codings = project.codings()
            assert sorted((c.start, c.end, source.text[c.start : c.end]) for c in codings) == sorted(expected)
            assert {c.code_id for c in codings} <= {c.id for c in project.codes()}
            retrieved = sum(len(project.retrieve(n.code.id)) for n in project.code_tree())
            assert retrieved == len(expected)

"""In-process tests of the web workbench: login, CSRF, the route × role matrix, XSS, i18n, the source viewer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.routing import Route
from starlette.testclient import TestClient
from webhelpers import INTERVIEW, PASSWORD, client_for, csrf_of

import aia.web.app as webapp
from aia.project import Project
from aia.web import create_app
from aia.web.i18n import MESSAGES, t
from aia.web.pages.sources import split_pieces
from aia.web.security import ROLE_RANK, safe_next

TEMPLATES = Path(webapp.__file__).parent / "templates"


# -- i18n -------------------------------------------------------------------------------------------------------
def test_no_template_contains_untranslated_text() -> None:
    allowed = {"WP"}  # the project's own abbreviation, the same in both languages
    for path in TEMPLATES.glob("*.html"):
        html = path.read_text(encoding="utf-8")
        stripped = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", html, flags=re.S)
        stripped = re.sub(r"<[^>]*>", " ", stripped)
        words = [w for w in re.findall(r"[^\W\d_]+", stripped) if w not in allowed]
        assert words == [], f"{path.name} has untranslated text: {words}"
        # attributes users read must go through t() too
        assert not re.search(r'(placeholder|title|aria-label|alt)="[^"{]*[^\W\d_]', html), path.name


def test_every_key_used_in_templates_exists_in_both_languages() -> None:
    used = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r't\("([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert used and used <= set(MESSAGES)
    assert t("nav.sources") == "Kilder" and t("nav.sources", "en") == "Sources"


def test_language_switch(webproject: Project) -> None:
    client = client_for(webproject, "rikke")
    assert ">Kilder<" in client.get("/").text
    r = client.post("/lang", data={"lang": "en", "next": "/sources", "csrf": csrf_of(client)})
    assert r.status_code == 303 and r.headers["location"] == "/sources"
    assert ">Sources<" in client.get("/").text


# -- login ------------------------------------------------------------------------------------------------------
def test_single_user_token_is_one_time_and_cookie_is_httponly_lax(webproject: Project) -> None:
    client = TestClient(create_app(webproject.path, login_token="tok-æøå", project=webproject), follow_redirects=False)
    assert client.get("/").status_code == 303
    assert client.get("/login/token?token=forkert").status_code == 403
    r = client.get("/login/token?token=tok-æøå&next=//evil.example")
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert client.get("/").status_code == 200
    other = TestClient(client.app, follow_redirects=False)
    assert other.get("/login/token?token=tok-æøå").status_code == 403  # used up


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/x", "/"),
        ("javascript:alert(1)", "/"),
        ("/\x00/evil", "/"),
        ("/codes?x=1", "/codes?x=1"),
        (None, "/"),
    ],
)
def test_safe_next(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_login_redirects_only_locally_and_is_rate_limited(webproject: Project) -> None:
    client = client_for(webproject, None)
    r = client.post("/login", data={"username": "lea", "password": PASSWORD, "next": "https://evil.example/"})
    assert r.status_code == 303 and r.headers["location"] == "/"
    client = client_for(webproject, None)
    for _ in range(5):
        assert client.post("/login", data={"username": "carl", "password": "forkert-kode"}).status_code == 401
    r = client.post("/login", data={"username": "carl", "password": PASSWORD})
    assert r.status_code == 429  # even the right password is refused for a while


def test_security_headers(webproject: Project) -> None:
    r = client_for(webproject, "rikke").get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"


# -- the route × role matrix, CSRF -------------------------------------------------------------------------------
def _routes() -> list[tuple[str, str, str]]:
    out = []
    for r in create_app.__globals__["_ROUTES"]:
        assert isinstance(r, Route) and r.methods
        for method in sorted(r.methods - {"HEAD"}):
            out.append((r.path, method, webapp.ROUTE_ROLES[(r.path, method)]))
    return out


def _ids(project: Project) -> dict[str, int]:
    return {
        "source_id": project.sources()[0][0].id,
        "code_id": project.codes()[0].id,
        "coding_id": project.codings()[0].id,
        "track_id": project.tracks()[0].id,
        "activity_id": project.activities()[0][0].id,
        "probe_id": project.probes()[0].id,
        "incident_id": project.incidents()[0].id,
        "memo_id": project.memos()[0].id,
        "participant_id": project.participants()[0].id,
        "organisation_id": project.organisations()[0].id,
        "job_id": 1,
    }


def _concrete(path: str, project: Project) -> str:
    return _fill(path, _ids(project))


def _fill(path: str, ids: dict[str, int]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + ":int}", str(value))
    assert "{" not in path, f"the matrix test has no sample id for {path}"
    return path


def test_every_guarded_route_is_in_the_matrix() -> None:
    routes = _routes()
    assert len(routes) >= 20
    assert {role for _, _, role in routes} <= set(ROLE_RANK)


@pytest.mark.parametrize("who", [None, "rikke", "carl", "lea"])
def test_route_role_matrix(webproject: Project, who: str | None) -> None:
    role = {None: None, "rikke": "reader", "carl": "coder", "lea": "lead"}[who]
    client = client_for(webproject, who)
    token = csrf_of(client) if who else ""
    ids = _ids(webproject)
    for path, method, needed in _routes():
        if path == "/logout":
            continue  # would end the session in the middle of the matrix
        url = _fill(path, ids)
        # no confirm field: the destructive routes only show their preview
        r = client.get(url) if method == "GET" else client.post(url, data={"csrf": token})
        if role is None:
            expected = 303 if method == "GET" else 403
            assert r.status_code == expected, (path, method)
            if method == "GET":
                assert r.headers["location"].startswith("/login")
        elif ROLE_RANK[role] < ROLE_RANK[needed]:
            assert r.status_code == 403, (path, method, role)
        else:
            assert r.status_code not in (401, 403, 500), (path, method, role, r.text[:300])


def test_cross_site_posts_are_refused_on_every_state_changing_route(webproject: Project) -> None:
    client = client_for(webproject, "lea")
    token = csrf_of(client)
    posts = [p for p, m, _ in _routes() if m == "POST"] + ["/login"]
    before = len(webproject.codes())
    for path in posts:
        url = _concrete(path, webproject)
        for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}, {"Origin": "null"}):
            data = {"csrf": token, "name": "Ondsindet", "confirm": "yes"}
            assert client.post(url, data=data, headers=headers).status_code == 403, (path, headers)
        # same site, but no token
        if path != "/login":
            assert client.post(url, data={"name": "Ondsindet", "confirm": "yes"}).status_code == 403, path
    assert len(webproject.codes()) == before


def test_reader_sees_no_edit_controls(webproject: Project) -> None:
    client = client_for(webproject, "rikke")
    source = webproject.sources()[0][0]
    code = webproject.codes()[0]
    for url in (f"/sources/{source.id}", "/codes", f"/codes/{code.id}", "/memos", "/search?q=Copilot"):
        html = client.get(url).text
        forms = re.findall(r'<form method="post" action="([^"]+)"', html)
        assert set(forms) <= {"/lang", "/logout"}, (url, forms)


def test_coder_cannot_remove_others_codings(webproject: Project) -> None:
    client = client_for(webproject, "carl")
    coding = webproject.codings()[0]  # made by Forsker A
    r = client.post(f"/codings/{coding.id}/delete", data={"csrf": csrf_of(client)})
    assert r.status_code == 400
    assert [c.id for c in webproject.codings()] == [coding.id]


# -- source viewer and coding ------------------------------------------------------------------------------------
def test_apply_coding_with_code_point_offsets(webproject: Project) -> None:
    client = client_for(webproject, "carl")
    source = webproject.sources()[0][0]
    start = INTERVIEW.index("æøå-projektet 🚀")
    end = start + len("æøå-projektet 🚀")
    r = client.post(
        f"/sources/{source.id}/codings",
        data={"csrf": csrf_of(client), "start": str(start), "end": str(end), "code_id": "", "new_code": "Værktøj 🛠"},
    )
    assert r.status_code == 303
    coding = next(c for c in webproject.codings() if c.coder == "carl")
    assert INTERVIEW[coding.start : coding.end] == "æøå-projektet 🚀"
    html = client.get(f"/sources/{source.id}").text
    assert f'data-c="{coding.id}"' in html
    assert "Værktøj 🛠" in html


def test_viewer_shows_speakers_and_overlaps(webproject: Project) -> None:
    source = webproject.sources()[0][0]
    code = webproject.add_code("Overlap")
    webproject.add_coding(source.id, 5, 20, code.id)
    client = client_for(webproject, "rikke")
    html = client.get(f"/sources/{source.id}").text
    assert "overlap" in html and "Mette" in html


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet="aæøå😀 \n", min_size=1, max_size=30),
    spans=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=5),
)
def test_split_pieces_cover_the_text(text: str, spans: list[tuple[int, int]]) -> None:
    from aia.model import Coding

    codings = [
        Coding(i, "", 1, 1, min(a, b), max(a, b) + 1, "x", "", None)
        for i, (a, b) in enumerate(spans)
        if min(a, b) < len(text)
    ]
    pieces = split_pieces(0, text, codings)
    assert "".join(p.text for p in pieces) == text
    for p in pieces:
        assert text[p.start : p.start + len(p.text)] == p.text
        for c in codings:
            inside = c.start <= p.start and p.start + len(p.text) <= c.end
            assert (c.id in p.codings) == inside


# -- XSS ---------------------------------------------------------------------------------------------------------
EVIL_HTML = (
    "<html><body><p>Hej <script>alert('x')</script> med "
    '<img src=x onerror="alert(2)"> og <a href="javascript:alert(3)">et link</a> '
    '<svg onload="alert(4)"></svg> og <a href="data:text/html,<script>alert(5)</script>">data</a></p></body></html>'
)


def test_xss_nothing_renders_as_markup(webproject: Project) -> None:
    webproject.import_bytes(EVIL_HTML.encode(), "ondt.html", track="SWU", wp=2)
    evil = "</script><img src=x onerror=alert(1)>"
    webproject.add_code("<img src=x onerror=alert(1)>")  # code names cannot hold '/' (the path separator)
    webproject.add_memo(evil, "<script>alert(6)</script>")
    webproject.add_participant("SWU", role=evil)
    client = client_for(webproject, "lea")
    urls = ["/", "/sources", "/codes", "/memos", "/participants", "/search?q=alert"]
    urls += [f"/sources/{s.id}" for s, _, _ in webproject.sources()]
    urls += [f"/codes/{c.id}" for c in webproject.codes()]
    for url in urls:
        html = client.get(url).text
        assert "<script>" not in html and "onerror=" not in html.replace("onerror=alert", ""), url
        assert not re.search(r"<(img|svg|a)\b[^>]*(onerror|onload|javascript:|data:)", html, re.I), url
        # every <script> tag is one of ours, loaded from /static
        page_scripts = ['<script src="/static/codebook.js" defer>'] if url == "/codes" else []  # drag and drop
        assert re.findall(r"<script[^>]*>", html) == [
            '<script src="/static/htmx.min.js" defer>',
            '<script src="/static/app.js" defer>',
            *page_scripts,
        ], url
    assert "&lt;img src=x onerror=alert(1)&gt;" in client.get("/codes").text
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in client.get("/memos").text

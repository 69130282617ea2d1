"""The Starlette app: the public login routes, every page module's routes, and the static files."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from aia.project import Project, open_project
from aia.web.auth import PUBLIC_ROUTES
from aia.web.core import _ROUTES, HERE, ROUTE_ROLES
from aia.web.pages import admin, codebook, exchange, memos, overview, review, search, sources, wp1, wp2  # noqa: F401
from aia.web.security import RateLimiter, SecurityMiddleware, SessionStore

__all__ = ["ROUTE_ROLES", "create_app"]


def create_app(
    project_path: str | Path, team: bool = False, login_token: str | None = None, project: Project | None = None
) -> Starlette:
    """The web app for one project. Single-user mode (``team`` false): ``login_token`` (one use) logs in as lead;
    team mode: accounts with passwords (``aia user add``)."""
    app = Starlette(
        routes=[*PUBLIC_ROUTES, *_ROUTES, Mount("/static", StaticFiles(directory=HERE / "static"), name="static")]
    )
    app.add_middleware(SecurityMiddleware)
    app.state.project = project or open_project(project_path)
    app.state.team = team
    app.state.login_token = login_token
    app.state.sessions = SessionStore()
    app.state.limiter = RateLimiter()
    return app

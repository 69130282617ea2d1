"""The web workbench (Starlette + Jinja2 + vendored htmx 2): a thin face over :class:`aia.Project`."""

from aia.web.app import create_app

__all__ = ["create_app"]

"""``aia serve`` (the web workbench) and ``aia user`` (web accounts for team mode)."""

from __future__ import annotations

import secrets
import webbrowser

import click

from aia.cli.app import cli, project_of
from aia.services.accounts import ROLES


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port to listen on.")
@click.option("--no-browser", is_flag=True, help="Do not open the login URL in a browser.")
@click.option("--team", is_flag=True, help="Team mode: log in with accounts made by 'aia user add'.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, no_browser: bool, team: bool) -> None:
    """Serve the web workbench for the project (single-user mode prints a one-time login URL)."""
    import uvicorn

    from aia.web import create_app

    project = project_of(ctx)
    token = None if team else secrets.token_urlsafe(32)
    app = create_app(project.path, team=team, login_token=token, project=project)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/" + ("login" if team else f"login/token?token={token}")
    click.echo(f"AiA workbench: {url}")
    if not no_browser:
        webbrowser.open(url)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@cli.group("user")
def user_group() -> None:
    """Web accounts for team mode (aia serve --team)."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="lead: everything; coder: code; reader: read.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="At least 8 characters.")
@click.pass_context
def user_add(ctx: click.Context, name: str, role: str, password: str) -> None:
    """Create a web account with a password (stored as an argon2 hash)."""
    row = project_of(ctx).add_account(name, password, role)
    click.echo(f"user {row.username} ({row.role}) added")


@user_group.command("list")
@click.pass_context
def user_list(ctx: click.Context) -> None:
    """List the web accounts."""
    for row in project_of(ctx).accounts():
        click.echo(f"{row.username}\t{row.role}\t{row.created_at}")

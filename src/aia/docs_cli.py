"""Generate the CLI reference (``docs/cli.md``) from the commands' own ``--help``.

Run ``python -m aia.docs_cli > docs/cli.md`` (or ``make docs``); a test fails when the file is stale.
"""

from __future__ import annotations

import click

from aia.cli import cli

HEADER = """# CLI reference

Generated from `aia --help` by `python -m aia.docs_cli > docs/cli.md` (`make docs`); do not edit by hand —
`tests/test_docs.py` fails when this file and the commands disagree.
"""


def _walk(ctx: click.Context, path: list[str], parts: list[str]) -> None:
    """Render ``ctx.command`` and its subcommands, each in a child context (so settings such as the
    ``-h`` help option are inherited exactly as when the command runs)."""
    command = ctx.command
    level = "##" if len(path) <= 2 else "###"
    parts.append(f"{level} `{' '.join(path)}`\n\n```text\n{command.get_help(ctx)}\n```\n")
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            sub = command.commands[name]
            with sub.make_context(name, [], parent=ctx, resilient_parsing=True) as child:
                _walk(child, [*path, name], parts)


def render() -> str:
    parts = [HEADER]
    with cli.make_context("aia", [], resilient_parsing=True, terminal_width=100) as ctx:
        _walk(ctx, ["aia"], parts)
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")

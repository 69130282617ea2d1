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


def _walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            found.extend(_walk(command.commands[name], [*path, name]))
    return found


def render() -> str:
    parts = [HEADER]
    for path, command in _walk(cli, ["aia"]):
        name = " ".join(path)
        with click.Context(command, info_name=name, terminal_width=100, max_content_width=100) as ctx:
            help_text = command.get_help(ctx)
        level = "##" if len(path) <= 2 else "###"
        parts.append(f"{level} `{name}`\n\n```text\n{help_text}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")

"""The command synopsis of README.md and docs/commands.md, generated from the CLI's own
options and help (the blocks between ``<!-- commands:begin -->`` and
``<!-- commands:end -->``), so that it cannot drift from ``--help``.

    python docs/synopsis.py          rewrite both blocks
    python docs/synopsis.py --check  exit 1 when a block differs (tests/test_readme.py)
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import click

from wego_ical.cli import main as cli

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", ROOT / "docs" / "commands.md"]
BEGIN, END = "<!-- commands:begin -->", "<!-- commands:end -->"
WIDTH = 96


def _option(param: click.Parameter, ctx: click.Context) -> str:
    name = max(param.opts, key=len)
    if isinstance(param, click.Option) and (param.is_flag or param.count):
        return f"[{name}]"
    shown = param.make_metavar(ctx)
    if isinstance(param.type, click.Choice):
        shown = shown.strip("[]")
    default = param.default if isinstance(param.default, str | int) else None
    if isinstance(param, click.Option) and param.show_default and default not in (None, ""):
        shown = str(default)
    return f"[{name} {shown}{' ...' if param.multiple else ''}]"


def _argument(param: click.Argument, ctx: click.Context) -> str:
    if isinstance(param.type, click.Choice) and len(param.type.choices) == 1:
        return str(param.type.choices[0])
    shown = param.make_metavar(ctx).removesuffix("...").strip(".[]")
    shown = f"{shown} [{shown} ...]" if param.nargs == -1 else shown
    return shown if param.required else f"[{shown}]"


def _entries(command: click.Command, path: list[str]) -> list[tuple[str, str]]:
    """(usage, first sentence of the help) of ``command`` and of each subcommand."""
    if isinstance(command, click.Group):
        return [
            entry
            for name, sub in command.commands.items()
            for entry in _entries(sub, [*path, name])
        ]
    ctx = click.Context(command, info_name=" ".join(path))
    words = [_argument(p, ctx) for p in command.params if isinstance(p, click.Argument)]
    words += [
        _option(p, ctx)
        for p in command.params
        if isinstance(p, click.Option) and not p.hidden and "--help" not in p.opts
    ]
    lead = f"wego-ical {' '.join(path)} "
    # An option and its value stay on one line: their space is not one to break at.
    usage = textwrap.fill(
        " ".join(word.replace(" ", "\0") for word in words), WIDTH, initial_indent=lead,
        subsequent_indent=" " * len(lead), break_on_hyphens=False,
    ).replace("\0", " ")  # fmt: skip
    summary = " ".join((command.help or "").split("\n\n")[0].split()).split(". ")[0]
    return [(usage, summary.rstrip("."))]


def synopsis() -> str:
    """The synopsis block: each command's usage, then what it does."""
    lines = ["```text"]
    for usage, summary in _entries(cli, []):
        lines.append(usage)
        lines.extend(textwrap.wrap(summary, WIDTH - 4, initial_indent="    ",
                                   subsequent_indent="    "))  # fmt: skip
    lines += [
        "wego-ical --version | --help",
        "    (every command has --help; python -m wego_ical ... is the same)",
        "```",
    ]
    return "\n".join(lines)


def with_synopsis(text: str) -> str:
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{synopsis()}\n{END}{tail}"


if __name__ == "__main__":
    stale = [path for path in DOCUMENTS if with_synopsis(path.read_text()) != path.read_text()]
    if "--check" in sys.argv[1:]:
        sys.exit(f"out of date: {', '.join(map(str, stale))}" if stale else 0)
    for path in stale:
        path.write_text(with_synopsis(path.read_text()), encoding="utf-8")

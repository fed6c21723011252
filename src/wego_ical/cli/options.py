"""What the commands share: their common options and the checks of their values,
user errors as one message and exit status 1, and printing."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from wego_ical.errors import WegoIcalError
from wego_ical.limits import PRUNE_GRACE_HOURS, build_time, prune_grace_problem
from wego_ical.words import for_terminal

P = ParamSpec("P")


R = TypeVar("R")


STRICT_OPTION = click.option(
    "--strict",
    is_flag=True,
    help="Treat notes on the data (untranslated texts, titles taken from ids, old key "
    "names, a person in two places at once, a language without wego-ical's own words) "
    "as errors.",
)
DATA_OPTION = click.option(
    "--data",
    "data_path",
    type=click.Path(path_type=Path, dir_okay=True),
    default=Path("data/events.toml"),
    show_default=True,
    help="The event-series TOML file.",
)


def out_option(help_text: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path),
        default=Path("dist"),
        show_default=True,
        help=help_text,
    )


def parse_now(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime:
    """--now, else SOURCE_DATE_EPOCH, else the clock: the time stamped on changed events."""
    moment, problem = build_time(value, os.environ.get("SOURCE_DATE_EPOCH"))
    if problem:
        raise click.BadParameter(problem, param_hint=None if value else "environment")
    return moment


def check_grace(_ctx: click.Context, _param: click.Parameter, value: float) -> float:
    problem = prune_grace_problem(value)
    if problem:
        raise click.BadParameter(problem)
    return value


OUT_OPTION = out_option("Output folder for the feeds (and its feeds.json, the publication state).")


NOW_OPTION = click.option(
    "--now",
    callback=parse_now,
    metavar="DATETIME",
    help="Build time stamped on changed events (ISO 8601 with offset). "
    "Default: $SOURCE_DATE_EPOCH, else the current time.",
)


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a WegoIcalError into a message on stderr and exit status 1, no traceback."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except WegoIcalError as exc:
            raise click.ClickException(for_terminal(str(exc))) from None

    return wrapper


class Progress:
    """The stage and count of a build on stderr, once it has taken about a second;
    only on a terminal (never in CI logs or pipes)."""

    DELAY = 1.0

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.stage = ""
        self.shown = 0
        self.bar: Any = None

    @staticmethod
    def wanted() -> bool:
        return sys.stderr.isatty() and not os.environ.get("CI")

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is None and time.monotonic() - self.started < self.DELAY:
            return
        if self.bar is None or stage != self.stage:
            self.close()
            self.stage, self.shown = stage, 0
            self.bar = click.progressbar(
                length=total,
                label=stage,
                file=sys.stderr,
                show_pos=True,
                update_min_steps=max(1, total // 200),
            )
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def prune_grace_option(help_text: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    return click.option(
        "--prune-grace",
        "prune_grace",
        type=float,
        callback=check_grace,
        default=PRUNE_GRACE_HOURS,
        show_default=True,
        metavar="HOURS",
        help=help_text,
    )


def say(message: str) -> None:
    """Print and flush at once, so that a process reading our output sees it."""
    click.echo(for_terminal(message))
    sys.stdout.flush()


def echo(lines: list[str]) -> None:
    for line in lines:
        click.echo(for_terminal(line))

"""A page laid out: the templates (Jinja2, autoescaping: text from the data can never
become markup) given what the page shows. Apart from the pages' contexts
(:mod:`~wego_ical.page.landing`), as a large series' event pages are laid out in a
process of its own (:mod:`~wego_ical.page.layout_process`) that needs only this.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from jinja2 import BytecodeCache, Environment

from wego_ical.catalogue import INDEX_PAGE
from wego_ical.page.rows import Rows
from wego_ical.pieces import regroup


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    # Jinja2 is imported here: only builds need it, not --help or check.
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=PackageLoader("wego_ical.page", "templates"),
        bytecode_cache=_bytecode_cache(),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates are the package's own and do not change while it runs: no
        # look at each template file's time every time a page part asks for it.
        auto_reload=False,
    )
    environment.filters["fill"] = _fill
    return environment


def _fill(words: str, **values: object) -> Markup:
    """A page text with its placeholders filled: the text is the tool's own, the
    values (texts from the data) are escaped unless they are markup already."""
    return Markup(escape(words)).format(**values)


def _bytecode_cache() -> BytecodeCache | None:
    """Compiled templates kept in the user's cache folder: compiling the page's
    template takes longer than building a small series. Keyed by the template's
    source, so an edited template is compiled again. None if there is no
    writable cache folder."""
    from jinja2 import FileSystemBytecodeCache

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "wego-ical", "templates")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return None
    return FileSystemBytecodeCache(folder)


def generate_page(template_name: str, context: dict[str, Any]) -> Iterator[bytes]:
    """The page of ``template_name`` showing ``context``, in pieces."""
    template = _environment().get_template(template_name)
    prefix = context["prefix"]
    rows = Rows(
        context["t"],
        context["labels"],
        context["run"],
        context["now_utc"],
        prefix,
        # Not "home": an event's page leads home to its own row on the index.
        prefix + INDEX_PAGE if prefix else "",
    )
    for piece in regroup(template.generate(**context, rows=rows)):
        yield piece.encode("utf-8")

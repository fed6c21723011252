"""A schedule's session row as HTML, written directly rather than by a Jinja2 macro.

A large series' pages are mostly these rows (10,000 at 10,000 sessions): as a macro,
each row cost some thirty template calls, escapes and lookups through the template's
context (about a third of the pages' time). Here a row is one function: every value
from the data goes through markupsafe's ``escape``, exactly as Jinja2's autoescaping
does, and ``tests/page/test_rows.py`` proves the row byte-identical to the macro it
replaced (kept there as the reference) for any view.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from wego_ical.page.views import EntryView, PersonView, ProjectView, row_state

if TYPE_CHECKING:
    from wego_ical.model.tables import Labels
    from wego_ical.render.calendar_links import AddEvent

Run = Callable[[str | None], Markup | str]


@dataclass(frozen=True)
class Rows:
    """How one page writes its rows: with its texts, the series' labels, the marking of
    untranslated texts (``run``), the build time, the way to the index's folder
    (``prefix``) and the index page itself ("" on the index: a person's feed is a row
    there). The page's templates call its methods."""

    words: Mapping[str, str]
    labels: Labels
    run: Run
    now_utc: str
    prefix: str
    index: str

    def text(self, text: str | None) -> Markup:
        """A text from the data as the page shows it: marked when it fell back to the
        default language (``run``), escaped."""
        return escape(self.run(text))

    def sessions(self, entries: Iterable[EntryView]) -> Markup:
        """The rows of ``entries``, one after the other."""
        return Markup("".join([session_row(entry, self) for entry in entries]))

    def state(self, start: str, end: str) -> Markup:
        """A row's times and its state at the build time, as attributes (none without
        a build time or an end)."""
        if not (self.now_utc and end):
            return Markup("")
        return Markup(
            f' data-from="{escape(start)}" data-until="{escape(end)}"'
            f' data-state="{escape(row_state(start, end, self.now_utc))}"'
        )

    def project(self, project: ProjectView) -> Markup:
        """A project: its city, its title and its prize."""
        parts: list[str] = []
        if project.city:
            parts.append(self.text(project.city))
        if project.city and project.title:
            parts.append(" — ")
        if project.title:
            parts.append(self.text(project.title))
        if project.prize:
            parts.append(f" ({self.text(project.prize)})")
        return Markup("".join(parts))

    def person(self, person: PersonView) -> Markup:
        """A person: their name, role and organisation, and where to find them."""
        parts = [str(self.text(text) if own else escape(text)) for text, own in person.parts]
        if person.url:
            shown = person.url.replace("https://", "").replace("http://", "")
            parts.append(f' · <a href="{escape(person.url)}">{escape(shown)}</a>')
        if person.email:
            email = escape(person.email)
            parts.append(f' · <a href="mailto:{email}">{email}</a>')
        if person.feed:
            words = self.escaped
            parts.append(
                f' · <a href="{words["index"]}#{escape(person.feed)}"'
                f' aria-label="{words["subscribe"]}: {escape(person.name)}">'
                f"{words['subscribe']}</a>"
            )
        return Markup("".join(parts))

    @functools.cached_property
    def escaped(self) -> dict[str, str]:
        """The texts every row shows, escaped once. Their placeholders stay as they are:
        escaping maps each character on its own, so filling an escaped text with
        escaped values gives the escaped filled text."""
        labels = self.labels
        texts = {key: self.words[key] for key in _ROW_WORDS}
        texts |= {
            "cancelled": labels.cancelled,
            "category": labels.category,
            "topics": labels.topics,
            "projects": labels.projects,
            "conference": labels.conference,
            "prefix": self.prefix,
            "index": self.index,
        }
        return {key: str(escape(text)) for key, text in texts.items()}


# The page texts a row shows (Rows.escaped).
_ROW_WORDS = (
    "state_past",
    "state_now",
    "add_to_calendar",
    "file_named",
    "ics_file",
    "add_named",
    "google_calendar",
    "subscribe",
)


def session_row(entry: EntryView, rows: Rows) -> str:
    """One row of the schedule: time, title, who; the rest on demand."""
    words, text = rows.escaped, rows.text
    name = escape(entry.name)
    start, end = escape(entry.start_utc), escape(entry.end_utc)
    out = [
        f'<li class="session{" cancelled" if entry.cancelled else ""}" id="{escape(entry.anchor)}"'
        f"{rows.state(entry.start_utc, entry.end_utc)}>\n<details>\n"
        f'<summary><time datetime="{start}"'
    ]
    if not entry.all_day:
        out.append(f' data-start="{start}" data-end="{end}" data-day="{escape(entry.day)}"')
    out.append(
        f'>{escape(entry.time_text)}</time>\n<span class="what"><span><span class="title">'
        f"{text(entry.title)}</span>"
    )
    if entry.cancelled:
        out.append(f' <span class="badge">{words["cancelled"]}</span>')
    out.append(
        f'<span class="badge state state-past">{words["state_past"]}</span>'
        f'<span class="badge state state-now">{words["state_now"]}</span></span>\n'
    )
    if entry.room:
        out.append(f'<span class="who room">{text(entry.room)}</span>')
    if entry.who:
        who = " · ".join(text(person) for person in entry.who)
        out.append(f'<span class="who">{who}</span>')
    out.append('</span></summary>\n<div class="more">\n')
    if entry.own_time_text:
        out.append(f'<p class="muted">{escape(entry.own_time_text)}</p>')
    if entry.location:
        out.append(f"<p>{text(entry.location)}</p>")
    if entry.category or entry.topics or entry.projects or entry.panelists:
        out.append(_facts(entry, rows))
    if entry.description:
        out.append(f"<p>{text(entry.description)}</p>")
    if entry.conference:
        conference = words["conference"]
        out.append(
            f'<p><a class="page-link" href="{escape(entry.conference)}"'
            f' aria-label="{conference}: {name}">{conference}</a></p>'
        )
    adding = words["add_to_calendar"]
    out.append(
        f'<div class="add" role="group" aria-label="{adding}: {name}">'
        f'<span class="label">{adding}</span>\n'
        f'<a class="button" href="{words["prefix"]}{escape(entry.file)}" download'
        f' aria-label="{words["file_named"].format(entry=name)}">{words["ics_file"]}</a>\n'
    )
    if entry.add:
        out.append(_add_links(entry.add, name, words))
    out.append("</div>\n</div>\n</details>\n</li>\n")
    return "".join(out)


def _facts(entry: EntryView, rows: Rows) -> str:
    words, text = rows.escaped, rows.text
    out = ['<dl class="facts">\n']
    if entry.category:
        out.append(f"<dt>{words['category']}</dt><dd>{text(entry.category)}</dd>")
    if entry.topics:
        topics = " · ".join(text(topic) for topic in entry.topics)
        out.append(f"<dt>{words['topics']}</dt><dd>{topics}</dd>")
    if entry.projects:
        projects = "".join([f"<li>{rows.project(p)}</li>" for p in entry.projects])
        out.append(f'<dt>{words["projects"]}</dt><dd><ul class="people">{projects}</ul></dd>')
    if entry.panelists:
        people = "".join([f"<li>{rows.person(p)}</li>" for p in entry.panelists])
        out.append(
            f'<dt>{escape(entry.panelists_label)}</dt><dd><ul class="people">{people}</ul></dd>'
        )
    out.append("</dl>\n")
    return "".join(out)


def _add_links(add: AddEvent, name: str, words: Mapping[str, str]) -> str:
    out = [
        f'<span class="links add-links" hidden data-title="{escape(add.title)}"'
        f' data-details="{escape(add.details)}"'
    ]
    if add.location:
        out.append(f' data-location="{escape(add.location)}"')
    out.append(f' data-dates="{escape(add.dates)}"')
    if add.zone:
        out.append(f' data-zone="{escape(add.zone)}"')
    out.append(f' data-start="{escape(add.start)}" data-end="{escape(add.end)}"')
    if add.all_day:
        out.append(" data-all-day")
    named = words["add_named"]
    out.append(
        ">\n"
        f'<a class="button" data-add="google" aria-label="'
        f'{named.format(entry=name, app=words["google_calendar"])}">Google</a>\n'
        f'<a class="button" data-add="outlook" aria-label="'
        f'{named.format(entry=name, app="Outlook.com")}">Outlook.com</a>\n'
        f'<a class="button" data-add="office365" aria-label="'
        f'{named.format(entry=name, app="Microsoft 365")}">Microsoft 365</a>\n'
        "</span>\n"
    )
    return "".join(out)

"""Plain-text renderings of the data: summaries, descriptions, people and projects.

Shared by the iCalendar feeds and the landing page, so both say the same.
"""

from __future__ import annotations

import functools
import string

from wego_ical.model import CalendarEntry, PersonRef, Series
from wego_ical.model.tables import Labels


def session_title(series: Series, entry: CalendarEntry) -> str:
    """A session's own title: its title, else its category's name, else its id."""
    session = entry.session
    if session is None:
        return entry.event.title
    if session.title:
        return session.title
    return series.category(session.category).name if session.category else session.id


def event_summary(series: Series, entry: CalendarEntry) -> str:
    """``Event title · Session title`` for sessions, the event title otherwise."""
    if entry.session is None:
        return entry.event.title
    return f"{entry.event.title} · {session_title(series, entry)}"


def room_name(series: Series, entry: CalendarEntry) -> str | None:
    """The name of the entry's room (in the series' language), if it has one."""
    return series.room(entry.room).name if entry.room else None


def place(series: Series, entry: CalendarEntry) -> str | None:
    """LOCATION: the venue, then the room (``CCH, Saal 1``); either alone."""
    parts = [part for part in (entry.location, room_name(series, entry)) if part]
    return ", ".join(parts) or None


def entry_categories(series: Series, entry: CalendarEntry) -> list[str]:
    """CATEGORIES: the series title plus the category (or all, for a ceremony)."""
    names = [series.series.title]
    if entry.session is not None and entry.session.category:
        names.append(series.category(entry.session.category).name)
    elif entry.session is None and entry.event.all_categories:
        names += [category.name for category in series.categories]
    return names


def describe(series: Series, entry: CalendarEntry) -> str:
    """The plain-text DESCRIPTION of an entry: paragraphs separated by blank lines."""
    labels, event, session = series.labels, entry.event, entry.session
    paragraphs: list[str] = []
    if session is not None:
        # Not "Session 2 of 3": removing one session would then change the text of
        # its siblings, and subscribers would see changes that are not changes.
        head = [f"{labels.session}: {event.title}"]
        if session.category:
            category = series.category(session.category)
            head.append(f"{labels.category}: {category.name}")
            if category.topics:
                head.append(f"{labels.topics}: {', '.join(category.topics)}")
        paragraphs.append("\n".join(head))
        paragraphs.append(session.description)
        if session.projects:
            projects = [project_line(series, pid) for pid in session.projects]
            paragraphs.append(_listing(labels.projects, projects))
    else:
        paragraphs.append(event.description)
    if event.host:
        paragraphs.append(f"{labels.host}: {event.host}")
    if session is None and event.all_categories:
        paragraphs.append(_winners_text(series))
    panelists = entry.panelists
    if panelists:
        paragraphs.append(
            _listing(
                panelists_label(series, len(panelists)),
                [person_line(series, p) for p in panelists],
            )
        )
    if session is None and event.judges:
        paragraphs.append(_listing(labels.judges, [person_line(series, p) for p in event.judges]))
    if event.interpretation:
        paragraphs.append(f"{labels.interpretation}: {', '.join(event.interpretation)}")
    if entry.conference:
        paragraphs.append(f"{labels.conference}: {entry.conference}")
    paragraphs.append(f"{labels.event_page}: {entry.page_url or series.series.url}")
    return "\n\n".join(p for p in paragraphs if p)


def _listing(heading: str, items: list[str]) -> str:
    return "\n".join([f"{heading}:", *(f"- {item}" for item in items)])


def project_line(series: Series, project_id: str) -> str:
    """``City — Project title (Prize)``, leaving out what is unknown."""
    project = series.project(project_id)
    return project_text(project.city, project.title, project.prize)


def project_text(city: str | None, title: str | None, prize: str | None) -> str:
    """A project in words: ``City — Project title (Prize)``, without what is unknown."""
    text = " — ".join(part for part in (city, title) if part)
    return f"{text} ({prize})" if prize else text


def person_line(series: Series, ref: PersonRef) -> str:
    """``Name — Role, Organisation <email> url`` (in the order the labels give), with the
    role held at that moment.

    Plain text (a calendar description has no links): clients make the
    address and the URL clickable themselves.
    """
    person = series.person(ref.person)
    parts = person_parts(
        series.labels, person.name, ref.role or person.role, ref.organisation or person.organisation
    )
    line = "".join(text for text, _ in parts)
    if person.email:
        line += f" <{person.email}>"
    if person.url:
        line += f" {person.url}"
    return line


def person_parts(
    labels: Labels, name: str, role: str | None, organisation: str | None
) -> list[tuple[str, bool]]:
    """A person with what they do, as the labels' ``person`` and ``role_at`` order them:
    the pieces in order, each with whether it is one of the person's texts (True) or the
    labels' punctuation between them (False)."""
    if role and organisation:
        details = _filled(
            labels.role_at, {"role": [(role, True)], "organisation": [(organisation, True)]}
        )
    else:
        one = role or organisation
        details = [(one, True)] if one else []
    if not details:
        return [(name, True)]
    return _filled(labels.person, {"name": [(name, True)], "details": details})


def _filled(pattern: str, fields: dict[str, list[tuple[str, bool]]]) -> list[tuple[str, bool]]:
    """``pattern``'s text (False) with each field in braces replaced by its pieces."""
    parts: list[tuple[str, bool]] = []
    for literal, field in _pieces(pattern):
        if literal:
            parts.append((literal, False))
        if field is not None:
            parts += fields[field]
    return parts


@functools.lru_cache(maxsize=64)
def _pieces(pattern: str) -> tuple[tuple[str, str | None], ...]:
    """``pattern`` read once (a series has a few; every person of every entry uses them)."""
    return tuple((literal, field) for literal, field, _, _ in string.Formatter().parse(pattern))


def panelists_label(series: Series, count: int) -> str:
    """The heading of a list of ``count`` panelists (singular or plural)."""
    return series.labels.panelists if count == 1 else series.labels.panelists_plural


def winners(series: Series) -> list[tuple[str, list[str]]]:
    """Each category that has winning projects, with their lines (for an awards ceremony)."""
    result = []
    for category in series.categories:
        projects = [project_line(series, p.id) for p in series.projects_in(category.id)]
        if projects:
            result.append((category.name, projects))
    return result


def _winners_text(series: Series) -> str:
    blocks = [
        "\n".join([name, *(f"- {line}" for line in lines)]) for name, lines in winners(series)
    ]
    return "\n".join([f"{series.labels.winners}:", *blocks]) if blocks else ""

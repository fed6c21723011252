"""Turn a validated :class:`~wego_ical.model.Series` into iCalendar feeds.

Pure functions only: nothing here reads the clock or touches the file
system, so the same data always gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from icalendar import Calendar, Event, vCalAddress, vDuration, vText
from icalendar.enums import STATUS, TRANSP

from wego_ical.model import Category, Occurrence, PersonRef, Series, occurrences

PRODID = "-//wego-ical//wego-ical//EN"


@dataclass(frozen=True)
class FeedPlan:
    """One feed to write: its path below the output folder and what it holds."""

    path: str
    key: str
    name: str
    description: str
    entries: tuple[Occurrence, ...]


@dataclass(frozen=True)
class Feed:
    """A rendered feed."""

    plan: FeedPlan
    content: bytes

    @property
    def path(self) -> str:
        """Path below the output folder, with forward slashes."""
        return self.plan.path

    @property
    def event_count(self) -> int:
        """Number of VEVENTs in the feed."""
        return len(self.plan.entries)


def plan_feeds(series: Series) -> list[FeedPlan]:
    """Decide which feeds exist and what each contains.

    ``all.ics`` holds everything; ``<event-id>.ics`` one event's entries;
    ``categories/<category-id>.ics`` a category's sessions plus every awards
    ceremony (where that category's prizes are presented). Feeds that would
    hold no event are not planned.
    """
    entries = occurrences(series)
    info = series.series
    plans = [
        FeedPlan(
            "all.ics",
            "all",
            f"{info.title} — {series.labels.all_events}",
            info.description or info.title,
            tuple(entries),
        )
    ]
    for event in series.events:
        plans.append(
            FeedPlan(
                f"{event.id}.ics",
                event.id,
                event.title,
                _event_feed_description(series, event.id),
                tuple(e for e in entries if e.event.id == event.id),
            )
        )
    for category in series.categories:
        plans.append(
            FeedPlan(
                f"categories/{category.id}.ics",
                f"category-{category.id}",
                f"{info.title} — {category.name}",
                _category_feed_description(series, category),
                tuple(e for e in entries if _in_category(e, category.id)),
            )
        )
    return [plan for plan in plans if plan.entries]


def _in_category(entry: Occurrence, category_id: str) -> bool:
    if entry.session is not None:
        return entry.session.category == category_id
    return entry.event.awards_ceremony


def _event_feed_description(series: Series, event_id: str) -> str:
    event = next(e for e in series.events if e.id == event_id)
    return event.description or f"{event.title} ({event.date.isoformat()}), {series.series.title}"


def _category_feed_description(series: Series, category: Category) -> str:
    topics = f" {series.labels.topics}: {', '.join(category.topics)}." if category.topics else ""
    return f"{series.series.title} — {category.name}.{topics}"


def render_feeds(series: Series) -> list[Feed]:
    """Build and serialize every planned feed."""
    vevents = {entry.key: build_vevent(series, entry) for entry in occurrences(series)}
    return [
        Feed(plan, build_calendar(series, plan, [vevents[e.key] for e in plan.entries]).to_ical())
        for plan in plan_feeds(series)
    ]


def feeds_index(series: Series, feeds: list[Feed]) -> dict[str, object]:
    """Machine-readable summary of the feeds, stored in ``feeds.json``."""
    return {
        "generator": "wego-ical",
        "series": series.series.id,
        "feeds": [
            {"path": feed.path, "name": feed.plan.name, "events": feed.event_count}
            for feed in feeds
        ],
    }


def build_calendar(series: Series, plan: FeedPlan, vevents: list[Event]) -> Calendar:
    """A VCALENDAR for ``plan`` with its VTIMEZONE limited to the years it covers."""
    info = series.series
    refresh = timedelta(hours=series.publish.refresh_hours)
    calendar = Calendar.new(
        prodid=PRODID,
        calscale="GREGORIAN",
        method="PUBLISH",
        name=plan.name,
        description=plan.description,
        refresh_interval=refresh,
        uid=f"{info.id}.{plan.key}@{info.uid_domain}",
        subcomponents=vevents,
    )
    # icalendar 7.3 types X- properties as vUnknown and writes them unescaped
    # (a comma or newline in the description would corrupt the line), so the
    # compatibility copies are set as TEXT explicitly.
    calendar["X-WR-CALNAME"] = vText(plan.name)
    calendar["X-WR-CALDESC"] = vText(plan.description)
    calendar["X-WR-TIMEZONE"] = vText(info.timezone)
    calendar.add("X-PUBLISHED-TTL", vDuration(refresh))
    years = [entry.start.year for entry in plan.entries]
    calendar.add_missing_timezones(date(min(years), 1, 1), date(max(years) + 1, 1, 1))
    return calendar


def event_uid(series: Series, entry: Occurrence) -> str:
    """A UID that stays the same across feeds and rebuilds: derived from ids only."""
    return f"{series.series.id}.{entry.key}@{series.series.uid_domain}"


def build_vevent(series: Series, entry: Occurrence) -> Event:
    """The VEVENT of one entry, identical in every feed that contains it."""
    info = series.series
    zone = info.zone
    session, event = entry.session, entry.event
    location = (session.location if session else None) or event.location
    url = (session.url if session else None) or event.url or info.url
    return Event.new(
        uid=event_uid(series, entry),
        summary=event_summary(series, entry),
        start=entry.start.replace(tzinfo=zone),
        end=entry.end.replace(tzinfo=zone),
        stamp=info.updated,
        description=describe(series, entry),
        location=location,
        url=url,
        categories=entry_categories(series, entry),
        status=STATUS((session.status if session else event.status).upper()),
        sequence=0,
        transparency=TRANSP.OPAQUE,
        organizer=_organizer(series),
    )


def event_summary(series: Series, entry: Occurrence) -> str:
    """``Event title · Session title`` for sessions (the session title defaults to
    its category's name), the event title otherwise."""
    if entry.session is None:
        return entry.event.title
    session = entry.session
    title = session.title or (
        series.category(session.category).name if session.category else session.id
    )
    return f"{entry.event.title} · {title}"


def _organizer(series: Series) -> vCalAddress:
    organiser = series.series.organiser
    # RFC 5546 requires ORGANIZER in a METHOD:PUBLISH feed; without an email
    # address the series web page is the organiser's URI.
    address = f"mailto:{organiser.email}" if organiser.email else series.series.url
    value = vCalAddress(address)
    value.params["CN"] = organiser.name
    return value


def entry_categories(series: Series, entry: Occurrence) -> list[str]:
    """CATEGORIES: the series title plus the category (or all, for a ceremony)."""
    names = [series.series.title]
    if entry.session is not None and entry.session.category:
        names.append(series.category(entry.session.category).name)
    elif entry.session is None and entry.event.awards_ceremony:
        names += [category.name for category in series.categories]
    return names


# --------------------------------------------------------------------------- descriptions


def describe(series: Series, entry: Occurrence) -> str:
    """The plain-text DESCRIPTION of an entry: paragraphs separated by blank lines."""
    labels, event, session = series.labels, entry.event, entry.session
    paragraphs: list[str] = []
    if session is not None:
        head = [f"{labels.session} {entry.index} {labels.of} {entry.count}: {event.title}"]
        if session.category:
            category = series.category(session.category)
            head.append(f"{labels.category}: {category.name}")
            if category.topics:
                head.append(f"{labels.topics}: {', '.join(category.topics)}")
        paragraphs.append("\n".join(head))
        paragraphs.append(session.description)
        if session.projects:
            projects = [_project_line(series, pid) for pid in session.projects]
            paragraphs.append(_listing(labels.projects, projects))
    else:
        paragraphs.append(event.description)
    if event.host:
        paragraphs.append(f"{labels.host}: {event.host}")
    if session is None and event.awards_ceremony:
        paragraphs.append(_winners(series))
    panelists = (session.panelists if session else []) or event.panelists
    if panelists:
        label = labels.panelists if len(panelists) == 1 else labels.panelists_plural
        paragraphs.append(_listing(label, [_person_line(series, p) for p in panelists]))
    if session is None and event.jury:
        paragraphs.append(_listing(labels.jury, [_person_line(series, p) for p in event.jury]))
    if event.interpretation:
        paragraphs.append(f"{labels.interpretation}: {', '.join(event.interpretation)}")
    url = (session.url if session else None) or event.url or series.series.url
    paragraphs.append(f"{labels.event_page}: {url}")
    return "\n\n".join(p for p in paragraphs if p)


def _listing(heading: str, items: list[str]) -> str:
    return "\n".join([f"{heading}:", *(f"- {item}" for item in items)])


def _project_line(series: Series, project_id: str) -> str:
    project = series.project(project_id)
    text = f"{project.city} — {project.title}" if project.title else project.city
    return f"{text} ({project.prize})" if project.prize else text


def _person_line(series: Series, ref: PersonRef) -> str:
    person = series.person(ref.person)
    role = ref.role or person.role
    organisation = ref.organisation or person.organisation
    details = ", ".join(part for part in (role, organisation) if part)
    return f"{person.name} — {details}" if details else person.name


def _winners(series: Series) -> str:
    blocks = [f"{series.labels.winners}:"]
    for category in series.categories:
        projects = series.projects_in(category.id)
        if projects:
            lines = [category.name, *(f"- {_project_line(series, p.id)}" for p in projects)]
            blocks.append("\n".join(lines))
    return "\n".join(blocks) if len(blocks) > 1 else ""

"""What an event's page of a split schedule is made of, as one digest (its recipe): when
the recipe is the one the last build recorded for the page, and the page is still as
that build left it, the page is kept instead of made again, so one edited session costs
its own pages, not the thousands of others.

A recipe covers every input of the page: what every page of the edition shares (the
series' own tables, labels, settings, languages and feeds) and what is the page's own
(its entries' data and records, their state at the build time, its parts and
neighbours). The code and the libraries are not in it: the record of the last build
holds the recipes only for the same code (:mod:`~wego_ical.output.buildcache`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime

from wego_ical.model import CalendarEntry, Series, entry_uid
from wego_ical.page.views import state_at
from wego_ical.plan.records import EventRecord, FeedRecord


def shared_recipe(series: Series, feeds: Iterable[FeedRecord], parts: Iterable[object]) -> str:
    """The digest of what every page of an edition shows: ``parts`` are the edition's
    own (its language, links to the others, the texts that fell back, the lines every
    page shows)."""
    digest = hashlib.sha256()
    for model in (series.series, series.labels, series.publish):
        digest.update(model.digest_data())
    for table in (series.categories, series.people, series.projects, series.rooms):
        for item in table:
            digest.update(item.digest_data())
        digest.update(b"\0")
    for feed in feeds:
        digest.update(repr(feed).encode())
    for part in parts:
        digest.update(repr(part).encode() + b"\0")
    return digest.hexdigest()


def page_recipe(
    shared: str,
    series: Series,
    entries: list[CalendarEntry],
    records: Mapping[str, EventRecord],
    now: datetime | None,
    place: Iterable[object],
) -> str:
    """The digest of one page of ``entries`` (all of one event): ``shared`` (see
    :func:`shared_recipe`), the event's data, each entry's record and its state at
    ``now``, and ``place``: the page's path, part, siblings, neighbours and month."""
    digest = hashlib.sha256(shared.encode())
    digest.update(entries[0].event.digest_data())
    for entry in entries:
        record = records.get(entry_uid(series, entry))
        if record is None:
            digest.update(b"-")
            continue
        snapshot = record.snapshot
        digest.update(f"{record.uid}\0{record.fingerprint}\0{record.feeds}\0".encode())
        if now is not None and snapshot.repeat is not None:
            # A repeating entry lists its next occurrences after the build time.
            digest.update(now.isoformat().encode())
        elif now is not None:
            digest.update(state_at(snapshot, now).encode())
    for part in place:
        digest.update(repr(part).encode() + b"\0")
    return digest.hexdigest()

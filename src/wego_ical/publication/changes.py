"""What subscribers see change, told once across the series' languages; and what
``--prune`` keeps for now, and why.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import TYPE_CHECKING

from wego_ical.words import plural

if TYPE_CHECKING:
    from wego_ical.plan.reconcile import Change
    from wego_ical.publication.assemble import Publication


def all_changes(
    publication: Publication, translations: list[tuple[str, Publication]]
) -> list[Change]:
    """The changes of every language, each told once: a change made alike in every
    language is one change; one made in some languages only is marked with each."""
    if not translations:
        return list(publication.changes)
    default_code = publication.language
    further = {code: {c.uid: c for c in t.changes} for code, t in translations}
    changes = []
    for change in publication.changes:
        alike = [
            code
            for code, by_uid in further.items()
            if (other := by_uid.get(change.uid)) is not None
            and (other.kind, other.fields) == (change.kind, change.fields)
        ]
        for code in alike:
            del further[code][change.uid]
        if len(alike) == len(further):
            changes.append(change)
        else:
            changes.append(dataclasses.replace(change, language=default_code))
    for code, by_uid in further.items():
        changes += [dataclasses.replace(change, language=code) for change in by_uid.values()]
    return changes


def held_back(publication: Publication, prune: bool, grace: timedelta) -> list[str]:
    """Why ``--prune`` kept removed events, if it did: they were cancelled too recently
    for subscribed calendars to have seen it."""
    if not prune:
        return []
    held = [record for record in publication.state.events if record.removed]
    if not held:
        return []
    until = min(record.updated for record in held) + grace
    hours = grace.total_seconds() / 3600
    return [
        f"{plural(len(held), 'removed event')} {'stays' if len(held) == 1 else 'stay'} "
        f"cancelled until at least {until:%Y-%m-%d %H:%M} UTC: --prune drops an event "
        f"{hours:g} hours after its cancellation was published, so that subscribed calendars "
        "(which refresh every few hours) see it go; --prune-grace 0 drops them now"
    ]

"""What each command prints: the one home of report wording.

The library returns results (a build's files and changes, a publish's actions, a
file's findings); the functions here turn them into lines, the CLI prints them.
Long lists show their first items and count the rest, always the same way
(:func:`first_then_count`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from wego_ical.i18n.dates import day_and_clock, hh_mm
from wego_ical.words import plural

if TYPE_CHECKING:
    from wego_ical.lint.checks import Findings
    from wego_ical.pipeline import BuildResult, Checked, Diff
    from wego_ical.plan.reconcile import Change
    from wego_ical.plan.records import Snapshot
    from wego_ical.publication.assemble import Publication
    from wego_ical.publish.caldav.sync import SyncResult
    from wego_ical.publish.s3 import Action, S3Result

T = TypeVar("T")


def first_then_count(
    items: Sequence[T],
    limit: int | None,
    line: Callable[[T], str],
    rest: Callable[[Sequence[T]], str],
) -> list[str]:
    """A line for each of the first ``limit`` items (all when None), then one line
    ``rest(left_out)`` for the items left out, if any."""
    shown = items if limit is None else items[:limit]
    lines = [line(item) for item in shown]
    if len(items) > len(shown):
        lines.append(rest(items[len(shown) :]))
    return lines


# A build lists this many changes and files at most (a first build of a large
# series adds thousands of events in thousands of feeds); 'wego-ical diff'
# lists every change, feeds.json every feed.
FILES_SHOWN = 50
CHANGES_SHOWN = 50

_CHANGE_WORDS = {
    "added": "added",
    "changed": "changed",
    "moved": "moved to another event",
    "cancelled": "cancelled",
    "restored": "restored",
    "removed": "kept as cancelled (removed from the data)",
    "pruned": "pruned (dropped for good)",
}


def build_report(
    result: BuildResult, *, files_shown: int = FILES_SHOWN, changes_shown: int = CHANGES_SHOWN
) -> list[str]:
    """The lines ``wego-ical build`` prints: files, changes for subscribers, totals."""
    out_dir, publication = result.out_dir, result.publication
    lines = [f"warning: {warning}" for warning in result.warnings]
    if publication is None:
        return [
            *lines,
            f"Nothing changed: the data, the options and wego-ical are as at the last build of "
            f"{out_dir}, and its {result.unchanged_files:,} files are as that build left them "
            "(checked by size, inode and times); nothing was written.",
        ]
    if result.identity_change is not None:
        lines.append(f"warning: {result.identity_change.warning()}")
    labels = _file_labels(result)
    # Single-event files are summarised, not listed.
    listed = [r for r in result.files if r.path in labels or r.action == "removed"]
    lines += first_then_count(
        listed,
        files_shown,
        lambda item: _file_line(out_dir, item.path, item.action, labels.get(item.path, "")),
        lambda rest: f"… and {len(rest)} more files ({_by_kind(r.action for r in rest)})",
    )
    singles = [r for r in result.files if r.path not in labels and r.action != "removed"]
    lines.append(
        f"{len(singles)} single-event files in {out_dir / 'events'}"
        + "".join(f" and {out_dir / code / 'events'}" for code, _ in result.translations)
        + f": {sum(r.action == 'written' for r in singles)} written"
    )
    lines += change_report(result.changes, prune_hint=True, limit=changes_shown)
    feeds = len(publication.feeds) + sum(len(t.feeds) for _, t in result.translations)
    actions = Counter(r.action for r in result.files)
    lines.append(
        f"{plural(feeds, 'feed')} in {out_dir}: {plural(actions['written'], 'file')} written, "
        f"{actions['unchanged']} unchanged, {actions['removed']} removed."
    )
    lines += [f"note: {notice}" for notice in result.notices]
    return lines


def _file_labels(result: BuildResult) -> dict[str, str]:
    """What each listed file of a build is: '7 events', 'landing page', …"""
    from wego_ical.catalogue import CHANGES_FEED, INDEX_PAGE, QR_SCRIPT, SCHEDULE_JSON, SCHEDULE_XML

    SCHEDULES = (SCHEDULE_JSON, SCHEDULE_XML)
    from wego_ical.catalogue import STATE_FILE

    assert result.publication is not None
    labels = {feed.path: plural(feed.events, "event") for feed in result.publication.feeds}
    labels[INDEX_PAGE] = "landing page"
    labels[CHANGES_FEED] = "changes, Atom feed"
    labels |= {name: "schedule for conference apps" for name in SCHEDULES}
    labels |= _schedule_pages(result.publication, "")
    labels[QR_SCRIPT] = "the page's QR code generator"
    labels[STATE_FILE] = "publication state"
    for code, translation in result.translations:
        labels |= {f"{code}/{f.path}": plural(f.events, "event") for f in translation.feeds}
        labels[f"{code}/{INDEX_PAGE}"] = f"landing page, {code}"
        labels[f"{code}/{CHANGES_FEED}"] = f"changes, Atom feed, {code}"
        labels |= {f"{code}/{name}": f"schedule for conference apps, {code}" for name in SCHEDULES}
        labels |= _schedule_pages(translation, f"{code}/")
        labels[f"{code}/{STATE_FILE}"] = "publication state"
    return labels


def _schedule_pages(publication: Publication, prefix: str) -> dict[str, str]:
    """The pages of a schedule split by event (a large series), labelled."""
    from wego_ical.catalogue import SCHEDULE_FOLDER

    return {
        prefix + path: "schedule page"
        for path in publication.files
        if path.startswith(f"{SCHEDULE_FOLDER}/")
    }


def _file_line(out_dir: Path, path: str, action: str, label: str) -> str:
    if action == "removed":
        return f"removed    {out_dir / path}  (no longer produced)"
    verb = "wrote" if action == "written" else "unchanged"
    return f"{verb:<10} {out_dir / path}  ({label})"


def change_report(
    changes: Sequence[Change], *, prune_hint: bool, limit: int | None = None
) -> list[str]:
    """One line per change for subscribers (at most ``limit``), then the rest counted."""
    lines = first_then_count(
        changes,
        limit,
        _change_line,
        lambda rest: (
            f"… and {len(rest)} more ({_by_kind(c.kind for c in rest)}); "
            "'wego-ical diff' before a build lists every change."
        ),
    )
    if prune_hint and any(change.kind == "removed" for change in changes):
        lines.append(
            "Removed events stay in the feeds as cancelled so that subscribers see them go; "
            "'wego-ical build --prune' drops them for good."
        )
    return lines


def _change_line(change: Change) -> str:
    """``changed: Title <uid>: time 26 Aug 09:00–09:30 KST → 09:05–09:35 KST``: what
    changed, with the old and new values where they fit on a line."""
    before, after = change.before, change.after
    # A cancelled one's new title only repeats "Cancelled": the title as it was.
    cancelled = change.kind == "cancelled" and before is not None
    title = before.summary if cancelled and before is not None else change.summary
    only = f" ({change.language} only)" if change.language else ""
    head = f"{_CHANGE_WORDS[change.kind]}{only}: {title} <{change.uid}>"
    if change.kind == "added" and after is not None:
        return f"{head}: {_when(after)}"
    if change.kind not in ("changed", "moved", "restored", "cancelled") or not change.fields:
        return head
    if before is None or after is None:
        return f"{head} [{', '.join(change.fields)}]"
    # A cancellation's new title and status are what "cancelled" says already.
    names = [n for n in change.fields if not (cancelled and n in ("summary", "status"))]
    parts = _field_changes(names, before, after)
    return f"{head}: {'; '.join(parts)}" if parts else head


# Fields whose old and new values are shown; the others are named.
_SHOWN_FIELDS = {
    "summary": "title",
    "location": "location",
    "status": "status",
    "url": "link",
    "repeat": "repeat",
}
# What the other fields are called where a change names them.
_FIELD_WORDS = {"exdates": "days left out (except)", "overrides": "changed occurrences"}
# Fields that are consequences of others, or not worth a word of their own.
_QUIET_FIELDS = {"end", "timezone", "all_day", "language"}


def _field_changes(names: Sequence[str], before: Snapshot, after: Snapshot) -> list[str]:
    parts = []
    if {"start", "end", "timezone", "all_day"} & set(names):
        parts.append(f"time {_when(before)} → {_when(after)}")
    for name in names:
        if name in _SHOWN_FIELDS:
            old, new = getattr(before, name), getattr(after, name)
            parts.append(f"{_SHOWN_FIELDS[name]} {_quoted(old)} → {_quoted(new)}")
    named = [
        _FIELD_WORDS.get(name, name.replace("_", " "))
        for name in names
        if name not in _SHOWN_FIELDS and name not in _QUIET_FIELDS and name != "start"
    ]
    if named:
        parts.append(", ".join(named))
    return parts


def _quoted(value: object) -> str:
    if value is None:
        return "(none)"
    text = str(value)
    return f'"{text[:57]}…"' if len(text) > 60 else f'"{text}"'


def _when(snapshot: Snapshot) -> str:
    """When an entry is, in its own zone: ``2021-08-26 09:00–09:30 KST``."""
    start, end = snapshot.aware_start, snapshot.aware_end
    if snapshot.all_day:
        last = (snapshot.end - timedelta(days=1)).date()
        day = start.date().isoformat()
        return day if last <= start.date() else f"{day} to {last.isoformat()}"
    zone = end.tzname() or ""
    repeats = f", repeating {snapshot.repeat}" if snapshot.repeat else ""
    if start.date() == end.date():
        return f"{day_and_clock(start)}–{hh_mm(end)} {zone}{repeats}"
    return f"{day_and_clock(start)} – {day_and_clock(end)} {zone}{repeats}"


def _by_kind(kinds: Iterable[str]) -> str:
    """ "3 added, 1 changed": the rest of a list cut short, by kind."""
    return ", ".join(f"{count} {kind}" for kind, count in Counter(kinds).items())


def publish_report(result: SyncResult | S3Result) -> tuple[list[str], bool]:
    """What ``publish`` prints, and whether it failed (conflicts: exit status 1)."""
    from wego_ical.publish.caldav.sync import SyncResult

    if isinstance(result, SyncResult):
        return sync_report(result), bool(result.conflicts)
    return s3_report(result), False


def s3_line(action: Action) -> str:
    """One request ``publish --s3`` made, as it is made."""
    verb = "uploaded" if action.kind == "upload" else "deleted "
    return f"{verb} {action.path}  ({action.reason})"


def s3_report(result: S3Result) -> list[str]:
    """The lines ``publish --s3`` prints after its requests."""
    plan = result.plan
    lines = []
    if result.dry_run:
        lines += [f"would upload {a.path}  ({a.reason})" for a in plan.uploads]
        lines += [f"would delete {a.path}  ({a.reason})" for a in plan.deletes]
    lines += first_then_count(
        plan.foreign,
        5,
        lambda a: f"left alone: {plan.target}{a.path} ({a.reason})",
        lambda rest: f"… and {len(rest)} more objects left alone",
    )
    summary = (
        f"{len(plan.uploads)} uploaded, {len(plan.deletes)} deleted, {plan.unchanged} "
        f"unchanged, {len(plan.foreign)} left alone"
    )
    if result.dry_run:
        lines.append(f"dry run, nothing sent to {plan.target}: {summary}")
    else:
        lines.append(f"{plan.target}: {summary}")
        if result.cors:
            lines.append(f"{plan.target.bucket}: CORS allows {result.cors} to read the files")
    return lines


def sync_report(result: SyncResult) -> list[str]:
    """The lines ``wego-ical publish`` prints."""
    lines = []
    if result.created_calendar:
        made = "would create" if result.dry_run else "created"
        lines.append(f"{made} the calendar {result.url}")
    listed = result.actions if result.dry_run else result.done
    for action in listed:
        if not action.writes:
            continue
        verb = _VERBS[action.kind][result.dry_run]
        note = f" ({action.note})" if action.note else ""
        lines.append(f"{verb}: {action.summary} <{action.href}>{note}")
    for action in result.conflicts:
        if action.kind == "refused":
            lines.append(f"not sent: {action.summary} <{action.href}>: {action.note}")
            continue
        lines.append(
            f"conflict: {action.summary} <{action.href}>: {action.note}; left as it is on the "
            "server (publish --force replaces it)"
        )
    # Writes as done (or, in a dry run, planned); unchanged as planned, and the writes
    # another publish had made already.
    kinds = Counter(a.kind for a in listed if a.writes)
    unchanged = sum(a.kind == "unchanged" for a in result.actions) + len(result.found_done)
    refused = sum(a.kind == "refused" for a in result.conflicts)
    conflicts = len(result.conflicts) - refused
    summary = (
        f"{kinds['create'] + kinds['recreate']} created, {kinds['update']} updated, "
        f"{kinds['delete']} deleted, {unchanged} unchanged, "
        f"{plural(conflicts, 'conflict')}"
        + (f", {refused} refused by the server" if refused else "")
    )
    if result.dry_run:
        lines.append(f"dry run, nothing sent to {result.url}: {summary}")
    else:
        changed = plural(len(result.done), "request")
        lines.append(f"{result.url}: {summary} ({changed} changed data)")
    return lines


# What each kind of write is called in the report: (done, planned in a dry run).
_VERBS = {
    "create": ("created", "would create"),
    "recreate": ("created again", "would create again"),
    "update": ("updated", "would update"),
    "delete": ("deleted", "would delete"),
}


def diff_report(diff: Diff) -> list[str]:
    """The lines ``wego-ical diff`` prints."""
    lines = []
    if diff.identity_change is not None:
        lines.append(f"warning: {diff.identity_change.warning()}")
        lines.append("  ('wego-ical build' refuses this without --new-uids or --replace.)")
    lines += change_report(diff.changes, prune_hint=not diff.prune)
    notes = [f"note: {note}" for note in diff.notes]
    if diff.changes:
        return lines + notes
    out_dir, differ = diff.out_dir, diff.differing
    if not differ:
        return [
            *lines,
            f"No changes for subscribers: {out_dir} is up to date with {diff.data_path}.",
        ]
    shown = ", ".join(str(out_dir / path) for path in differ[:10])
    more = f" and {len(differ) - 10} more" if len(differ) > 10 else ""
    lines.append(
        f"{plural(len(differ), 'file')} in {out_dir} "
        f"{'differs' if len(differ) == 1 else 'differ'} from what {diff.data_path} builds "
        f"(missing, edited by hand, damaged, or built by another version): {shown}{more}; "
        "'wego-ical build' rewrites them."
    )
    return [*lines, "No changes for subscribers.", *notes]


def check_report(checked: Checked) -> list[str]:
    """The lines ``wego-ical check`` prints: the series and what a build would produce."""
    series = checked.series
    info = series.series
    lines = [
        f"{checked.data_path}: OK — {info.title} ({info.timezone})",
        f"  {len(series.events)} events, {checked.entries} calendar entries, "
        f"{len(series.categories)} categories, {len(series.projects)} projects, "
        f"{len(series.people)} people"
        + (f", {plural(len(rooms), 'room')}" if (rooms := series.all_rooms()) else ""),
    ]
    if len(info.languages) > 1:
        further = ", ".join(f"{code}/" for code in info.languages[1:])
        lines.append(
            f"  languages: {', '.join(info.languages)} "
            f"(the feeds below, and the same set in {further})"
        )
    lines += [f"  note: {note}" for note in checked.notes]
    lines.append("  would build:")
    lines += [
        f"    {plan.path:<45} {plural(len(plan.entries), 'event'):<10} {plan.name}"
        for plan in checked.feeds
    ]
    return lines


# A damaged or foreign file can hold millions of findings; the first ones say
# what is wrong, the count says how much.
FINDINGS_SHOWN = 100


def lint_report(results: Sequence[tuple[Path, Findings | str]]) -> tuple[list[str], int]:
    """The lines ``wego-ical lint`` prints, and the number of errors."""
    lines: list[str] = []
    errors = 0
    for path, findings in results:
        if isinstance(findings, str):  # the file could not be read
            lines.append(f"{path}: error: {findings}")
            errors += 1
            continue
        lines += [finding.render(str(path)) for finding in findings[:FINDINGS_SHOWN]]
        if findings.total > FINDINGS_SHOWN:
            lines.append(f"{path}: … and {findings.total - FINDINGS_SHOWN:,} more errors not shown")
        errors += findings.total
    lines.append(f"{plural(len(results), 'file')} checked: {plural(errors, 'error')}.")
    return lines, errors

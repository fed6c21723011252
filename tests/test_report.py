"""report: the wording of every command's output, from results made by hand."""

from __future__ import annotations

from pathlib import Path

from wego_ical.lint.checks import Finding, Findings
from wego_ical.plan.reconcile import Change
from wego_ical.report import FINDINGS_SHOWN, change_report, first_then_count, lint_report


def test_first_then_count_shows_the_first_and_counts_the_rest() -> None:
    items = list(range(7))
    lines = first_then_count(items, 3, str, lambda rest: f"… and {len(rest)} more")
    assert lines == ["0", "1", "2", "… and 4 more"]
    assert first_then_count(items, None, str, lambda rest: "never") == [str(i) for i in items]
    assert first_then_count(items[:3], 3, str, lambda rest: "never") == ["0", "1", "2"]


def test_change_report_counts_the_rest_by_kind_and_hints_at_prune() -> None:
    changes = [
        Change("added", "a@x", "A"),
        Change("changed", "b@x", "B", ("start", "end")),
        Change("removed", "c@x", "C"),
        Change("added", "d@x", "D"),
    ]
    assert change_report(changes, prune_hint=True, limit=2) == [
        "added: A <a@x>",
        "changed: B <b@x> [start, end]",
        "… and 2 more (1 removed, 1 added); 'wego-ical diff' before a build lists every change.",
        "Removed events stay in the feeds as cancelled so that subscribers see them go; "
        "'wego-ical build --prune' drops them for good.",
    ]


def test_lint_report_counts_every_finding_and_unreadable_files() -> None:
    many = Findings(Finding(line, "bad") for line in range(1, FINDINGS_SHOWN + 6))
    many.more = 10
    lines, errors = lint_report([(Path("a.ics"), many), (Path("b.ics"), "cannot be read: nope")])
    assert errors == FINDINGS_SHOWN + 5 + 10 + 1
    assert lines[0] == "a.ics:1: error: bad"
    assert lines[FINDINGS_SHOWN] == "a.ics: … and 15 more errors not shown"
    assert lines[-2:] == [
        "b.ics: error: cannot be read: nope",
        f"2 files checked: {errors} errors.",
    ]

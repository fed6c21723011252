"""load + model: every kind of bad input gets one clear message with its place."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA
from wego_ical.cli import main
from wego_ical.errors import DataError, Problem
from wego_ical.load.messages import KeyLocator, toml_path
from wego_ical.load.series_file import load_series, parse_editions, parse_series
from wego_ical.model import Series


def problems(text: str) -> list[Problem]:
    with pytest.raises(DataError) as caught:
        parse_series(text, "events.toml")
    return caught.value.problems


def only_problem(text: str) -> Problem:
    found = problems(text)
    assert len(found) == 1, [str(p.message) for p in found]
    return found[0]


def edit(text: str, old: str, new: str, count: int = 1) -> str:
    assert old in text, old
    return text.replace(old, new, count)


def test_the_wego_data_is_valid(wego: Series) -> None:
    assert [event.id for event in wego.events] == ["part-1", "part-2", "ceremony"]
    assert [c.id for c in wego.categories] == [
        "mobility",
        "open-and-inclusive-city",
        "safe-city",
        "efficient-government",
        "emerging-technology",
        "sustainable-city",
    ]
    assert wego.series.timezone == "Asia/Seoul"
    assert len(wego.events[2].judges) == 6


# ------------------------------------------------------------------ files


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        load_series(tmp_path / "nope.toml")
    assert str(caught.value).endswith(
        "nope.toml: file not found; check the path or pass --data PATH"
    )


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"is a folder; pass the \.toml file itself"):
        load_series(tmp_path)


def test_not_utf8(write_toml: Callable[..., Path]) -> None:
    path = write_toml("")
    path.write_bytes(b'[series]\nid = "caf\xe9"\n')
    with pytest.raises(DataError) as caught:
        load_series(path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (2, 10)
    assert problem.message == "is not UTF-8 (byte 0xe9); save the file as UTF-8"


def test_empty_file(write_toml: Callable[..., Path]) -> None:
    with pytest.raises(DataError, match=r"is empty; it needs at least a \[series\] table"):
        load_series(write_toml("  \n\n"))


def test_utf8_bom_is_accepted(write_toml: Callable[..., Path], wego_text: str) -> None:
    path = write_toml("")
    path.write_bytes(b"\xef\xbb\xbf" + wego_text.encode())
    assert load_series(path).series.id == "wego-awards-4"


@pytest.mark.parametrize(
    ("text", "line", "column", "reason", "hint"),
    [
        ('[series]\ntitle = "unclosed\n', 2, 18, "Illegal character", "close the quote"),
        ("[series]\nid = 1\nid = 2\n", 3, 7, "Cannot overwrite a value", "already set earlier"),
        ("[[events]]\ndate = 2021-13-01\n", 2, 12, "Expected newline", "not a real date"),
        ("x = [1, 2\ny = 3\n", 2, 1, "Unclosed array", "add the missing ]"),
        ("a = 1\nx = [1, 2\n", 2, None, "Unclosed array at the end of the file", "missing ]"),
    ],
)
def test_toml_syntax_errors_have_line_and_column(
    text: str, line: int, column: int | None, reason: str, hint: str
) -> None:
    problem = only_problem(text)
    assert (problem.line, problem.column) == (line, column)
    assert problem.message.startswith(f"TOML syntax error: {reason}")
    assert hint in problem.message


# ------------------------------------------------------------------ schema


def test_missing_required_key(wego_text: str) -> None:
    problem = only_problem(edit(wego_text, 'uid_domain = "we-gov.org"\n', ""))
    assert problem.key == "series.uid_domain"
    assert problem.message == "required key 'uid_domain' is missing; add it"
    assert problem.line == 7  # the [series] header


def test_unknown_key_with_did_you_mean_and_line(wego_text: str) -> None:
    text = edit(wego_text, 'id = "safe-city"\nstart', 'id = "safe-city"\nstrat = 10:00:00\nstart')
    problem = only_problem(text)
    assert problem.key == 'events[0].sessions[2].strat (id "part-1" › "safe-city")'
    assert problem.message == (
        "unknown key 'strat' (did you mean 'start'?); remove it or fix its spelling"
    )
    assert text.splitlines()[problem.line - 1] == "strat = 10:00:00"  # type: ignore[operator]


def test_unknown_key_without_close_match_lists_allowed_keys(wego_text: str) -> None:
    problem = only_problem(edit(wego_text, "[publish]\n", "[publish]\ncolour = 1\n"))
    assert problem.message == (
        "unknown key 'colour' (allowed here: base_url, feeds, refresh_hours, "
        "reminder_minutes, all_day_reminder_minutes); remove it or fix its spelling"
    )


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        (
            "start = 15:00:00",
            'start = "15:00"',
            'events[2].start (id "ceremony")',
            "Input should be a valid time (got '15:00'); "
            "write a TOML local time such as 09:30:00 (no quotes)",
        ),
        (
            "date = 2021-10-18",
            'date = "18 Oct"',
            'events[2].date (id "ceremony")',
            "Input should be a valid date (got '18 Oct'); "
            "write a TOML date such as 2021-08-26 (no quotes)",
        ),
        (
            "all_categories = true",
            'all_categories = "yes"',
            'events[2].all_categories (id "ceremony")',
            "Input should be a valid boolean (got 'yes'); write true or false (no quotes)",
        ),
        (
            "refresh_hours = 12",
            'refresh_hours = "12"',
            "publish.refresh_hours",
            "Input should be a valid integer (got '12'); write a whole number (no quotes)",
        ),
        (
            "updated = 2026-11-27T00:00:00Z",
            "updated = 2026-11-27T00:00:00",
            "series.updated",
            "needs a UTC offset, for example 2021-09-01T00:00:00Z",
        ),
    ],
)
def test_wrong_types(wego_text: str, old: str, new: str, key: str, message: str) -> None:
    problem = only_problem(edit(wego_text, old, new))
    assert (problem.key, problem.message) == (key, message)


def test_end_not_after_start(wego_text: str) -> None:
    problem = only_problem(
        edit(wego_text, "start = 09:00:00\nend = 09:30:00", "start = 09:00:00\nend = 09:00:00")
    )
    assert problem.key == 'events[0].sessions[0].end (id "part-1" › "mobility")'
    assert problem.message == (
        "end 09:00 is not after start 09:00; if it ends after midnight, add end_date = 2021-08-27"
    )


def test_event_end_before_start(wego_text: str) -> None:
    problem = only_problem(edit(wego_text, "start = 15:00:00", "start = 18:00:00"))
    assert problem.key == 'events[2].end (id "ceremony")'
    assert problem.message.startswith("end 17:00 is not after start 18:00")


def test_overlapping_sessions(wego_text: str) -> None:
    problem = only_problem(edit(wego_text, "end = 16:30:00", "end = 16:45:00"))
    assert problem.key == 'events[1].sessions[1].start (id "part-2" › "emerging-technology")'
    assert problem.message == (
        "session 'emerging-technology' starts at 16:30 before session 'efficient-government' "
        "ends at 16:45; move one of them, or give them rooms (sessions in different "
        'rooms may overlap: room = "…")'
    )


def test_session_outside_its_event(wego_text: str) -> None:
    problem = only_problem(edit(wego_text, "end = 10:30:00\nlocation", "end = 10:15:00\nlocation"))
    assert problem.key == 'events[0].sessions[2] (id "part-1" › "safe-city")'
    assert problem.message == (
        "session 'safe-city' (10:00–10:30) lies outside its event's time (09:00–10:15) on "
        "2021-08-26; move it or widen the event"
    )


def test_event_without_sessions_needs_times(wego_text: str) -> None:
    text = edit(wego_text, "start = 15:00:00\nend = 17:00:00\n", "")
    problem = only_problem(text)
    assert problem.key == 'events[2].start (id "ceremony")'
    assert "an event without sessions needs start and end times" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        (
            'category = "safe-city"\nprojects',
            'category = "safe-cty"\nprojects',
            'events[0].sessions[2].category (id "part-1" › "safe-city")',
            "unknown category 'safe-cty'; did you mean 'safe-city'? "
            "Otherwise add it under [[categories]]",
        ),
        (
            'panelists = ["donovan-storey"]',
            'panelists = ["nobody"]',
            'events[1].panelists[0].person (id "part-2")',
            "unknown person 'nobody'; use one of donovan-storey, javier-vergara-petrescu, "
            "jean-francois-habeau, philip-bane, renata-avila, shipra-narang-suri, "
            "or add it under [[people]]",
        ),
        (
            '"mashhad-simap"]',
            '"mashhad-simap", "atlantis-x"]',
            'events[1].sessions[2].projects[2] (id "part-2" › "sustainable-city")',
            "unknown project 'atlantis-x'; use the id of one of the 13 [[projects]], "
            "or add it there",
        ),
    ],
)
def test_unknown_references(wego_text: str, old: str, new: str, key: str, message: str) -> None:
    problem = only_problem(edit(wego_text, old, new))
    assert (problem.key, problem.message) == (key, message)


def test_duplicate_ids(wego_text: str) -> None:
    text = edit(wego_text, 'id = "ceremony"', 'id = "part-1"')
    problem = only_problem(text)
    assert problem.key == 'events[2].id (id "part-1")'
    assert problem.message == (
        "duplicate event id 'part-1' (already used by events[0]); give every event its own id"
    )


def test_duplicate_session_ids(wego_text: str) -> None:
    text = edit(wego_text, 'id = "safe-city"\nstart', 'id = "mobility"\nstart')
    assert only_problem(text).message.startswith("duplicate session id 'mobility'")


@pytest.mark.parametrize("bad", ["../x", "a/b", "", "Part-1", "part 1", "part--1", "-x", "x" * 65])
def test_ids_must_be_safe_file_names(wego_text: str, bad: str) -> None:
    problem = only_problem(edit(wego_text, 'id = "part-1"', f'id = "{bad}"'))
    assert problem.key.startswith("events[0].id")
    assert f"'{bad}' is not a valid id: use 1 to 64 lowercase letters" in problem.message


def test_reserved_event_id(wego_text: str) -> None:
    problem = only_problem(edit(wego_text, 'id = "ceremony"', 'id = "all"'))
    assert problem.message.startswith("event id 'all' is reserved for the build's own files")


@pytest.mark.parametrize(
    ("zone", "hint"),
    [("Asia/Seul", " Did you mean 'Asia/Seoul'?"), ("+09:00", ""), ("../../etc/passwd", "")],
)
def test_unknown_time_zone(wego_text: str, zone: str, hint: str) -> None:
    problem = only_problem(edit(wego_text, 'timezone = "Asia/Seoul"', f'timezone = "{zone}"'))
    assert problem.key == "series.timezone"
    assert problem.message == (
        f"'{zone}' is not an IANA time zone name; use a name such as 'Asia/Seoul' or "
        f"'America/New_York', never a bare offset.{hint}"
    )


DST_SERIES = """
[series]
id = "dst"
title = "DST"
url = "https://example.org/"
timezone = "America/New_York"
uid_domain = "example.org"
updated = 2021-01-01T00:00:00Z
[series.organiser]
name = "Org"

[[events]]
id = "spring"
title = "Spring"
date = 2021-03-14
start = {start}
end = {end}
"""


def test_local_time_in_a_dst_gap() -> None:
    problem = only_problem(DST_SERIES.format(start="02:30:00", end="04:00:00"))
    assert problem.key == 'events[0].start (id "spring")'
    assert problem.message == (
        "2021-03-14 02:30 does not exist (the clocks skip over it for daylight saving time) "
        "in America/New_York; choose another time"
    )


def test_local_time_in_a_dst_fold() -> None:
    text = DST_SERIES.format(start="00:30:00", end="01:30:00").replace("2021-03-14", "2021-11-07")
    problem = only_problem(text)
    assert problem.key == 'events[0].end (id "spring")'
    assert "2021-11-07 01:30 happens twice" in problem.message


def test_times_next_to_a_dst_change_are_fine() -> None:
    series = parse_series(DST_SERIES.format(start="01:00:00", end="03:00:00"))
    assert series.events[0].start is not None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'title = { en = "WeGO Awards Webinar Part 1", ko = "WeGO 어워즈 웨비나 1부" }',
            'title = "Part\\u0000 1"',
            "control character",
        ),
        (
            'title = { en = "WeGO Awards Webinar Part 1", ko = "WeGO 어워즈 웨비나 1부" }',
            'title = "Part\\n1"',
            "keep this text on one line",
        ),
        (
            'title = { en = "WeGO Awards Webinar Part 1", ko = "WeGO 어워즈 웨비나 1부" }',
            'title = "   "',
            "must not be empty",
        ),
        (
            'location = { en = "Online", ko = "온라인" }',
            'location = "On\\u001bline"',
            "control character",
        ),
    ],
)
def test_control_characters_in_text(wego_text: str, old: str, new: str, message: str) -> None:
    assert message in only_problem(edit(wego_text, old, new)).message


def test_description_may_have_line_breaks(wego_text: str) -> None:
    text = edit(
        wego_text,
        'description.en = """\nThe 4th WeGO Awards are',
        'description.en = """\nA\r\nB. The 4th WeGO Awards are',
    )
    assert parse_series(text).events[2].description.startswith("A\nB. The")


def test_all_independent_errors_in_one_run(wego_text: str) -> None:
    text = wego_text
    text = edit(text, 'timezone = "Asia/Seoul"', 'timezone = "Asia/Seul"')
    text = edit(text, 'id = "jakarta-smart-city"', 'id = "Jakarta Smart"')
    text = edit(text, 'category = "safe-city"\nprojects', 'category = "safe-cty"\nprojects')
    text = edit(text, "end = 16:30:00", "end = 16:45:00")
    text = edit(text, "start = 15:00:00", 'start = "15:00"')
    text = edit(text, '"renata-avila",', '"renata-avil",')
    found = problems(text)
    assert [p.key.split(" ")[0] for p in found] == [
        "series.timezone",
        "projects[3].id",
        "events[0].sessions[1].projects[1]",
        "events[0].sessions[2].category",
        "events[1].sessions[1].start",
        "events[2].start",
        "events[2].judges[0].person",
    ]
    assert all(p.line is not None for p in found)


def test_no_events(wego_text: str) -> None:
    head = wego_text.split("[[events]]")[0]
    problem = only_problem("events = []\n" + head)
    assert problem.message == "no events; add at least one [[events]] table"


def test_error_text_names_file_line_and_path(wego_text: str) -> None:
    with pytest.raises(DataError) as caught:
        parse_series(edit(wego_text, 'timezone = "Asia/Seoul"', 'timezone = "Nowhere"'), "d/e.toml")
    assert str(caught.value) == (
        "d/e.toml: 1 problem found; nothing was written.\n"
        "  d/e.toml:16:1: series.timezone: 'Nowhere' is not an IANA time zone name; use a name "
        "such as 'Asia/Seoul' or 'America/New_York', never a bare offset."
    )


def test_toml_path_and_locator() -> None:
    text = (
        '[series]\nid = "x"\n\n[[events]]\nid = "a"\n\n'
        '[[events]]\nid = "b"\n[[events.sessions]]\nid = "s"\nstart = 1\n'
    )
    data = {"events": [{"id": "a"}, {"id": "b", "sessions": [{"id": "s"}]}]}
    loc = ("events", 1, "sessions", 0, "start")
    assert toml_path(loc, data) == 'events[1].sessions[0].start (id "b" › "s")'
    assert KeyLocator(text).find(loc) == (11, 1)
    assert KeyLocator(text).find(("events", 1, "id")) == (8, 1)
    assert KeyLocator(text).find(("series", "id")) == (2, 1)
    assert KeyLocator(text).find(("events", 5)) == (None, None)


def test_a_duplicate_id_is_reported_with_every_other_problem(wego_text: str) -> None:
    """The README promises every problem in one run: a duplicate id must not wait until
    a bad time next to it is fixed."""
    text = wego_text.replace('id = "part-2"', 'id = "part-1"', 1).replace(
        "end = 09:30:00", "end = 09:00:00", 1
    )
    with pytest.raises(DataError) as caught:
        parse_series(text)
    messages = [problem.message for problem in caught.value.problems]
    assert len(messages) == 2, messages
    assert messages[0].startswith("end 09:00 is not after start 09:00")
    assert messages[1].startswith("duplicate event id 'part-1' (already used by events[0])")


def test_thousands_of_problems_are_all_located_and_the_first_hundred_shown() -> None:
    head = """[series]
id = "s"
title = "S"
url = "https://example.org/"
timezone = "Europe/Berlin"
uid_domain = "example.org"
[series.organiser]
name = "O"
"""
    body = "".join(
        f'[[events]]\nid = "e{e}"\ntitle = "E"\ndate = 2030-01-01\n'
        + "".join(
            f'[[events.sessions]]\nid = "s{k}"\nstart = 10:00:00\nend = 09:00:00\n'
            for k in range(10)
        )
        for e in range(300)
    )
    text = head + body
    with pytest.raises(DataError) as caught:
        parse_series(text, "big.toml")
    problems = caught.value.problems
    assert len(problems) == 3000
    lines = text.splitlines()
    for problem in problems[::97]:
        assert problem.line is not None
        assert lines[problem.line - 1] == "end = 09:00:00"
        _event, session = re.findall(r'"(\w+)"', problem.key)
        assert lines[problem.line - 3] == f'id = "{session}"'
    message = str(caught.value).splitlines()
    assert message[0] == "big.toml: 3000 problems found; nothing was written."
    assert len(message) == 1 + 100 + 1
    assert message[-1].startswith("  … and 2,900 more problems not shown")


def test_a_device_that_never_ends_is_read_only_up_to_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("wego_ical.load.series_file.MAX_FILE_BYTES", 1_000_000)
    with pytest.raises(DataError) as caught:
        load_series(Path("/dev/zero"))
    assert caught.value.problems[0].message == (
        "is larger than the limit of 1 MB. Split the series into several files"
    )


@pytest.mark.parametrize("opener", ["[", "{a = "])
def test_values_nested_too_deeply(opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    text = "[series]\nx = " + opener * 2000 + "1" + closer * 2000 + "\n"
    with pytest.raises(DataError) as caught:
        parse_series(text)
    assert caught.value.problems[0].message.startswith(
        "TOML syntax error: lists or inline tables nested hundreds of levels deep"
    )


def test_a_huge_wrong_value_is_shown_short() -> None:
    text = "[series]\nid = [" + "{a = " * 300 + "1" + "}" * 300 + ', "x"]\n'
    with pytest.raises(DataError) as caught:
        parse_series(text)
    (problem,) = [p for p in caught.value.problems if p.key == "series.id"]
    assert problem.message.startswith(
        "Input should be a valid string (got [{'a': {'a': {...}}}, 'x']); write text in quotes"
    )


def test_the_limit_holds_on_the_composed_description(wego_text: str) -> None:
    """Each topic is short, but a session lists all of its category's topics."""
    topics = ", ".join(f'"Topic {n:05} {"x" * 80}"' for n in range(600))
    text = wego_text.replace(
        'topics = [\n  { en = "Efficient Transport"',
        f'topics = [{topics}, {{ en = "Efficient Transport"',
        1,
    )
    with pytest.raises(DataError) as caught:
        parse_series(text)
    problems = caught.value.problems
    assert [problem.key for problem in problems] == [
        'events[0].sessions[0] (id "part-1" › "mobility")'
    ]
    assert problems[0].message.startswith("its description would be 56,890 characters long")
    assert "the limit is 50,000" in problems[0].message
    assert problems[0].line == text.splitlines().index("[[events.sessions]]") + 1


def test_the_total_of_all_descriptions_is_limited(
    wego_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("wego_ical.load.series_file.MAX_TOTAL_DESCRIPTIONS", 1_000)
    with pytest.raises(DataError) as caught:
        parse_series(wego_text)
    (problem,) = caught.value.problems
    assert problem.key == "events"
    assert problem.message.startswith("the descriptions of all calendar entries together would be")


def test_times_may_leave_out_the_seconds_as_toml_1_1_allows(wego_text: str) -> None:
    short = re.sub(r"^(start|end) = (\d\d:\d\d):00$", r"\1 = \2", wego_text, flags=re.M)
    assert short.count(":00\n") < wego_text.count(":00\n")
    assert parse_series(short) == parse_series(wego_text)


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("start = 9:00", "write times as 09:00:00 (24-hour clock"),
        ("start = 9am", "write times as 09:00:00 (24-hour clock"),
        ("start = 9:30 pm", "write times as 09:00:00 (24-hour clock"),
        ("start = 24:00:00", "write times as 09:00:00 (24-hour clock"),
        ("date = 2021-9-14", "write dates as 2021-09-14 (year-month-day"),
        ("date = 14/09/2021", "write dates as 2021-09-14 (year-month-day"),
        ("location = Online", 'put text in quotes: location = "Online"'),
        ("title = Hello world", 'put text in quotes: title = "Hello world"'),
        ("all_categories = yes", "write all_categories = true or all_categories = false"),
    ],
)
def test_syntax_errors_of_values_say_how_to_write_them(line: str, hint: str) -> None:
    text = f'[[events]]\nid = "x"\n{line}  # a comment\n'
    with pytest.raises(DataError) as caught:
        parse_series(text)
    (problem,) = caught.value.problems
    assert problem.line == 3
    assert problem.message.startswith("TOML syntax error: ")
    assert problem.message.split("; ", 1)[1].startswith(hint), problem.message


def test_old_key_names_still_work_with_a_note(tmp_path: Path) -> None:
    """awards_ceremony and jury were WeGO-shaped; all_categories and judges replace them."""
    new = DATA.read_text(encoding="utf-8")
    old = new.replace("all_categories = true", "awards_ceremony = true").replace(
        "judges = [", "jury = ["
    )
    old = old.replace("[labels]\n", '[labels]\njury = "The jury"\n', 1)
    current, former = parse_editions(new, "new.toml")[0], parse_editions(old, "old.toml")[0]
    assert current.notes == ()
    assert former.series.events[2].all_categories
    assert former.series.events[2].judges == current.series.events[2].judges
    assert former.series.labels.judges == "The jury"
    assert [note.split(": ", 1)[1] for note in former.notes] == [
        "events[2].awards_ceremony (id \"ceremony\") is now called 'all_categories'; rename it "
        "(the old name still works)",
        "events[2].jury (id \"ceremony\") is now called 'judges'; rename it (the old name still "
        "works)",
        "labels.jury is now called 'judges'; rename it (the old name still works)",
    ]
    both = old.replace("awards_ceremony = true", "awards_ceremony = true\nall_categories = true")
    with pytest.raises(
        DataError, match=r"both 'awards_ceremony' .its old name. and 'all_categories'"
    ):
        parse_editions(both, "both.toml")


def test_a_project_needs_a_city_or_a_title() -> None:
    text = DATA.read_text(encoding="utf-8")
    first = text.index("[[projects]]")
    city = text.index("city = ", first)
    line_end = text.index("\n", city)
    without_city = text[:city] + text[line_end + 1 :]
    series = parse_series(without_city)
    assert series.projects[0].city is None and series.projects[0].title
    title = without_city.index("title = ", first)
    nameless = without_city[:title] + without_city[without_city.index("\n", title) + 1 :]
    with pytest.raises(DataError, match="a project needs a title, a city, or both"):
        parse_series(nameless)


def _with_silent_fallbacks() -> str:
    """The WeGO file with two categories missing their Korean name and a session that
    has neither a title nor a category."""
    text = DATA.read_text(encoding="utf-8")
    text = text.replace('name = { en = "Mobility", ko = "이동성" }', 'name = { en = "Mobility" }')
    text = text.replace(
        'name = { en = "Safe City", ko = "안전한 도시" }', 'name = { en = "Safe City" }'
    )
    part_2 = text.index('id = "part-2"')
    first_session = text.index("[[events.sessions]]", part_2)
    return (
        text[:first_session]
        + '[[events.sessions]]\nid = "closing-qa"\nall_day = true\n\n'
        + text[first_session:]
    )


def test_silent_fallbacks_are_noted(tmp_path: Path) -> None:
    edition = parse_editions(_with_silent_fallbacks(), "events.toml")[0]
    assert edition.notes == (
        "2 texts with translations have none into 'ko' and show the 'en' text there (the "
        'first: categories[0].name (id "mobility") (line 45)); add ko = "…" to them',
        'line 282: events[1].sessions[0] (id "part-2" › "closing-qa") has no title and no '
        "category, so its calendar title is its id: 'WeGO Awards Webinar Part 2 · "
        'closing-qa\'; add title = "…"',
    )


def test_check_shows_notes_and_strict_makes_them_errors(tmp_path: Path) -> None:
    data = tmp_path / "events.toml"
    data.write_text(_with_silent_fallbacks(), encoding="utf-8")
    runner = CliRunner()
    checked = runner.invoke(main, ["check", "--data", str(data)])
    assert checked.exit_code == 0, checked.output
    assert "  note: 2 texts with translations have none into 'ko'" in checked.output
    built = runner.invoke(main, ["build", "--data", str(data), "--out", str(tmp_path / "dist")])
    assert built.exit_code == 0
    assert "warning: " in built.output and "has no title and no category" in built.output
    for command in (["check"], ["build", "--out", str(tmp_path / "strict")]):
        refused = runner.invoke(main, [*command, "--data", str(data), "--strict"])
        assert refused.exit_code == 1
        assert refused.output.startswith(f"Error: {data}: 2 problems found; nothing was written.")
        assert "(an error with --strict)" in refused.output
    assert not (tmp_path / "strict").exists()

"""The one catalogue of bad inputs, by name: how each mistake changes the WeGO file
and the exact message it must get (file, place, what is wrong, how to fix it).
``tests/load/test_mistakes.py`` checks each through the library and through the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from conftest import DATA

BASE = DATA.read_text(encoding="utf-8")


def edit(old: str, new: str) -> Callable[[str], str]:
    def apply(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return apply


NEW_YORK = edit('timezone = "Asia/Seoul"', 'timezone = "America/New_York"')


def in_new_york(old: str, new: str) -> Callable[[str], str]:
    return lambda text: edit(old, new)(NEW_YORK(text))


CASES: list[tuple[str, Callable[[str], str | bytes] | None, list[str]]] = [
    ("missing file", None, ["missing.toml: file not found; check the path or pass --data PATH"]),
    (
        "not utf-8",
        lambda text: text.replace(
            'city = { en = "São Paulo", ko = "상파울루" }', 'city = "S\udce3o Paulo"'
        ).encode("utf-8", "surrogateescape"),
        ["events.toml:{L}:10: is not UTF-8 (byte 0xe3); save the file as UTF-8"],
    ),
    (
        "empty",
        lambda text: "\n  \n",
        ["events.toml: is empty; it needs at least a [series] table and one [[events]]"],
    ),
    (
        "unclosed string",
        edit('ko = "제4회 WeGO 어워즈" }', 'ko = "제4회 WeGO 어워즈 }'),
        [
            "events.toml:{L}:55: TOML syntax error: Illegal character '\\n'; a line ends inside a "
            'quoted text: close the quote, or use triple quotes (""") for text over several lines'
        ],
    ),
    (
        "duplicate key",
        edit('ko = "제4회 WeGO 어워즈" }', 'ko = "제4회 WeGO 어워즈" }\ntitle = "Again"'),
        [
            "events.toml:{L}:16: TOML syntax error: Cannot overwrite a value; this key is already "
            "set earlier in the same table: remove or rename one of them"
        ],
    ),
    (
        "bad date",
        edit("date = 2021-08-26", "date = 2021-02-30"),
        [
            "events.toml:{L}:8: TOML syntax error: Invalid date or datetime; not a real date: "
            "the month runs from 01 to 12, the day within the month"
        ],
    ),
    (
        "missing required key",
        edit('title = { en = "4th WeGO Awards", ko = "제4회 WeGO 어워즈" }\n', ""),
        ["events.toml:{L}:1: series.title: required key 'title' is missing; add it"],
    ),
    (
        "wrong type",
        edit("refresh_hours = 12", 'refresh_hours = "12"'),
        [
            "events.toml:{L}:1: publish.refresh_hours: Input should be a valid integer (got '12'); "
            "write a whole number (no quotes)"
        ],
    ),
    (
        "unknown key",
        edit("uid_domain =", "uid_domian ="),
        [
            "events.toml:{L}:1: series.uid_domian: unknown key 'uid_domian' (did you mean "
            "'uid_domain'?); remove it or fix its spelling"
        ],
    ),
    (
        "end equal to start",
        edit("start = 15:00:00\nend = 17:00:00", "start = 15:00:00\nend = 15:00:00"),
        [
            'events.toml:{L}:1: events[2].end (id "ceremony"): end 15:00 is not after start '
            "15:00; if it ends after midnight, add end_date = 2021-10-19"
        ],
    ),
    (
        "overlapping sessions",
        edit("end = 16:30:00", "end = 16:45:00"),
        [
            'events.toml:{L}:1: events[1].sessions[1].start (id "part-2" › "emerging-technology"): '
            "session 'emerging-technology' starts at 16:30 before session 'efficient-government' "
            "ends at 16:45; move one of them, or give them rooms (sessions in different "
            'rooms may overlap: room = "…")'
        ],
    ),
    (
        "session outside its event",
        edit("start = 16:00:00\nend = 17:30:00", "start = 16:00:00\nend = 17:00:00"),
        [
            'events.toml:{L}:1: events[1].sessions[2] (id "part-2" › "sustainable-city"): session '
            "'sustainable-city' (17:00–17:30) lies outside its event's time (16:00–17:00) on "
            "2021-09-14; move it or widen the event"
        ],
    ),
    (
        "unknown category",
        edit('category = "mobility"\nprojects', 'category = "mobilty"\nprojects'),
        [
            'events.toml:{L}:1: events[0].sessions[0].category (id "part-1" › "mobility"): '
            "unknown category 'mobilty'; did you mean 'mobility'? Otherwise add it under "
            "[[categories]]"
        ],
    ),
    (
        "unknown person",
        edit('panelists = ["donovan-storey"]', 'panelists = ["donovan"]'),
        [
            'events.toml:{L}:1: events[1].panelists[0].person (id "part-2"): unknown person '
            "'donovan'; did you mean 'donovan-storey'? Otherwise add it under [[people]]"
        ],
    ),
    (
        "unknown winner",
        edit('"mashhad-simap"]', '"mashad-simap"]'),
        [
            'events.toml:{L}:1: events[1].sessions[2].projects[1] (id "part-2" › '
            "\"sustainable-city\"): unknown project 'mashad-simap'; did you mean "
            "'mashhad-simap'? Otherwise add it under [[projects]]"
        ],
    ),
    (
        "duplicate id",
        edit('id = "ceremony"', 'id = "part-1"'),
        [
            "events.toml:{L}:1: events[2].id (id \"part-1\"): duplicate event id 'part-1' "
            "(already used by events[0]); give every event its own id"
        ],
    ),
    *[
        (
            f"unsafe id {bad!r}",
            edit('id = "part-1"', f'id = "{bad}"'),
            [
                f"events.toml:{{L}}:1: events[0].id (id \"{bad}\"): '{bad}' is not a valid id: use "
                "1 to 64 lowercase letters, digits and single hyphens (for example 'safe-city'), "
                "because ids become file names and UIDs"
            ],
        )
        for bad in ("../x", "a/b", "", "Part-1", "part 1")
    ],
    (
        "unknown time zone",
        edit('timezone = "Asia/Seoul"', 'timezone = "Asia/Seul"'),
        [
            "events.toml:{L}:1: series.timezone: 'Asia/Seul' is not an IANA time zone name; use a "
            "name such as 'Asia/Seoul' or 'America/New_York', never a bare offset. Did you mean "
            "'Asia/Seoul'?"
        ],
    ),
    (
        "time in a DST gap",
        in_new_york("date = 2021-10-18\nstart = 15:00:00", "date = 2021-03-14\nstart = 02:30:00"),
        [
            'events.toml:{L}:1: events[2].start (id "ceremony"): 2021-03-14 02:30 does not exist '
            "(the clocks skip over it for daylight saving time) in America/New_York; choose "
            "another time"
        ],
    ),
    (
        "time in a DST fold",
        in_new_york(
            "date = 2021-10-18\nstart = 15:00:00\nend = 17:00:00",
            "date = 2021-11-07\nstart = 00:30:00\nend = 01:30:00",
        ),
        [
            'events.toml:{L}:1: events[2].end (id "ceremony"): 2021-11-07 01:30 happens twice '
            "(the clocks go back over it for daylight saving time) in America/New_York; choose "
            "another time"
        ],
    ),
    (
        "control character",
        edit('location = { en = "Online", ko = "온라인" }', 'location = "On\\u0007line"'),
        [
            'events.toml:{L}:1: events[0].location (id "part-1"): contains a line break or '
            "control character; keep this text on one line"
        ],
    ),
    (
        "multi-megabyte description",
        edit(
            'description.en = """\nThe 4th WeGO',
            'description.en = """\n' + "x" * 3_000_000 + " The 4th WeGO",
        ),
        [
            "events.toml:{L}:1: series.description: is 3,000,314 characters long; the limit for "
            "a description is 50,000 (calendar apps cut or reject longer text): shorten it"
        ],
    ),
]


ORGANISER = (
    'name = { en = "WeGO – World Smart Sustainable Cities Organization (세계스마트시티기구)", '
    'ko = "세계스마트시티기구(WeGO)" }'
)
ZONE = 'timezone = "Asia/Seoul"'
SERIES_URL = 'url = "https://we-gov.org/wego-awards/4th-wego-awards/"'
NOT_A_ZONE = (
    "is not an IANA time zone name; use a name such as 'Asia/Seoul' or 'America/New_York', "
    "never a bare offset."
)
NOT_A_URL = "is not an http(s) URL such as 'https://example.org/': it contains"
OUT_OF_YEARS = "is outside the years 1900–2199 that calendar apps handle; check the year"

# Values that zoneinfo, datetime or the e-mail parser took, and that then crashed the
# build, followed the build machine, or wrote invisible characters into the feeds.
CASES += [
    *(
        (
            f"time zone {name[:12]!r}",
            edit(ZONE, f'timezone = "{name}"'),
            [f"events.toml:{{L}}:1: series.timezone: '{shown}' {NOT_A_ZONE}{hint}"],
        )
        for name, shown, hint in [
            ("Asia", "Asia", ""),  # a folder of tzdata: IsADirectoryError
            ("Etc", "Etc", ""),
            ("Asia/" + "x" * 300, "Asia/" + "x" * 54 + "…", ""),  # ENAMETOOLONG
            ("Lisbon", "Lisbon", " Did you mean 'Europe/Lisbon'?"),
            ("new york", "new york", " Did you mean 'America/New_York'?"),
        ]
    ),
    (
        "time zone localtime",
        edit(ZONE, 'timezone = "localtime"'),
        [
            "events.toml:{L}:1: series.timezone: 'localtime' is whatever zone the machine that "
            "builds is set to; name the series' zone, such as 'Asia/Seoul'"
        ],
    ),
    *(
        (
            f"year {day[:4]}",
            edit("date = 2021-08-26", f"date = {day}"),
            [f'events.toml:{{L}}:1: events[0].date (id "part-1"): {day} {OUT_OF_YEARS}'],
        )
        for day in ("0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01")
    ),
    *(
        (
            f"e-mail with {shown}",
            edit(ORGANISER, f'{ORGANISER}\nemail = "events{char}@example.org"'),
            [
                f"events.toml:{{L}}:1: series.organiser.email: 'events{shown}@example.org' is "
                "not an e-mail address such as 'events@example.org' (it contains "
                f"'{shown}' at position 7: remove it)"
            ],
        )
        for char, shown in [(" ", " "), ("\u00a0", "\\xa0"), ("\u200b", "\\u200b")]
    ),
    *(
        (
            f"url with {shown}",
            edit(SERIES_URL, f'url = "{url}"'),
            [
                f"events.toml:{{L}}:1: series.url: '{url_shown}' {NOT_A_URL} '{shown}' at "
                f"position {position}; remove it"
            ],
        )
        for url, url_shown, shown, position in [
            (
                "https://we-gov.org/\u202eawards/",
                "https://we-gov.org/\\u202eawards/",
                "\\u202e",
                20,
            ),
            ("https://we-\u200bgov.org/", "https://we-\\u200bgov.org/", "\\u200b", 12),
            ("\ufeffhttps://we-gov.org/", "\\ufeffhttps://we-gov.org/", "\\ufeff", 1),
            ("https://we-gov.org/\uffff", "https://we-gov.org/\\uffff", "\\uffff", 20),
        ]
    ),
]

CASES.append(
    (
        "uid_domain not a domain",
        edit('uid_domain = "we-gov.org"', 'uid_domain = "WeGO"'),
        [
            "events.toml:{L}:1: series.uid_domain: 'WeGO' is not a domain name such as "
            "'example.org': use lowercase letters, digits, hyphens and at least one dot (every "
            "UID ends in it, so pick a domain the organiser owns, and keep it)"
        ],
    )
)

# Mistakes an organiser makes while editing the WeGO file (once tried only through the
# CLI's own list, now part of the one catalogue).
CASES += [
    (
        "a bare offset as the zone",
        edit('timezone = "Asia/Seoul"', 'timezone = "+09:00"'),
        [f"events.toml:{{L}}:1: series.timezone: '+09:00' {NOT_A_ZONE}"],
    ),
    (
        "session ends before it starts",
        edit("start = 09:00:00\nend = 09:30:00", "start = 09:00:00\nend = 08:30:00"),
        [
            'events.toml:{L}:1: events[0].sessions[0].end (id "part-1" › "mobility"): end 08:30 '
            "is not after start 09:00; if it ends after midnight, add end_date = 2021-08-27"
        ],
    ),
    (
        "sessions overlap",
        edit("end = 16:30:00", "end = 16:45:00"),
        [
            'events.toml:{L}:1: events[1].sessions[1].start (id "part-2" › "emerging-technology"):'
            " session 'emerging-technology' starts at 16:30 before session 'efficient-government'"
            " ends at 16:45; move one of them, or give them rooms (sessions in different "
            'rooms may overlap: room = "…")'
        ],
    ),
    (
        "event narrowed below its sessions",
        edit("end = 10:30:00\nlocation", "end = 10:15:00\nlocation"),
        [
            'events.toml:{L}:1: events[0].sessions[2] (id "part-1" › "safe-city"): session '
            "'safe-city' (10:00–10:30) lies outside its event's time (09:00–10:15) on "
            "2021-08-26; move it or widen the event"
        ],
    ),
    (
        "unknown jury member",
        edit('"renata-avila",', '"renata",'),
        [
            'events.toml:{L}:1: events[2].judges[0].person (id "ceremony"): unknown person '
            "'renata'; did you mean 'renata-avila'? Otherwise add it under [[people]]"
        ],
    ),
    (
        "unknown project",
        edit('"jeju-bus-location"]', '"jeju-bus"]'),
        [
            'events.toml:{L}:1: events[1].sessions[1].projects[1] (id "part-2" › '
            "\"emerging-technology\"): unknown project 'jeju-bus'; did you mean "
            "'jeju-bus-location'? Otherwise add it under [[projects]]"
        ],
    ),
    (
        "required key removed",
        edit('uid_domain = "we-gov.org"\n', ""),
        ["events.toml:{L}:1: series.uid_domain: required key 'uid_domain' is missing; add it"],
    ),
    (
        "misspelt key",
        edit("[publish]\n", "[publish]\nrefresh = 1\n"),
        [
            "events.toml:{L}:1: publish.refresh: unknown key 'refresh' (did you mean "
            "'refresh_hours'?); remove it or fix its spelling"
        ],
    ),
    (
        "time as a string",
        edit("start = 15:00:00", 'start = "15:00"'),
        [
            'events.toml:{L}:1: events[2].start (id "ceremony"): Input should be a valid time '
            "(got '15:00'); write a TOML local time such as 09:30:00 (no quotes)"
        ],
    ),
]

CASES += [
    (
        "one panelist without brackets",
        edit('panelists = ["javier-vergara-petrescu"]', 'panelists = "javier-vergara-petrescu"'),
        [
            'events.toml:{L}:1: events[0].panelists (id "part-1"): Input should be a valid list '
            "(got 'javier-vergara-petrescu'); write a list in brackets: "
            'panelists = ["javier-vergara-petrescu"]'
        ],
    ),
    (
        "speakers for panelists",
        edit('panelists = ["javier-vergara-petrescu"]', 'speakers = ["javier-vergara-petrescu"]'),
        [
            "events.toml:{L}:1: events[0].speakers (id \"part-1\"): unknown key 'speakers' "
            "(did you mean 'panelists'?); remove it or fix its spelling"
        ],
    ),
    (
        "a country code for a language",
        edit('languages = ["en", "ko"]', 'languages = ["en", "kr"]'),
        [
            "events.toml:9:1: series.title.ko: a translation into 'ko', but the series declares "
            "'en', 'kr'; add 'ko' to languages under [series], or remove the 'ko' translations "
            "(this is the first of them)",
            "events.toml:{L}:1: series.languages[1]: unknown language code 'kr'; did you mean "
            "'ko'? Use an ISO 639 code such as 'en' or 'ko' (optionally with a region, such "
            "as 'pt-BR')",
        ],
    ),
]

# The line each message must point at: the first line of the changed file containing this.
NEEDLES = {
    "not utf-8": 'city = "S',
    "unclosed string": 'ko = "제4회 WeGO 어워즈 }',
    "duplicate key": 'title = "Again"',
    "bad date": "date = 2021-02-30",
    "missing required key": "[series]\n",
    "wrong type": "refresh_hours",
    "unknown key": "uid_domian",
    "end equal to start": "end = 15:00:00",
    "overlapping sessions": "start = 16:30:00",
    "session outside its event": '[[events.sessions]]\nid = "sustainable-city"',
    "unknown category": 'category = "mobilty"',
    "unknown person": 'panelists = ["donovan"]',
    "unknown winner": '"mashad-simap"]',
    "duplicate id": 'id = "part-1"\ntitle = { en = "4th',
    "unknown time zone": "timezone =",
    "time in a DST gap": "start = 02:30:00",
    "time in a DST fold": "end = 01:30:00",
    "control character": 'location = "On\\u0007',
    "multi-megabyte description": 'description.en = """\nxxx',
    **{f"unsafe id {bad!r}": f'id = "{bad}"' for bad in ("../x", "a/b", "", "Part-1", "part 1")},
    **{name: "timezone =" for name, _, _ in CASES if name.startswith("time zone")},
    **{name: "date = " for name, _, _ in CASES if name.startswith("year ")},
    **{name: "email = " for name, _, _ in CASES if name.startswith("e-mail")},
    **{name: "url = " for name, _, _ in CASES if name.startswith("url with")},
    "uid_domain not a domain": "uid_domain",
    "a bare offset as the zone": "timezone =",
    "session ends before it starts": "end = 08:30:00",
    "sessions overlap": "start = 16:30:00",
    "event narrowed below its sessions": '[[events.sessions]]\nid = "safe-city"',
    "unknown jury member": "judges =",
    "unknown project": '"jeju-bus"]',
    "required key removed": "[series]\n",
    "misspelt key": "refresh = 1",
    "time as a string": 'start = "15:00"',
    "one panelist without brackets": 'panelists = "javier',
    "speakers for panelists": "speakers =",
    "a country code for a language": "languages =",
}


def line_of(text: str, needle: str) -> int:
    """1-based line on which ``needle`` (which may span lines) starts in ``text``."""
    index = text.index(needle)
    return text.count("\n", 0, index) + 1


class BadInput(NamedTuple):
    """One mistake: how it changes the WeGO file (None: no file at all), the exact
    lines of the message ({L} is the line of ``needle`` in the changed text)."""

    change: Callable[[str], str | bytes] | None
    messages: list[str]
    needle: str | None


# The one catalogue of bad inputs, by name: checked through the library
# (test_catalogue's library test) and through the CLI (every command).
BAD_INPUTS: dict[str, BadInput] = {
    name: BadInput(change, messages, NEEDLES.get(name)) for name, change, messages in CASES
}
assert len(BAD_INPUTS) == len(CASES), "two cases share a name"


def bad_text(name: str) -> tuple[str | bytes, list[str]]:
    """The changed file of case ``name`` and its expected message lines (with lines)."""
    case = BAD_INPUTS[name]
    assert case.change is not None
    content = case.change(BASE)
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    messages = case.messages
    if case.needle is not None:
        line = line_of(text, case.needle)
        messages = [message.replace("{L}", str(line)) for message in messages]
    return content, messages

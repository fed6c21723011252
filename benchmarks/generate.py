"""Generate a synthetic but realistic event series in wego-ical's TOML format.

    python benchmarks/generate.py 10000 > /tmp/series-10k.toml

N sessions are spread over days (20 half-hour sessions a day, 08:00-18:00)
and 24 categories, in a daylight-saving time zone (Europe/Berlin), with
descriptions of a few hundred characters containing commas, semicolons,
newlines and non-ASCII text. The output is deterministic for a given N.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date, timedelta

SESSIONS_PER_DAY = 20
CATEGORIES = 24
PEOPLE = 200
PROJECTS_PER_CATEGORY = 10
WORDS = [
    *("city", "data", "mobility;", "open,", "inclusive", "transport", "세계", "도시"),
    *("São", "Paulo", "Zürich", "Kraków", "participation", "budget", "drones"),
    *("sensors", "\\", "résumé", "naïve", "café", "water", "energy", "light"),
]


def text(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    for index in range(8, len(chosen), 9):
        chosen[index] += rng.choice([",", ";", ".\n", " —"])
    return " ".join(chosen)


def toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def generate(sessions: int, seed: int = 4) -> str:
    """The TOML text of a series with ``sessions`` sessions."""
    rng = random.Random(seed)
    out = [
        "[series]",
        f'id = "bench-{sessions}"',
        f'title = "Benchmark Festival ({sessions:,} sessions)"',
        f"description = {toml(text(rng, 40))}",
        'url = "https://festival.example.org/"',
        'timezone = "Europe/Berlin"',
        'uid_domain = "festival.example.org"',
        "updated = 2024-01-01T00:00:00Z",
        "",
        "[series.organiser]",
        'name = "Festival Office"',
        'email = "office@festival.example.org"',
        "",
        "[publish]",
        'base_url = "https://festival.example.org/cal/"',
        "",
    ]
    for number in range(CATEGORIES):
        out += ["[[categories]]", f'id = "track-{number}"', f'name = "Track {number} · Ünïcode"']
        out += [f"topics = [{toml(text(rng, 3))}, {toml(text(rng, 3))}]", ""]
    for number in range(PEOPLE):
        out += ["[[people]]", f'id = "person-{number}"', f'name = "Speaker Nº {number}"']
        out += [f'role = "Role {number}, Dept.; X"', 'organisation = "Org, Ltd."', ""]
    for category in range(CATEGORIES):
        for number in range(PROJECTS_PER_CATEGORY):
            out += ["[[projects]]", f'id = "project-{category}-{number}"', 'city = "Zürich"']
            out += [f"title = {toml(text(rng, 5))}", f'category = "track-{category}"', ""]
    day = date(2024, 1, 1)
    remaining = sessions
    event = 0
    while remaining > 0:
        count = min(SESSIONS_PER_DAY, remaining)
        out += ["[[events]]", f'id = "day-{event}"', f'title = "Festival day {event + 1}"']
        out += [f"date = {day.isoformat()}", 'location = "Hall A, Floor 2"']
        out += [f'panelists = ["person-{event % PEOPLE}"]', ""]
        for number in range(count):
            minutes = 8 * 60 + number * 30
            start = f"{minutes // 60:02d}:{minutes % 60:02d}:00"
            end = f"{(minutes + 30) // 60:02d}:{(minutes + 30) % 60:02d}:00"
            category = rng.randrange(CATEGORIES)
            out += ["[[events.sessions]]", f'id = "s{number}"', f"start = {start}", f"end = {end}"]
            out += [f'category = "track-{category}"', f"title = {toml(text(rng, 6))}"]
            out += [f"description = {toml(text(rng, 45))}"]
            out += [f'projects = ["project-{category}-{rng.randrange(PROJECTS_PER_CATEGORY)}"]']
            out += [""]
        remaining -= count
        event += 1
        day += timedelta(days=1)
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))

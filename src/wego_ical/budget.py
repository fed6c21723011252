"""The output budget: how large a build's files would be, estimated before anything is
rendered, and refused when a file or the whole output would be absurd.

Each calendar entry is written several times: into ``all.ics``, its event's
feed, each category feed it belongs to, its own single-event file and the
page, and all of that again in every language. A description that is
within its own limit, repeated in hundreds of sessions and twenty languages,
would otherwise make gigabytes of feeds from a file of a megabyte.
"""

from __future__ import annotations

from dataclasses import dataclass

from wego_ical.limits import MAX_OUTPUT_BYTES, MAX_OUTPUT_FILE_BYTES

# What one copy of an entry takes besides its description: its other properties
# and its share of the zones (about 880 bytes an event in the WeGO feeds).
COPY_OVERHEAD = 800
# Escaping and folding (a CRLF and a space every 75 octets) add about 5 %.
FOLDING = 1.05


@dataclass(frozen=True)
class EntrySize:
    """One calendar entry of one language: where it is, how many files hold it, and
    about how many bytes each copy takes."""

    where: str  # 'session "part-1" › "mobility"'
    language: str | None
    copies: int
    copy_bytes: int

    @property
    def total(self) -> int:
        """Its bytes in all the files that hold it."""
        return self.copies * self.copy_bytes


def copy_bytes(description: str) -> int:
    """About how many bytes one copy of an entry with this description takes."""
    return int(len(description.encode("utf-8")) * FOLDING) + COPY_OVERHEAD


def over_budget(sizes: list[EntrySize]) -> list[str]:
    """What is too large, each with its biggest contributor and what to do ([]: fine)."""
    problems = []
    per_language: dict[str | None, int] = {}
    for size in sizes:
        per_language[size.language] = per_language.get(size.language, 0) + size.copy_bytes
    # The largest files are all.ics and the page: each holds every entry once.
    language, largest = max(per_language.items(), key=lambda item: item[1], default=(None, 0))
    if largest > MAX_OUTPUT_FILE_BYTES:
        top = max((s for s in sizes if s.language == language), key=lambda s: s.copy_bytes)
        problems.append(
            f"all.ics{_in(language)} would be about {_mb(largest)}; the limit for one file is "
            f"{_mb(MAX_OUTPUT_FILE_BYTES)}. The largest entry is {top.where} "
            f"({_kb(top.copy_bytes)}): shorten the texts repeated in every session "
            "(topics, projects, people), or split the series"
        )
    total = sum(size.total for size in sizes)
    if total > MAX_OUTPUT_BYTES:
        top = max(sizes, key=lambda s: s.total)
        languages = len(per_language)
        spread = f" ({languages} languages of about {_mb(total // languages)} each)"
        spread = spread if languages > 1 else ""
        problems.append(
            f"the build would write about {_mb(total)}{spread}; the limit is "
            f"{_mb(MAX_OUTPUT_BYTES)}. The largest contributor is {top.where}{_in(top.language)}: "
            f"about {_kb(top.copy_bytes)} written into {top.copies} files. Shorten the texts "
            "repeated in every session (topics, projects, people), or publish fewer languages"
        )
    return problems


def _in(language: str | None) -> str:
    return f" ({language})" if language else ""


def _mb(size: int) -> str:
    return f"{size / 1_000_000:,.0f} MB"


def _kb(size: int) -> str:
    return f"{size / 1000:,.0f} KB"

"""pieces: small pieces regrouped into large ones, text unchanged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from markupsafe import Markup

from wego_ical.pieces import CALENDAR_END, Recipes, Spliced, record_again, recorded_apart, regroup


def test_regroup_bytes_into_pieces_of_at_least_the_size() -> None:
    pieces = [b"x" * 10] * 25
    grouped = list(regroup(pieces, size=100))
    assert [len(piece) for piece in grouped] == [100, 100, 50]
    assert b"".join(grouped) == b"".join(pieces)


def test_regroup_never_escapes_text_after_markup() -> None:
    # Jinja2 yields Markup and str pieces; a page is regrouped before it is encoded.
    pieces = [Markup("<p>"), '<a href="x">', "</p>"]
    assert list(regroup(pieces, size=5)) == ['<p><a href="x">', "</p>"]
    assert list(regroup(pieces)) == ['<p><a href="x"></p>']


def test_regroup_nothing() -> None:
    assert list(regroup([])) == []


def test_recipes_recorded_apart_are_recorded_again_in_the_same_recipes() -> None:
    first, second = Recipes({"a.html": "1"}), Recipes({})
    first.same("before.html", "0")  # not while recording: not handed back
    with recorded_apart() as recorded:
        assert first.same("a.html", "1") is True
        assert second.same("b.html", "2") is False
    assert [(path, recipe) for _, path, recipe in recorded] == [("a.html", "1"), ("b.html", "2")]
    # As the parent process, which never saw those calls.
    first.made.clear()
    second.made.clear()
    record_again(recorded)
    assert first.made == {"a.html": "1"}
    assert second.made == {"b.html": "2"}
    second.same("c.html", "3")  # recording ended
    assert len(recorded) == 2


def test_a_spliced_file_reads_its_texts_where_they_lie_with_few_reads(tmp_path: Path) -> None:
    """Texts one after another are read at once (up to READ_SIZE), in the order given,
    whatever their order in the file; the envelope's end comes after them."""
    texts = [b"BEGIN:VEVENT\r\n%d\r\nEND:VEVENT\r\n" % number for number in range(40)]
    ranges, offset = [], 0
    for text in texts:
        ranges.append((offset, len(text)))
        offset += len(text)
    envelope = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + CALENDAR_END
    with open(tmp_path / "texts", "w+b") as spill:
        spill.write(b"".join(texts))
        spill.flush()
        order = [*range(10, 40), 3, 2, 1, 0, 5]  # runs, and texts out of order
        spliced = Spliced(spill.fileno(), envelope, [ranges[i] for i in order])
        reads: list[int] = []
        with pytest.MonkeyPatch.context() as patch:
            real = os.pread

            def pread(fd: int, size: int, at: int) -> bytes:
                reads.append(size)
                return real(fd, size, at)

            patch.setattr(os, "pread", pread)
            assert b"".join(spliced) == (
                envelope[: -len(CALENDAR_END)] + b"".join(texts[i] for i in order) + CALENDAR_END
            )
        assert len(reads) == 6  # 10-39, then 3, 2, 1, 0 and 5 each alone
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Spliced, "READ_SIZE", 100)  # no run longer than this
            assert len(list(Spliced(spill.fileno(), envelope, ranges)._read())) == 40
        short = Spliced(spill.fileno(), envelope, [(offset - 5, 10)])
        with pytest.raises(OSError, match="shorter than recorded"):
            b"".join(short)

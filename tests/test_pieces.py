"""pieces: small pieces regrouped into large ones, text unchanged."""

from __future__ import annotations

from markupsafe import Markup

from wego_ical.pieces import regroup


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

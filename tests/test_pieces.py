"""pieces: small pieces regrouped into large ones, text unchanged."""

from __future__ import annotations

from markupsafe import Markup

from wego_ical.pieces import Recipes, record_again, recorded_apart, regroup


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

"""page.rows: a session row written directly is byte-identical to the Jinja2 macros it
replaced (``reference_rows.html.j2``), for any view, any page texts and labels, any
marking of untranslated texts, with and without a build time."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import jinja2
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from wego_ical.i18n import ui_text
from wego_ical.model.tables import Labels
from wego_ical.page.landing import _environment
from wego_ical.page.rows import Rows
from wego_ical.page.views import EntryView, PersonView, ProjectView, row_state
from wego_ical.render.calendar_links import AddEvent

HERE = Path(__file__).parent

# Text from the data, hostile to HTML and to str.format, and the untranslated texts'
# marking when a text is one of MARKED.
HOSTILE = "<>&\"'{}#/ ·—é한\u200f"
texts = st.text(alphabet=string.ascii_letters + HOSTILE + " ", max_size=12)
maybe = st.none() | texts
MARKED = ("<b>", "Panel & co", "'x'")


def run(text: str | None) -> Markup | str:
    if not text:
        return ""
    if text in MARKED:
        return Markup('<span lang="en">{}</span>').format(text)
    return text


data_texts = st.sampled_from(MARKED) | texts
moments = st.sampled_from(
    ["", "2021-08-26", "2021-08-26T09:00:00Z", "2021-08-26T09:30:00Z", "2030-01-01T00:00:00Z"]
)
people = st.builds(
    PersonView,
    name=data_texts,
    role=maybe,
    organisation=maybe,
    url=st.none() | st.sampled_from(["https://a.example/<x>", "http://b.example/?a=1&b=2"]),
    email=st.none() | st.just("o'neil@example.org"),
    feed=st.none() | texts,
    parts=st.lists(st.tuples(data_texts, st.booleans()), max_size=4).map(tuple),
)
projects = st.builds(ProjectView, city=st.none() | data_texts, title=maybe, prize=maybe)
adds = st.builds(
    AddEvent,
    title=texts,
    details=texts,
    location=maybe,
    dates=texts,
    zone=maybe,
    start=texts,
    end=texts,
    all_day=st.booleans(),
)
entries = st.builds(
    EntryView,
    anchor=texts,
    title=data_texts,
    cancelled=st.booleans(),
    start_utc=moments,
    end_utc=moments,
    day=texts,
    time_text=texts,
    own_time_text=maybe,
    all_day=st.booleans(),
    who=st.lists(data_texts, max_size=3),
    category=st.none() | data_texts,
    topics=st.lists(data_texts, max_size=3),
    projects=st.lists(projects, max_size=3),
    panelists_label=texts,
    panelists=st.lists(people, max_size=3),
    description=st.just("") | data_texts,
    location=st.none() | data_texts,
    room=st.none() | data_texts,
    conference=maybe,
    file=texts,
    add=st.none() | adds,
    name=texts,
    summary=texts,
    start_local=texts,
    end_local=texts,
    page_url=maybe,
)


def placeholders(*names: str) -> st.SearchStrategy[str]:
    """A page text with the placeholders ``names``, hostile around them."""
    pieces = [*(f"{{{name}}}" for name in names), "<", "&amp;", '"', "'", "é", "x", "{{", "}}"]
    return st.lists(st.sampled_from(pieces), max_size=6).map("".join)


words = st.sampled_from([None, *ui_text.spoken()]).map(ui_text.page) | st.builds(
    lambda base, extra: base | extra,
    st.just(ui_text.page(None)),
    st.fixed_dictionaries(
        {
            key: texts.map(lambda text: text.replace("{", "(").replace("}", ")"))
            for key in ("state_past", "state_now", "add_to_calendar", "ics_file", "subscribe")
        }
        | {
            "file_named": placeholders("entry"),
            "add_named": placeholders("entry", "app"),
            "google_calendar": texts,
        }
    ),
)
labels = st.just(Labels()) | st.builds(
    lambda name: Labels(cancelled=name, category=name, topics=name, projects=name),
    texts.filter(str.strip),
)


def _reference(context: dict[str, Any]) -> Any:
    environment = _environment().overlay(loader=jinja2.FileSystemLoader(str(HERE)))
    template = environment.get_template("reference_rows.html.j2")
    return template.make_module(vars=context | {"row_state": row_state})


@settings(max_examples=400, deadline=None)
@given(
    st.lists(entries, min_size=1, max_size=3),
    words,
    labels,
    st.sampled_from(["", "2021-08-26T09:15:00Z", "2030-01-01T00:00:00Z"]),
    st.sampled_from([("", ""), ("../", "../index.html")]),
)
def test_rows_are_the_macros(
    views: list[EntryView], t: dict[str, str], labels: Labels, now_utc: str, place: Any
) -> None:
    prefix, index = place
    # The macros' "home" was the index page's address on the pages that have people's
    # links right (see test_page_views.test_every_link_within_the_site_finds_its_target).
    context = {"t": t, "labels": labels, "now_utc": now_utc, "prefix": prefix, "home": index}
    macros = _reference(context)
    rows = Rows(t, labels, run, now_utc, prefix, index)
    expected = "".join(str(macros.session(view, t, labels, run)) for view in views)
    assert str(rows.sessions(views)) == expected
    for view in views:
        assert rows.state(view.start_utc, view.end_utc) == str(
            macros.state(view.start_utc, view.end_utc)
        )
        for person in view.panelists:
            assert rows.person(person) == str(macros.person(person, run))
        for project in view.projects:
            assert rows.project(project) == str(macros.project(project, run))


def test_a_row_is_markup_that_escapes_the_data() -> None:
    view = EntryView(
        anchor="a",
        title="<script>alert(1)</script>",
        cancelled=False,
        start_utc="2021-08-26T09:00:00Z",
        end_utc="2021-08-26T09:30:00Z",
        day="2021-08-26",
        time_text="09:00–09:30",
        own_time_text=None,
        all_day=False,
        who=['"quoted" & co'],
        category=None,
        topics=[],
        projects=[],
        panelists_label="Panelists",
        panelists=[],
        description="",
        location=None,
        room=None,
        conference=None,
        file="events/a.ics",
        add=None,
        name="<b>",
        summary="",
        start_local="",
        end_local="",
        page_url=None,
    )
    html = Rows(ui_text.page(None), Labels(), run, "", "", "").sessions([view])
    assert isinstance(html, Markup)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;quoted&#34; &amp; co" in html and 'aria-label="Add to calendar: &lt;b&gt;"' in html

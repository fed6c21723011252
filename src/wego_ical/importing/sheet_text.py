"""A spreadsheet file's text: its encoding (UTF-8, with or without a byte order mark;
else Windows-1252, as Excel saves "CSV") and its separator (a tab, a comma, or the
semicolon Excel writes where the comma is the decimal mark)."""

from __future__ import annotations

from wego_ical.errors import ImportSourceError


def sheet_text(raw: bytes, kind: str) -> tuple[str, str, str | None]:
    """The text of a spreadsheet of ``kind`` ("csv" or "tsv"), its separator, and a note
    when it is not UTF-8."""
    text, note = _text(raw)
    return text, "\t" if kind == "tsv" else _separator(text), note


def _text(raw: bytes) -> tuple[str, str | None]:
    """A spreadsheet's text, and a note when it is not UTF-8: then it is read as
    Windows-1252, what Excel saves as "CSV" in Western Europe and the Americas."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        where = exc.start
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportSourceError(
            f'is not UTF-8 (byte {where}) nor Windows-1252 (Excel\'s "CSV"); save it as UTF-8'
        ) from None
    return text, (
        f"the encoding: the file is not UTF-8 (byte {where}), so it was read as "
        'Windows-1252 (what Excel saves as "CSV"); check its accented letters, or save it '
        'as "CSV UTF-8" and import again'
    )


def _separator(text: str) -> str:
    """A CSV's separator: "," or, as Excel writes it where the comma is the decimal mark
    (most of Europe), ";": whichever the header line has more of."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","

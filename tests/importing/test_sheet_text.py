"""A spreadsheet file's text and separator (importing.sheet_text)."""

from __future__ import annotations

import pytest

from wego_ical.errors import ImportSourceError
from wego_ical.importing.sheet_text import sheet_text


@pytest.mark.parametrize(
    ("raw", "kind", "text", "separator"),
    [
        (b"a,b\n1,2\n", "csv", "a,b\n1,2\n", ","),
        (b"\xef\xbb\xbfTitel;Datum\nx;1,5\n", "csv", "Titel;Datum\nx;1,5\n", ";"),
        (b"a;b,c\n", "csv", "a;b,c\n", ","),  # as many of each: the comma
        (b"a\tb\n", "tsv", "a\tb\n", "\t"),
    ],
)
def test_utf8_with_or_without_a_bom_and_the_separator(
    raw: bytes, kind: str, text: str, separator: str
) -> None:
    assert sheet_text(raw, kind) == (text, separator, None)


def test_windows_1252_is_read_with_a_note_naming_the_first_other_byte() -> None:
    text, separator, note = sheet_text("Ort;Straße\nKöln;x\n".encode("cp1252"), "csv")
    assert (text, separator) == ("Ort;Straße\nKöln;x\n", ";")
    assert note is not None and "not UTF-8 (byte 8), so it was read as Windows-1252" in note


def test_neither_utf8_nor_windows_1252_is_refused() -> None:
    with pytest.raises(ImportSourceError, match=r"is not UTF-8 \(byte 2\) nor Windows-1252"):
        sheet_text(b"a,\x81\n", "csv")

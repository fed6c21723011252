"""write: all or nothing, unchanged files untouched, foreign files never touched."""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from wego_ical.errors import OutputError
from wego_ical.output import produce as produce_module
from wego_ical.output import write as write_module
from wego_ical.output.write import FileAction, FileResult, write_output
from wego_ical.pieces import Content

FILES = {"all.ics": b"A", "part-1.ics": b"B", "categories/mobility.ics": b"C"}
MANIFEST = "feeds.json"


def generated(out: Path) -> list[str]:
    """The files the manifest in ``out`` lists (none if there is no manifest)."""
    try:
        listed: list[str] = json.loads((out / MANIFEST).read_text())["generated"]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return listed


def write(out: Path, files: dict[str, bytes], document: dict[str, object]) -> list[FileResult]:
    """write_output of ``files`` and a manifest (written last) made of ``document``
    and their list, continuing from the manifest in ``out``."""
    manifest = json.dumps({**document, "generated": sorted(files)}, indent=2) + "\n"
    results = write_output(out, {**files, MANIFEST: manifest.encode()}, generated(out)).files
    return [result for result in results if result.path != MANIFEST]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_writes_files_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    results = write(out, FILES, {"series": "x"})
    assert {r.path: r.action for r in results} == dict.fromkeys(FILES, "written")
    assert snapshot(out) == {**FILES, MANIFEST: (out / MANIFEST).read_bytes()}
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest == {"series": "x", "generated": sorted(FILES)}
    assert not [p for p in out.iterdir() if p.name.startswith(".wego-ical")]


def test_unchanged_files_are_not_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    old = 1_000_000_000
    for path in out.rglob("*"):
        if path.is_file():
            os.utime(path, (old, old))
    results = write(out, {**FILES, "all.ics": b"A2"}, {})
    assert {r.path: r.action for r in results} == {
        "all.ics": "written",
        "part-1.ics": "unchanged",
        "categories/mobility.ics": "unchanged",
    }
    assert (out / "part-1.ics").stat().st_mtime == old
    assert (out / MANIFEST).stat().st_mtime == old
    assert (out / "all.ics").read_bytes() == b"A2"


def test_stale_generated_feeds_are_removed_foreign_files_kept(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    (out / "CNAME").write_text("calendar.example.org\n")
    (out / "categories" / "notes.txt").write_text("mine")
    results = write(out, {"all.ics": b"A"}, {})
    assert {r.path: r.action for r in results} == {
        "all.ics": "unchanged",
        "part-1.ics": "removed",
        "categories/mobility.ics": "removed",
    }
    assert (out / "CNAME").read_text() == "calendar.example.org\n"
    assert (out / "categories" / "notes.txt").read_text() == "mine"
    assert not (out / "part-1.ics").exists()


def test_empty_folders_of_removed_feeds_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    write(out, {"all.ics": b"A"}, {})
    assert not (out / "categories").exists()


def test_a_tampered_manifest_never_deletes_outside_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    out.mkdir()
    results = write_output(out, FILES, ["../victim.txt", "/etc/passwd", 3]).files
    assert {r.action for r in results} == {"written"}
    assert victim.read_text() == "keep"


def test_files_not_generated_before_are_never_removed(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "old.ics").write_text("unknown origin")
    write(out, FILES, {})
    assert (out / "old.ics").read_text() == "unknown origin"


@pytest.mark.parametrize("bad", ["../x.ics", "/abs.ics", "a/../b.ics", "", "a\\b.ics"])
def test_refuses_paths_outside_the_folder(tmp_path: Path, bad: str) -> None:
    with pytest.raises(OutputError, match="not a plain path inside the output folder"):
        write(tmp_path / "dist", {bad: b"x"}, {})
    assert not (tmp_path / "dist").exists()


def test_out_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "dist"
    target.write_text("I am a file")
    with pytest.raises(OutputError, match="is a file, not a folder; pass a folder with --out"):
        write(target, FILES, {})
    assert target.read_text() == "I am a file"


def test_out_not_writable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated: permission bits do not stop root, who runs CI here.
    out = tmp_path / "dist"
    out.mkdir()
    monkeypatch.setattr(os, "access", lambda *_args, **_kw: False)
    with pytest.raises(OutputError, match="the output folder is not writable; fix its permissions"):
        write(out, FILES, {})
    assert list(out.iterdir()) == []


def test_folder_is_replaced_in_one_exchange_keeping_unchanged_inodes(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    (out / "CNAME").write_text("example.org")
    inodes = {p.name: p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    folder_inode = out.stat().st_ino
    write(out, {**FILES, "all.ics": b"A2"}, {})
    assert out.stat().st_ino != folder_inode  # a new folder was swapped in
    after = {p.name: p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    assert after["CNAME"] == inodes["CNAME"]
    assert after["part-1.ics"] == inodes["part-1.ics"]
    assert after["all.ics"] != inodes["all.ics"]
    # no staging left behind; the lock file stays (another build may be waiting on it)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.wego-ical.lock", "dist"]


def test_nothing_to_change_touches_nothing(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    folder_inode = out.stat().st_ino
    write(out, FILES, {})
    assert out.stat().st_ino == folder_inode


def test_new_folder_is_readable_by_others(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write(tmp_path / "dist", FILES, {})
    finally:
        os.umask(old)
    assert (tmp_path / "dist").stat().st_mode & 0o777 == 0o755


def test_failing_exchange_leaves_the_old_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {"v": 1})
    before = snapshot(out)

    def failing_exchange(first: Path, second: Path) -> None:
        raise OutputError(f"{second}: cannot replace the output folder: Device or resource busy")

    monkeypatch.setattr(write_module, "exchange", failing_exchange)
    with pytest.raises(OutputError, match="cannot replace the output folder"):
        write(out, {p: c + b"-new" for p, c in FILES.items()}, {"v": 2})
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.wego-ical.lock", "dist"]


def test_without_exchange_files_are_moved_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    (out / "CNAME").write_text("mine")

    def no_exchange(first: Path, second: Path) -> None:
        raise write_module.NoExchange

    monkeypatch.setattr(write_module, "exchange", no_exchange)
    results = write(out, {"all.ics": b"A2", "part-1.ics": b"B"}, {})
    assert {r.path: r.action for r in results} == {
        "all.ics": "written",
        "part-1.ics": "unchanged",
        "categories/mobility.ics": "removed",
    }
    assert snapshot(out) == {
        "all.ics": b"A2",
        "part-1.ics": b"B",
        "CNAME": b"mine",
        MANIFEST: (out / MANIFEST).read_bytes(),
    }


def test_without_exchange_a_failed_move_restores_the_previous_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {"v": 1})
    before = snapshot(out)
    real_replace = os.replace
    calls = {"n": 0}

    def failing_replace(src: str | Path, dst: str | Path, **fds: int | None) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst, **fds)

    def no_exchange(first: Path, second: Path) -> None:
        raise write_module.NoExchange

    monkeypatch.setattr(write_module, "exchange", no_exchange)
    monkeypatch.setattr(os, "replace", failing_replace)
    new = {path: content + b"-new" for path, content in FILES.items()}
    with pytest.raises(OutputError, match=r"writing failed .*the previous files were restored"):
        write(out, new, {"v": 2})
    assert snapshot(out) == before


def test_read_only_parent_stages_inside_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(prefix: str, dir: Path) -> str:
        if Path(dir) == tmp_path:
            raise PermissionError(13, "Permission denied")
        return str(real_mkdtemp(prefix=prefix, dir=dir))

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    write(out, {**FILES, "all.ics": b"A3"}, {})
    assert (out / "all.ics").read_bytes() == b"A3"
    assert not [p for p in out.iterdir() if "staging" in p.name]


def test_failure_while_staging_leaves_output_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    before = snapshot(out)
    real_write = produce_module.write_file

    def failing_write(path: Path, content: bytes, folders: object) -> None:
        if path.name == "part-1.ics":
            raise OutputError("part-1.ics: cannot be written: disk full")
        real_write(path, content, folders)  # type: ignore[arg-type]

    monkeypatch.setattr(produce_module, "write_file", failing_write)
    with pytest.raises(OutputError, match="disk full"):
        write(out, {p: c + b"!" for p, c in FILES.items()}, {})
    assert snapshot(out) == before


@pytest.mark.parametrize("where", ["beside", "inside"])
def test_the_staging_folder_a_killed_build_recorded_is_removed(tmp_path: Path, where: str) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    name = (
        ".dist.wego-ical-staging-k1ll3d00" if where == "beside" else ".wego-ical-staging-k1ll3d00"
    )
    leftover = (tmp_path if where == "beside" else out) / name
    leftover.mkdir()
    (leftover / "all.ics").write_bytes(b"half")
    # What a build killed while writing its staging folder leaves in the lock file.
    lock = tmp_path / ".dist.wego-ical.lock"
    lock.write_text(json.dumps({"pid": 99999, "staging": str(leftover)}))
    write(out, {**FILES, "all.ics": b"A4"}, {})
    assert not leftover.exists()
    assert (out / "all.ics").read_bytes() == b"A4"
    assert "staging" not in json.loads(lock.read_text())


def test_folders_that_only_look_like_staging_folders_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    lookalikes = [
        tmp_path / ".dist.wego-ical-staging-x",
        out / ".wego-ical-staging-notes",
        out / "sub" / ".wego-ical-staging-y",
    ]
    for folder in lookalikes:
        folder.mkdir(parents=True)
        (folder / "notes.txt").write_text("mine")
    write(out, {**FILES, "all.ics": b"A5"}, {})
    write(out, {**FILES, "all.ics": b"A6"}, {})
    for folder in lookalikes:
        assert (folder / "notes.txt").read_text() == "mine"


def test_a_recorded_staging_folder_elsewhere_is_never_removed(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    elsewhere = tmp_path / "project" / "precious"
    elsewhere.mkdir(parents=True)
    (tmp_path / ".dist.wego-ical.lock").write_text(json.dumps({"staging": str(elsewhere)}))
    write(out, {**FILES, "all.ics": b"A7"}, {})
    assert elsewhere.is_dir()


@pytest.mark.parametrize(
    ("old", "chunks", "action"),
    [
        (b"abcdef", [b"abc", b"def"], "unchanged"),
        (b"abcdef", [b"abc", b"deX"], "written"),
        (b"abcdef", [b"abc"], "written"),  # the old file is longer
        (b"abc", [b"abc", b"def"], "written"),  # the old file is shorter
        (b"", [], "unchanged"),
        # differs only at the end: the 200,000 bytes that matched are copied from the old file
        (b"x" * 200_000 + b"a", [b"x" * 100_000, b"x" * 100_000, b"b"], "written"),
    ],
)
def test_content_produced_in_chunks_is_compared_while_streamed(
    tmp_path: Path, old: bytes, chunks: list[bytes], action: FileAction
) -> None:
    out = tmp_path / "dist"
    write(out, {"index.html": old}, {})
    results = write_output(out, {"index.html": lambda: iter(chunks)}, generated(out)).files
    assert results == [FileResult("index.html", action)]
    assert (out / "index.html").read_bytes() == b"".join(chunks)
    assert not [p for p in tmp_path.iterdir() if ".wego-ical-staging-" in p.name]


def test_unchanged_content_produced_in_chunks_creates_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dist"
    write(out, {"index.html": b"abcdef"}, {})

    def no_file(*args: object) -> None:
        raise AssertionError("a file was created")

    monkeypatch.setattr(produce_module, "start_file", no_file)
    chunks = {"index.html": lambda: iter([b"abc", b"def"])}
    results = write_output(out, chunks, generated(out)).files
    assert results == [FileResult("index.html", "unchanged")]


def test_content_produced_in_chunks_into_a_new_folder(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    results = write_output(out, {"sub/page.html": lambda: iter([b"<p>", b"</p>"])}, []).files
    assert results == [FileResult("sub/page.html", "written")]
    assert (out / "sub/page.html").read_bytes() == b"<p></p>"


def test_the_callers_list_of_previously_generated_files_is_used_and_checked(
    tmp_path: Path,
) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    (tmp_path / "outside.txt").write_text("keep")
    before = ["all.ics", "part-1.ics", "categories/mobility.ics", "../outside.txt", 7]
    results = write_output(out, {"all.ics": b"A"}, generated_before=before).files
    assert [r.path for r in results if r.action == "removed"] == [
        "categories/mobility.ics",
        "part-1.ics",
    ]
    assert (tmp_path / "outside.txt").read_text() == "keep"


# --------------------------------------------------------------------------- links


def _fallback(monkeypatch: pytest.MonkeyPatch, out: Path) -> None:
    """Make the parent of ``out`` refuse the staging folder, as a read-only parent does."""
    real = write_module._make_staging

    def make_staging(parent: Path, prefix: str) -> Path:
        if parent == out.parent:
            raise PermissionError(13, "Permission denied")
        return real(parent, prefix)

    monkeypatch.setattr(write_module, "_make_staging", make_staging)


@pytest.mark.parametrize("mode", ["swap", "file by file"])
def test_a_linked_folder_the_build_writes_into_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "mobility.ics").write_bytes(b"not yours")
    shutil.rmtree(out / "categories")
    (out / "categories").symlink_to(elsewhere)
    before = snapshot(out)
    if mode == "file by file":
        _fallback(monkeypatch, out)
    with pytest.raises(
        OutputError, match=r"dist/categories: is a symbolic link; .*replace the link"
    ):
        write(out, {**FILES, "categories/mobility.ics": b"C2"}, {})
    assert (elsewhere / "mobility.ics").read_bytes() == b"not yours"
    assert snapshot(out) == before


def test_a_linked_file_the_build_writes_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    target = tmp_path / "target.ics"
    target.write_bytes(b"A")
    (out / "all.ics").unlink()
    (out / "all.ics").symlink_to(target)
    with pytest.raises(OutputError, match=r"dist/all.ics: is a symbolic link"):
        write(out, {**FILES, "all.ics": b"A2"}, {})
    assert target.read_bytes() == b"A"


def test_links_deep_in_the_folder_are_found_the_first_in_the_build_s_order(
    tmp_path: Path,
) -> None:
    """Each folder is read once for links: one deep down is found, and of two, the one
    the build meets first (folders before files) is named."""
    out = tmp_path / "dist"
    files = {**FILES, "events/2021/a.ics": b"E", "events/2021/b.ics": b"F"}
    write(out, files, {})
    target = tmp_path / "target.ics"
    target.write_bytes(b"T")
    (out / "events/2021/b.ics").unlink()
    (out / "events/2021/b.ics").symlink_to(target)
    (out / "other.txt").symlink_to(target)  # not written by the build: left alone
    with pytest.raises(OutputError, match=r"dist/events/2021/b.ics: is a symbolic link"):
        write(out, {**files, "events/2021/b.ics": b"F2"}, {})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(out / "categories")
    (out / "categories").symlink_to(elsewhere)
    with pytest.raises(OutputError, match=r"dist/categories: is a symbolic link"):
        write(out, {**files, "events/2021/b.ics": b"F2"}, {})
    assert target.read_bytes() == b"T"


@pytest.mark.parametrize("mode", ["swap", "file by file"])
@pytest.mark.parametrize("elsewhere_empty", [False, True])
def test_a_manifest_entry_behind_a_link_is_never_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, elsewhere_empty: bool
) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if not elsewhere_empty:
        (elsewhere / "data.toml").write_text("precious")
    (out / "link").symlink_to(elsewhere)
    if mode == "file by file":
        _fallback(monkeypatch, out)
    results = write_output(out, {"all.ics": b"A2"}, [*FILES, "link/data.toml", "link"])
    assert "link/data.toml" not in {r.path for r in results.files}
    assert elsewhere.is_dir()
    if not elsewhere_empty:
        assert (elsewhere / "data.toml").read_text() == "precious"
    # The link itself was listed as generated: removing it removes only the link.
    assert not (out / "link").is_symlink()


def test_file_by_file_mode_is_announced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "dist"
    assert write_output(out, FILES, []).notice is None
    _fallback(monkeypatch, out)
    result = write_output(out, {**FILES, "all.ics": b"A2"}, list(FILES))
    assert result.notice is not None and "moved in one by one" in result.notice
    assert (out / "all.ics").read_bytes() == b"A2"


# --------------------------------------------------------------------------- permissions


def test_folders_keep_their_permissions_and_owner(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    private = out / "private"
    private.mkdir()
    (private / "notes.txt").write_text("mine")
    os.chmod(private, 0o700)
    os.chmod(out / "categories", 0o750)
    os.chmod(out, 0o751)
    if os.geteuid() == 0:
        os.chown(private, 12345, 23456)
    write(out, {**FILES, "all.ics": b"A2", "categories/mobility.ics": b"C2"}, {})
    assert stat.S_IMODE((out / "private").stat().st_mode) == 0o700
    assert stat.S_IMODE((out / "categories").stat().st_mode) == 0o750
    assert stat.S_IMODE(out.stat().st_mode) == 0o751
    if os.geteuid() == 0:
        assert ((out / "private").stat().st_uid, (out / "private").stat().st_gid) == (12345, 23456)
    assert (out / "private" / "notes.txt").read_text() == "mine"


def _page_pieces(text: bytes) -> Content:
    return lambda: iter([text[:3], text[3:]])


def test_files_made_apart_land_like_the_others(tmp_path: Path) -> None:
    """A file made in a child process (the landing page of a large series) is compared,
    written and reported like any other, new, changed or unchanged."""
    out = tmp_path / "dist"
    files: dict[str, Content] = {
        "index.html": _page_pieces(b"<html>one"),
        "ko/index.html": b"<html>ko",
        **FILES,
    }
    results = write_output(out, files, [], apart=["index.html", "ko/index.html"])
    assert {r.path: r.action for r in results.files} == dict.fromkeys(files, "written")
    assert snapshot(out) == {
        "index.html": b"<html>one",
        "ko/index.html": b"<html>ko",
        **FILES,
    }
    files["index.html"] = _page_pieces(b"<html>two")
    results = write_output(out, files, list(files), apart=["index.html", "ko/index.html"])
    actions = {r.path: r.action for r in results.files}
    assert actions == {**dict.fromkeys(files, "unchanged"), "index.html": "written"}
    assert (out / "index.html").read_bytes() == b"<html>two"
    # Another file changes, the pages do not: they are carried over (same inode)
    # after the other files were linked into the new folder.
    inodes = {page: (out / page).stat().st_ino for page in ("index.html", "ko/index.html")}
    files["all.ics"] = b"A2"
    results = write_output(out, files, list(files), apart=["index.html", "ko/index.html"])
    actions = {r.path: r.action for r in results.files}
    assert actions == {**dict.fromkeys(files, "unchanged"), "all.ics": "written"}
    assert {page: (out / page).stat().st_ino for page in inodes} == inodes
    assert snapshot(out) == {
        "index.html": b"<html>two",
        "ko/index.html": b"<html>ko",
        **FILES,
        "all.ics": b"A2",
    }


def test_files_made_apart_together_are_made_in_one_child_in_order(tmp_path: Path) -> None:
    """A group of files (both exports) is made in one child process, in its order: the
    second may use what the first made there. Each lands and is reported on its own."""
    out = tmp_path / "dist"
    made: list[str] = []

    def first() -> bytes:
        made.append("first")
        return f"one {os.getpid()}".encode()

    def second() -> bytes:
        return f"two {os.getpid()} after {made}".encode()

    files: dict[str, Content] = {"b.json": first, "a.xml": second, **FILES}
    results = write_output(out, files, [], apart=[("b.json", "a.xml"), ("gone.txt",)])
    assert {r.path: r.action for r in results.files} == dict.fromkeys(files, "written")
    one, two = (out / "b.json").read_text(), (out / "a.xml").read_text()
    child = one.split()[1]
    assert two == f"two {child} after ['first']" and child != str(os.getpid())
    assert made == []  # made in the child, not here
    files["b.json"] = lambda: one.encode()
    files["a.xml"] = lambda: b"changed"
    results = write_output(out, files, list(files), apart=[("b.json", "a.xml")])
    actions = {r.path: r.action for r in results.files}
    assert actions == {**dict.fromkeys(files, "unchanged"), "a.xml": "written"}
    assert (out / "a.xml").read_bytes() == b"changed"


def test_a_file_made_apart_that_fails_leaves_the_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write(out, FILES, {})
    before = snapshot(out)

    def failing() -> bytes:
        raise OutputError("index.html: cannot be written: disk full")

    files: dict[str, Content] = {"index.html": failing, **{p: c + b"!" for p, c in FILES.items()}}
    with pytest.raises(OutputError, match="disk full"):
        write_output(out, files, generated(out), apart=["index.html"])
    assert snapshot(out) == before
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name]


def test_the_disk_writes_what_was_made_while_the_children_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With files made apart, this process has the disk write what it made (write_back_now)
    before it waits for the children, so that the sync before the swap finds little left;
    without children it does not."""
    from wego_ical.render.workers import Apart

    events: list[str] = []
    result = Apart.result

    def waited(self: Apart[object]) -> object:
        events.append("waited")
        return result(self)

    monkeypatch.setattr(write_module, "write_back_now", lambda: events.append("written back"))
    monkeypatch.setattr(Apart, "result", waited)
    files: dict[str, Content] = {"index.html": _page_pieces(b"<html>one"), **FILES}
    write_output(tmp_path / "apart", files, [], apart=["index.html"])
    assert events == ["written back", "waited"]
    events.clear()
    write_output(tmp_path / "here", files, [])
    assert events == []
    assert snapshot(tmp_path / "apart") == snapshot(tmp_path / "here")
